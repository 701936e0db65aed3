import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls_that_fail(settings):
    settings.ROOT_URLCONF = "tests.copsite.urls_with_errors"


def test_not_found_is_friendly(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "find that page" in html
    assert 'href="/"' in html


def test_forbidden_is_friendly(client):
    response = client.get("/forbidden/")

    assert response.status_code == 403
    assert "have access to this page" in response.content.decode()


def test_server_error_is_friendly():
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
