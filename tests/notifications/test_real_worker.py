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


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_drains_the_outbox_after_a_registration(real_worker, mailoutbox):
    """The registration commits its outbox row; the nudge reaches the worker through Redis,
    which runs the email task and sends the confirmation."""
    from events import services  # noqa: PLC0415
    from notifications.models import OutboxMessage  # noqa: PLC0415
    from tests.factories import EventFactory, MembershipFactory  # noqa: PLC0415

    membership = MembershipFactory()
    event = EventFactory(community=membership.community, capacity=3)

    services.event_register(event=event, user=membership.user)

    def confirmed() -> bool:
        return any("is confirmed" in message.subject for message in mail.outbox)

    assert wait_for(confirmed), list(OutboxMessage.objects.values("task", "attempts", "last_error"))
    assert not OutboxMessage.objects.exists()
