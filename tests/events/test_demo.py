from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.models import User
from communities.models import Membership
from communities.rules import access_for
from events.models import (
    ActionItem,
    AgendaSegment,
    ChecklistItem,
    Event,
    EventLanguage,
    Feedback,
    FollowUp,
    Format,
    Material,
    Registration,
    Visibility,
)

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [email for email, *_rest in DEMO_USERS]
EVENT_MODELS = (
    Event, Registration, AgendaSegment, ChecklistItem, EventLanguage, FollowUp, Material,
    ActionItem, Feedback,
)  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The demo writes its uploaded file here, not into the working tree's media folder."""
    settings.MEDIA_ROOT = tmp_path


def seed():
    call_command("seed_demo", "--force", stdout=StringIO())


def test_seed_demo_shows_events_of_every_format_with_a_waiting_list():
    seed()
    counts = (Event.objects.count(), Registration.objects.count())
    seed()

    assert (Event.objects.count(), Registration.objects.count()) == counts  # idempotent
    assert set(Event.objects.values_list("format", flat=True)) == set(Format.values)
    full = Event.objects.get(title__startswith="Peer Assist: Nairobi")
    assert full.registrations.filter(status="confirmed").count() == full.capacity
    waiting = full.registrations.filter(status="waiting").order_by("waiting_since")
    assert [r.user.email for r in waiting].index("member@demo.copsite.org") == 2
    for event in Event.objects.exclude(capacity=None):
        assert event.registrations.filter(status="confirmed").count() <= event.capacity
    assert Registration.objects.exclude(checked_in_at=None).exists()


def test_seed_demo_has_every_format_both_past_and_upcoming():
    seed()
    now = timezone.now()
    scheduled = Event.objects.filter(status=Event.Status.SCHEDULED)

    past = set(scheduled.past(now).values_list("format", flat=True))
    upcoming = set(scheduled.upcoming(now).values_list("format", flat=True))

    assert past == set(Format.values)
    assert upcoming == set(Format.values)
    # Times are in each event's own zone, not all in UTC.
    assert Event.objects.values("time_zone").distinct().count() > 1


def test_seed_demo_agendas_some_breaking_the_75_25_rule():
    from events.selectors import agenda_summary  # noqa: PLC0415

    seed()
    summaries = [agenda_summary(event=event) for event in Event.objects.all()]
    assert any(summary.breaks_75_25 for summary in summaries)
    assert any(summary.total_minutes and not summary.breaks_75_25 for summary in summaries)


def test_seed_demo_follows_up_past_events():
    seed()
    counts = [model.objects.count() for model in (FollowUp, Material, ActionItem, Feedback)]
    seed()

    assert [model.objects.count() for model in (FollowUp, Material, ActionItem, Feedback)] == counts
    assert all(counts)
    assert FollowUp.objects.filter(aar_sustain_change__contains="three weeks").exists()


def test_seed_demo_follows_up_every_past_event_in_its_own_words():
    seed()
    past = Event.objects.past(timezone.now())
    follow_ups = FollowUp.objects.filter(event__in=past)

    assert follow_ups.count() == past.count()
    for field in ("notes", "aar_expected", "aar_happened", "aar_difference", "aar_sustain_change"):
        assert follow_ups.values(field).distinct().count() == past.count(), field
    assert ActionItem.objects.values("title").distinct().count() == 2 * past.count()
    for event in past:
        assert event.registrations.exclude(checked_in_at=None).exists(), event
        assert event.feedback.exists(), event
        assert event.materials.exists(), event
    # Notes of an event for the core stay with the core.
    core = follow_ups.get(event__visibility=Visibility.CORE)
    assert core.notes_visibility == Visibility.CORE


def test_seed_demo_cancels_an_upcoming_event_and_keeps_its_registrations():
    seed()

    cancelled = Event.objects.get(status=Event.Status.CANCELLED)

    assert cancelled.starts_at > timezone.now()
    assert cancelled.registrations.filter(status__in=Registration.ACTIVE_STATUSES).exists()
    assert cancelled.registrations.filter(user__email="member@demo.copsite.org").exists()


def test_seed_demo_shares_an_uploaded_file():
    from events.services import MATERIAL_EXTENSIONS, check_material_file  # noqa: PLC0415

    seed()
    files = Material.objects.exclude(file="")

    assert files.exists()
    for material in files:
        assert not material.url
        assert material.filename.rsplit(".", 1)[-1] in MATERIAL_EXTENSIONS
        with material.file.open("rb") as stored:
            assert stored.read()
        check_material_file(material.file)
    assert Material.objects.exclude(url="").exists()  # and links


def test_seed_demo_member_attended_a_past_event_and_may_give_feedback(client):
    from events.rules import feedback_refusal  # noqa: PLC0415

    seed()
    member = User.objects.get(email="member@demo.copsite.org")
    attended = Registration.objects.filter(
        user=member,
        status=Registration.Status.CONFIRMED,
        event__in=Event.objects.past(timezone.now()),
    ).exclude(checked_in_at=None)

    assert attended.exists()
    for registration in attended:
        event = registration.event
        access = access_for(community=event.community, user=member)
        assert feedback_refusal(access, event, registration) is None
    # Signed in as the demo member, the form opens (nothing given yet: it is empty).
    event = attended.first().event
    client.force_login(member)
    response = client.get(
        reverse("events:feedback", kwargs={"slug": event.community.slug, "pk": event.pk})
    )
    assert response.status_code == 200
    assert not Feedback.objects.filter(user=member).exists()


def test_seed_demo_has_internal_and_external_members():
    seed()
    urban_water = Membership.objects.filter(community__slug="urban-water")
    demo_accounts = urban_water.filter(user__email__in=DEMO_EMAILS)

    assert urban_water.filter(is_internal=True).count() > 10
    assert demo_accounts.filter(is_internal=True).exists()
    assert demo_accounts.filter(is_internal=False, tier=Membership.Tier.MEMBER).exists()
    internal_event = Event.objects.get(visibility=Visibility.INTERNAL)
    holders = internal_event.registrations.filter(status__in=Registration.ACTIVE_STATUSES)
    assert holders.exists()
    assert not holders.filter(
        user__memberships__community=internal_event.community,
        user__memberships__is_internal=False,
    ).exists()


def test_seed_demo_people_live_in_several_time_zones():
    seed()

    zones = set(User.objects.filter(email__in=DEMO_EMAILS).values_list("time_zone", flat=True))

    assert len(zones) > 5


def test_seed_demo_twice_adds_nothing(tmp_path):
    seed()

    def counts():
        return [model.objects.count() for model in EVENT_MODELS]

    def files():
        return sorted(path for path in tmp_path.rglob("*") if path.is_file())

    first, first_files = counts(), files()
    seed()

    assert counts() == first
    assert files() == first_files
    assert first_files


def test_seed_demo_agendas_break_the_rule_only_where_meant_and_fit_their_events():
    from events.selectors import agenda_summary  # noqa: PLC0415

    call_command("seed_demo", "--force", stdout=StringIO())
    summaries = {event.title: agenda_summary(event=event) for event in Event.objects.all()}

    breaking = {title for title, summary in summaries.items() if summary.breaks_75_25}
    assert breaking
    assert all(title.startswith(("Webinar", "Annual Meeting")) for title in breaking)
    assert not [title for title, summary in summaries.items() if summary.overruns]


def test_seed_demo_check_ins_count_as_taking_part():
    from communities.models import Membership  # noqa: PLC0415

    call_command("seed_demo", "--force", stdout=StringIO())

    checked_in = Registration.objects.exclude(checked_in_at=None).select_related("event")
    assert checked_in.exists()
    for registration in checked_in:
        membership = Membership.objects.get(
            community=registration.event.community_id, user=registration.user_id
        )
        assert membership.first_participated_at <= registration.checked_in_at
        assert membership.last_participated_at >= registration.checked_in_at
