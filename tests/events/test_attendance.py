"""Check-in at the door and the attendance rate; participation lands on the membership."""

import pytest
from django.urls import reverse

from communities.models import Membership
from events import selectors, services
from tests.factories import MembershipFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, event, registration=None):
    kwargs = {"slug": event.community.slug, "pk": event.pk}
    if registration is not None:
        kwargs["registration"] = registration.pk
    return reverse(f"events:{name}", kwargs=kwargs)


def test_checking_in_records_participation_on_the_membership(event, member):
    registration = services.event_register(event=event, user=member)

    services.registration_check_in(registration=registration)

    membership = Membership.objects.get(community=event.community, user=member)
    assert membership.first_participated_at == event.starts_at
    assert membership.last_participated_at == event.starts_at
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
        assert Membership.objects.get(user=kofi.user).last_participated_at == event.starts_at

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
