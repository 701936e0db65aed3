"""Check-in at the door and the attendance rate; participation lands on the membership."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from events import selectors, services
from events.models import Event
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(event):
    """Check-in opens three hours before the start: this event starts in an hour."""
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3)
    )
    event.refresh_from_db()
    return event


def url(name, event, registration=None):
    kwargs = {"slug": event.community.slug, "pk": event.pk}
    if registration is not None:
        kwargs["registration"] = registration.pk
    return reverse(f"events:{name}", kwargs=kwargs)


def test_checking_in_records_participation_on_the_membership(event, member):
    registration = services.event_register(event=event, user=member)

    services.registration_check_in(registration=registration)

    membership = Membership.objects.get(community=event.community, user=member)
    # Checked in before the start: participation is recorded now, never in the future.
    assert membership.first_participated_at == registration.checked_in_at
    assert membership.last_participated_at == registration.checked_in_at
    first_time = registration.checked_in_at
    services.registration_check_in(registration=registration)  # a second tap
    assert registration.checked_in_at == first_time


def test_undo_a_wrong_tap(event, member):
    registration = services.event_register(event=event, user=member)
    services.registration_check_in(registration=registration)
    services.registration_check_in(registration=registration, present=False)
    assert registration.checked_in_at is None


def test_the_attendance_rate_counts_seats_and_the_waiting_list_apart(event, make_member):
    people = [make_member() for _ in range(3)]
    registrations = [services.event_register(event=event, user=person) for person in people]
    assert selectors.attendance(event=event)["rate"] == 0
    services.registration_check_in(registration=registrations[0])  # confirmed
    services.registration_check_in(registration=registrations[2])  # waiting, came anyway

    assert selectors.attendance(event=event) == {
        "confirmed": 2,
        "present": 1,
        "from_waiting_list": 1,
        "rate": 50,
    }


def test_no_seats_no_rate(event):
    assert selectors.attendance(event=event)["rate"] is None


class TestPage:
    def test_search_then_one_tap(self, client, event, organiser, community):
        for name in ("Ana Souza", "Kofi Mensah", "Mei Lin"):
            person = UserFactory(display_name=name)
            MembershipFactory(community=community, user=person)
            RegistrationFactory(event=event, user=person)
        client.force_login(organiser)
        hx = {"HX-Request": "true"}

        found = client.get(url("check_in", event), {"q": "kofi"}, headers=hx).content.decode()
        assert "Kofi Mensah" in found
        assert "Ana Souza" not in found

        kofi = event.registrations.get(user__display_name="Kofi Mensah")
        row = client.post(url("check_in_toggle", event, kofi), {"present": "1"}, headers=hx)
        page = row.content.decode()
        assert "✓ Here" in page
        assert 'hx-swap-oob="true"' in page
        assert "1 of 3 here" in page
        kofi.refresh_from_db()
        assert kofi.checked_in_at is not None
        assert Membership.objects.get(user=kofi.user).last_participated_at == kofi.checked_in_at

    def test_a_cancelled_or_foreign_registration_cannot_be_checked_in(
        self, client, event, organiser, community, member
    ):
        cancelled = RegistrationFactory(event=event, user=member, status="cancelled")
        client.force_login(organiser)
        assert (
            client.post(url("check_in_toggle", event, cancelled), {"present": "1"}).status_code
            == 404
        )

    def test_no_match_says_what_to_try(self, client, event, organiser):
        client.force_login(organiser)
        page = client.get(url("check_in", event), {"q": "nobody"}).content.decode()
        assert "Nobody registered matches" in page

    @pytest.mark.parametrize("count", [10, 100])
    def test_query_budget(
        self, client, event, organiser, community, django_assert_max_num_queries, count
    ):
        for _ in range(count):
            RegistrationFactory(event=event, user=MembershipFactory(community=community).user)
        client.force_login(organiser)
        with django_assert_max_num_queries(7):
            response = client.get(url("check_in", event))
        assert response.content.decode().count('data-testid="check-in-row"') == min(count, 50)


class TestWhenCheckInIsOpen:
    def test_participation_is_the_events_start_once_it_has_begun(self, community, member):
        started = EventFactory(
            community=community,
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=timezone.now() + timedelta(hours=1),
        )
        registration = RegistrationFactory(event=started, user=member)

        services.registration_check_in(registration=registration)

        membership = Membership.objects.get(community=community, user=member)
        assert membership.first_participated_at == started.starts_at

    @pytest.mark.parametrize(
        ("hours_ahead", "cancelled", "reason"),
        [
            (4, False, "Check-in opens three hours before the event starts."),
            (1, True, "This event was cancelled: there is no one to check in."),
        ],
    )
    def test_not_early_nor_at_a_cancelled_event(
        self, client, community, member, organiser, hours_ahead, cancelled, reason
    ):
        later = EventFactory(
            community=community,
            starts_at=timezone.now() + timedelta(hours=hours_ahead),
            ends_at=timezone.now() + timedelta(hours=hours_ahead + 2),
            status=Event.Status.CANCELLED if cancelled else Event.Status.SCHEDULED,
        )
        registration = RegistrationFactory(event=later, user=member)

        with pytest.raises(ValidationError, match=reason):
            services.registration_check_in(registration=registration)

        client.force_login(organiser)
        page = client.get(url("check_in", later)).content.decode()
        assert reason.split(":")[0] in page
        assert url("check_in_toggle", later, registration) not in page  # no buttons
        tapped = client.post(
            url("check_in_toggle", later, registration),
            {"present": "1"},
            headers={"HX-Request": "true"},
        )
        assert tapped.headers["HX-Redirect"] == url("check_in", later)
        registration.refresh_from_db()
        assert registration.checked_in_at is None
        membership = Membership.objects.get(community=community, user=member)
        assert membership.first_participated_at is None


def test_undoing_at_a_closed_check_in_offers_no_new_tap(client, event, member, organiser):
    registration = services.event_register(event=event, user=member)
    services.registration_check_in(registration=registration)
    services.event_cancel(event=event)
    client.force_login(organiser)

    row = client.post(
        url("check_in_toggle", event, registration),
        {"present": "0"},
        headers={"HX-Request": "true"},
    ).content.decode()

    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert url("check_in_toggle", event, registration) not in row  # no button to tap again
