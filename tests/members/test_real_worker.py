"""A wave goes out through a real Celery worker on the real Redis broker."""

import datetime as dt

import pytest
from django.core import mail

from members import waves
from members.invitations import parse_pasted
from members.models import Invitation, Wave
from notifications.models import Delivery
from tests.conftest import wait_for


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_a_wave_in_batches(real_worker, community, monkeypatch):
    monkeypatch.setattr(waves, "BATCH_SIZE", 2)
    wave = waves.wave_create(community=community, name="Spring", planned_date=dt.date(2027, 3, 1))
    waves.invitations_add(
        wave=wave, invitees=parse_pasted("a@example.org, b@example.org, c@example.org").invitees
    )

    assert waves.wave_send(wave=wave) == 3  # returns at once: the worker does the sending

    def all_sent() -> bool:
        return Delivery.objects.filter(kind="invitation", status=Delivery.Status.SENT).count() == 3

    assert wait_for(all_sent)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SENT
    assert set(wave.invitations.values_list("status", flat=True)) == {Invitation.Status.SENT}
    assert sorted(message.to[0] for message in mail.outbox) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
