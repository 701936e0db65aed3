import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.urls import reverse

from copsite.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["database"], body["cache"]) == ("ok", "ok")
    # Tests run tasks inline; the real-broker check is below.
    assert body["broker"] == "inline"
    assert "no-cache" in response["Cache-Control"]


def test_database_unreachable_answers_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["status"] == "error"


def test_cache_failure_answers_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["default"], "set", broken)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["cache"] == "error"


@pytest.fixture
def broker(request):
    """The broker the health check should see: `real` (REDIS_URL) or `unreachable`."""
    import os  # noqa: PLC0415

    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    if request.param == "real":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL")
        celery_app.conf.broker_url = os.environ["REDIS_URL"]
    else:
        celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app.conf.task_always_eager = False
    yield request.param
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous


@pytest.mark.parametrize(
    ("broker", "status", "state"),
    [("real", 200, "ok"), ("unreachable", 503, "error")],
    indirect=["broker"],
)
def test_broker_state(client, broker, status, state):
    response = client.get(reverse("healthz"))

    assert response.status_code == status
    assert response.json()["broker"] == state
