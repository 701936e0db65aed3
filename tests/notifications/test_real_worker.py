"""A real Celery worker, on the real Redis broker, sends an email recorded in the database."""

import pytest
from django.core import mail

from notifications.models import Delivery
from tests.conftest import wait_for


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
