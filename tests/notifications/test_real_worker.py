"""A real Celery worker, on the real Redis broker, sends an email recorded in the database."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from copsite.celery import app as celery_app
from notifications.models import Delivery


@pytest.fixture
def real_worker():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real broker for a real worker")
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            queues=[celery_app.conf.task_default_queue],
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=10,
        ) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


def wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_a_committed_delivery(real_worker, send_greeting, mailoutbox):
    # Autocommit: the row is committed at once and the task goes to Redis on commit.
    delivery, created = send_greeting()
    assert created

    def sent() -> bool:
        return Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT

    assert wait_for(sent), Delivery.objects.get(pk=delivery.pk).status
    assert [message.to for message in mail.outbox] == [["member@example.org"]]
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
