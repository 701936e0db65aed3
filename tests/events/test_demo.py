from io import StringIO

import pytest
from django.core.management import call_command

from events.models import Event, Format, Registration

pytestmark = pytest.mark.django_db


def test_seed_demo_shows_events_of_every_format_with_a_waiting_list():
    call_command("seed_demo", "--force", stdout=StringIO())
    counts = (Event.objects.count(), Registration.objects.count())
    call_command("seed_demo", "--force", stdout=StringIO())

    assert (Event.objects.count(), Registration.objects.count()) == counts  # idempotent
    assert set(Event.objects.values_list("format", flat=True)) == set(Format.values)
    full = Event.objects.get(title__startswith="Peer Assist")
    assert full.registrations.filter(status="confirmed").count() == full.capacity
    waiting = full.registrations.filter(status="waiting").order_by("waiting_since")
    assert [r.user.email for r in waiting].index("member@demo.copsite.org") == 2
    for event in Event.objects.exclude(capacity=None):
        assert event.registrations.filter(status="confirmed").count() <= event.capacity
    assert Registration.objects.exclude(checked_in_at=None).exists()


def test_seed_demo_agendas_some_breaking_the_75_25_rule():
    from events.selectors import agenda_summary  # noqa: PLC0415

    call_command("seed_demo", "--force", stdout=StringIO())
    summaries = [agenda_summary(event=event) for event in Event.objects.all()]
    assert any(summary.breaks_75_25 for summary in summaries)
    assert any(summary.total_minutes and not summary.breaks_75_25 for summary in summaries)


def test_seed_demo_follows_up_past_events():
    from events.models import ActionItem, Feedback, FollowUp, Material  # noqa: PLC0415

    call_command("seed_demo", "--force", stdout=StringIO())
    counts = [model.objects.count() for model in (FollowUp, Material, ActionItem, Feedback)]
    call_command("seed_demo", "--force", stdout=StringIO())

    assert [model.objects.count() for model in (FollowUp, Material, ActionItem, Feedback)] == counts
    assert all(counts)
    assert FollowUp.objects.filter(aar_sustain_change__contains="three weeks").exists()
