"""iCalendar feeds (RFC 5545), parsed back with the icalendar library."""

from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse

from communities.models import Community, Membership
from events import services
from events.models import CalendarToken, Visibility
from tests.factories import CommunityFactory, EventFactory, MembershipFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    return icalendar.Calendar.from_ical(response.content)


def entries(calendar) -> dict[str, icalendar.Event]:
    return {str(entry["summary"]): entry for entry in calendar.walk("VEVENT")}


@pytest.fixture
def events_of_every_visibility(community):
    return {
        visibility: EventFactory(community=community, visibility=visibility, title=visibility)
        for visibility in Visibility.values
    }


class TestCommunityFeeds:
    def test_the_public_feed_has_public_events_only(
        self, client, community, events_of_every_visibility
    ):
        calendar = parse(
            client.get(reverse("events:community_feed", kwargs={"slug": community.slug}))
        )
        assert set(entries(calendar)) == {"public"}
        entry = entries(calendar)["public"]
        assert entry["dtstart"].params["TZID"] == "Europe/Paris"
        assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
        assert "meet.example.org" not in str(entry.get("description"))

    def test_a_feed_with_no_events_is_still_a_valid_calendar(self, client, community):
        calendar = parse(
            client.get(reverse("events:community_feed", kwargs={"slug": community.slug}))
        )

        # RFC 5545: a calendar holds at least one component.
        assert not calendar.walk("VEVENT")
        assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["UTC"]

    def test_a_private_community_has_no_public_feed(self, client, community):
        Community.objects.filter(pk=community.pk).update(visibility=Community.Visibility.PRIVATE)
        response = client.get(reverse("events:community_feed", kwargs={"slug": community.slug}))
        assert response.status_code == 404

    def feed(self, client, token):
        return client.get(
            reverse(
                "events:community_private_feed",
                kwargs={"slug": token.community.slug, "token": token.token},
            )
        )

    def test_a_private_link_shows_what_its_owner_may_see(
        self, client, community, events_of_every_visibility
    ):
        member = MembershipFactory(community=community).user
        internal = MembershipFactory(community=community, is_internal=True).user
        core = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM).user

        seen = {
            who: set(
                entries(
                    parse(
                        self.feed(
                            client, services.calendar_token_get(user=who, community=community)
                        )
                    )
                )
            )
            for who in (member, internal, core)
        }

        assert seen[member] == {"public", "members"}
        assert seen[internal] == {"public", "members", "internal"}
        assert seen[core] == set(Visibility.values)

    def test_leaving_the_community_shrinks_the_feed_and_a_renewed_link_kills_the_old(
        self, client, community, events_of_every_visibility
    ):
        member = MembershipFactory(community=community).user
        token = services.calendar_token_get(user=member, community=community)
        Membership.objects.filter(user=member).update(status=Membership.Status.LEFT)
        assert set(entries(parse(self.feed(client, token)))) == {"public"}

        services.calendar_token_renew(user=member, community=community)
        assert self.feed(client, token).status_code == 404

    def test_a_token_only_opens_its_own_community(self, client, community, member):
        token = services.calendar_token_get(user=member, community=community)
        other = CommunityFactory()
        response = client.get(
            reverse(
                "events:community_private_feed", kwargs={"slug": other.slug, "token": token.token}
            )
        )
        assert response.status_code == 404


class TestMemberFeed:
    def test_my_registrations_with_reminders_links_and_states(
        self, client, community, member, make_member
    ):
        seat = EventFactory(community=community, title="Seat", capacity=1)
        full = EventFactory(community=community, title="Full", capacity=1)
        gone = EventFactory(community=community, title="Cancelled registration")
        called_off = EventFactory(community=community, title="Called off")
        EventFactory(community=community, title="Not registered")
        services.event_register(event=seat, user=member)
        services.event_register(event=full, user=make_member())
        services.event_register(event=full, user=member)
        services.registration_cancel(registration=services.event_register(event=gone, user=member))
        services.event_register(event=called_off, user=member)
        services.event_cancel(event=called_off)
        token = services.calendar_token_get(user=member)

        calendar = parse(client.get(reverse("events:member_feed", kwargs={"token": token.token})))

        found = entries(calendar)
        assert set(found) == {"Seat", "Full", "Called off"}
        assert str(found["Seat"]["status"]) == "CONFIRMED"
        assert str(found["Full"]["status"]) == "TENTATIVE"
        assert str(found["Called off"]["status"]) == "CANCELLED"
        assert "meet.example.org" in str(found["Seat"]["description"])
        assert "meet.example.org" not in str(found["Full"]["description"])
        triggers = sorted(alarm.decoded("trigger") for alarm in found["Seat"].walk("VALARM"))
        assert triggers == [-timedelta(days=1), -timedelta(hours=1)]
        assert found["Called off"].walk("VALARM") == []

    def test_the_uid_is_stable_across_edits(self, client, event, member):
        services.event_register(event=event, user=member)
        url = reverse(
            "events:member_feed", kwargs={"token": services.calendar_token_get(user=member).token}
        )
        before = parse(client.get(url)).walk("VEVENT")[0]
        services.event_update(event=event, title="Moved to Thursday")
        after = parse(client.get(url)).walk("VEVENT")[0]
        assert after["uid"] == before["uid"]
        assert int(after["sequence"]) > int(before["sequence"])

    def test_an_unknown_or_revoked_token_is_not_found(self, client, member):
        token = services.calendar_token_get(user=member)
        services.calendar_token_renew(user=member)
        assert (
            client.get(reverse("events:member_feed", kwargs={"token": token.token})).status_code
            == 404
        )
        assert (
            client.get(reverse("events:member_feed", kwargs={"token": "nope"})).status_code == 404
        )


class TestCalendarsPage:
    def test_make_and_renew_links(self, client, community, member):
        client.force_login(member)
        client.post(reverse("events:calendars"), {"scope": "personal", "action": "create"})
        client.post(reverse("events:calendars"), {"scope": str(community.pk), "action": "create"})
        client.post(reverse("events:calendars"), {"scope": "personal", "action": "create"})  # again
        assert CalendarToken.objects.filter(user=member, revoked_at=None).count() == 2

        page = client.get(reverse("events:calendars")).content.decode()
        assert page.count('data-testid="feed-link"') == 2

        client.post(reverse("events:calendars"), {"scope": "personal", "action": "renew"})
        assert CalendarToken.objects.filter(user=member, community=None).count() == 2
        assert (
            CalendarToken.objects.filter(user=member, community=None, revoked_at=None).count() == 1
        )

    def test_another_communitys_id_is_refused(self, client, member, other_community):
        client.force_login(member)
        response = client.post(
            reverse("events:calendars"), {"scope": str(other_community.pk), "action": "create"}
        )
        assert response.status_code == 404
        assert not CalendarToken.objects.exists()


@pytest.mark.parametrize("count", [10, 100])
class TestFeedQueryBudgets:
    def test_member_feed(self, client, member, community, django_assert_max_num_queries, count):
        for _ in range(count):
            RegistrationFactory(event=EventFactory(community=community), user=member)
        url = reverse(
            "events:member_feed", kwargs={"token": services.calendar_token_get(user=member).token}
        )
        with django_assert_max_num_queries(3):
            calendar = parse(client.get(url))
        assert len(calendar.walk("VEVENT")) == count

    def test_community_private_feed(
        self, client, member, community, django_assert_max_num_queries, count
    ):
        EventFactory.create_batch(count, community=community)
        token = services.calendar_token_get(user=member, community=community)
        url = reverse(
            "events:community_private_feed", kwargs={"slug": community.slug, "token": token.token}
        )
        with django_assert_max_num_queries(4):
            calendar = parse(client.get(url))
        assert len(calendar.walk("VEVENT")) == count


@pytest.mark.parametrize("count", [10, 100])
def test_calendars_page_query_budget(client, django_assert_max_num_queries, count):
    person = MembershipFactory().user
    for _ in range(count):
        community = CommunityFactory()
        MembershipFactory(community=community, user=person)
        services.calendar_token_get(user=person, community=community)
    client.force_login(person)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("events:calendars"))
    assert response.content.decode().count('data-testid="feed-link"') == count
