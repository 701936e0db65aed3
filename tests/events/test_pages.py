"""Event pages through the client: the form, the registration box, lists and calendar files."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from communities.models import Membership
from events import services
from events.models import Event, Format, Registration, Visibility
from tests.factories import (
    CommunityFactory,
    EventFactory,
    MembershipFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, event=None, community=None):
    if event is not None:
        return reverse(f"events:{name}", kwargs={"slug": event.community.slug, "pk": event.pk})
    return reverse(f"events:{name}", kwargs={"slug": community.slug})


def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(**overrides):
    start = (timezone.now() + timedelta(days=10)).replace(hour=14, minute=0, second=0)
    data = {
        "title": "Peer assist: leak detection",
        "format": Format.PEER_ASSIST,
        "description": "Bring **one** problem.",
        "mode": Event.Mode.ONLINE,
        "place": "",
        "online_url": "https://meet.example.org/leaks",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "America/Lima",
        "capacity": "2",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "visibility": Visibility.MEMBERS,
        "languages": ["en", "es"],
    }
    return {**data, **overrides}


class TestEventForm:
    def test_the_organiser_creates_an_event_in_its_own_time_zone(self, client, organiser):
        data = form_data()
        response = signed_in(client, organiser).post(
            url("create", community=organiser.memberships.get().community), data
        )

        event = Event.objects.get()
        assert response.url == url("detail", event)
        lima = datetime.strptime(data["starts_at"], "%Y-%m-%dT%H:%M").replace(
            tzinfo=ZoneInfo("America/Lima")
        )
        assert event.starts_at == lima
        assert event.time_zone == "America/Lima"
        assert sorted(event.languages.values_list("code", flat=True)) == ["en", "es"]
        assert event.created_by == organiser

    def test_every_format_shows_its_hint(self, client, organiser, community):
        response = signed_in(client, organiser).get(url("create", community=community))
        assert response.content.decode().count("data-format-hint=") == len(Format.choices)
        assert "A team with a challenge asks peers" in response.content.decode()

    @pytest.mark.parametrize(
        ("change", "field", "message"),
        [
            ({"ends_at": "start"}, "ends_at", "The end must come after the start."),
            (
                {"registration_closes_at": "after"},
                "registration_closes_at",
                "Registration must close no later than the start of the event.",
            ),
            ({"mode": Event.Mode.IN_PERSON}, "place", "Say where the event takes place."),
            ({"title": ""}, "title", "This field is required."),
            ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice."),
            ({"starts_at": "10/12/2026 10:00"}, "starts_at", "Enter a valid date/time."),
            ({"registration_opens_at": "yesterday"}, "registration_opens_at", "Enter a valid"),
            (
                {"capacity": "0"},
                "capacity",
                "An event needs at least one seat. Leave it empty for no limit.",
            ),
            (
                {"registration_opens_at": "after"},
                "registration_opens_at",
                "Registration must open before the event starts.",
            ),
        ],
    )
    def test_bad_input_is_named_at_its_field(
        self, client, organiser, community, change, field, message
    ):
        data = form_data()
        if change.get("ends_at") == "start":
            change = {"ends_at": data["starts_at"]}
        if change.get("registration_closes_at") == "after":
            change = {"registration_closes_at": data["ends_at"]}
        if change.get("registration_opens_at") == "after":
            change = {"registration_opens_at": data["ends_at"]}
        response = signed_in(client, organiser).post(
            url("create", community=community), {**data, **change}
        )

        assert response.status_code == 200
        assert message in response.context["form"].errors[field][0]
        assert f'id="id_{field}_error"' in response.content.decode()
        # What was typed comes back.
        assert "Peer assist: leak detection" in response.content.decode() or field == "title"
        assert not Event.objects.exists()

    def test_lowering_capacity_asks_who_moves_then_moves_them(
        self, client, organiser, community, make_member
    ):
        event = EventFactory(community=community, capacity=3)
        people = [make_member() for _ in range(3)]
        for person in people:
            services.event_register(event=event, user=person)
        client = signed_in(client, organiser)
        data = form_data(
            capacity="1",
            starts_at=timezone.localtime(event.starts_at, ZoneInfo("Europe/Paris")).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            ends_at=timezone.localtime(event.ends_at, ZoneInfo("Europe/Paris")).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            time_zone="Europe/Paris",
        )

        asked = client.post(url("edit", event), data)

        assert asked.status_code == 200, asked.get("Location")
        page = asked.content.decode()
        assert 'data-testid="capacity-cut"' in page
        assert people[1].name in page
        assert people[2].name in page
        assert 'id="id_capacity_error"' in page
        event.refresh_from_db()
        assert event.capacity == 3  # nothing saved yet

        moved = [str(registration.pk) for registration in asked.context["capacity_cut"]]
        confirmed = client.post(url("edit", event), {**data, "moved_to_waiting": moved})

        assert confirmed.status_code == 302
        event.refresh_from_db()
        assert event.capacity == 1
        queue = Registration.objects.filter(event=event, status="waiting").order_by("waiting_since")
        assert [registration.user for registration in queue] == people[1:]

        raised = client.post(url("edit", event), {**data, "capacity": "3"}, follow=True)

        page = raised.content.decode()
        names = f"{escape(people[1].name)}, {escape(people[2].name)}"
        assert f"{names} got seats from the waiting list and were emailed." in page

    def test_ids_of_another_events_registrations_are_refused(
        self, client, organiser, community, make_member
    ):
        event = EventFactory(community=community, capacity=2)
        for _ in range(2):
            services.event_register(event=event, user=make_member())
        elsewhere = RegistrationFactory(event=EventFactory(community=CommunityFactory()))
        data = form_data(
            capacity="1",
            starts_at=timezone.localtime(event.starts_at, ZoneInfo("UTC")).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            ends_at=timezone.localtime(event.ends_at, ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M"),
            time_zone="UTC",
        )

        response = signed_in(client, organiser).post(
            url("edit", event), {**data, "moved_to_waiting": [str(elsewhere.pk)]}
        )

        assert response.status_code == 200
        event.refresh_from_db()
        assert event.capacity == 2
        assert Registration.objects.get(pk=elsewhere.pk).status == "confirmed"

    def test_another_communitys_event_is_not_found_here(self, client, organiser, community):
        elsewhere = EventFactory(community=CommunityFactory())
        response = signed_in(client, organiser).get(
            reverse("events:edit", kwargs={"slug": community.slug, "pk": elsewhere.pk})
        )
        assert response.status_code == 404


class TestRegistrationBox:
    def test_register_without_a_reload_then_the_waiting_list(self, client, event, make_member):
        for _ in range(2):
            services.event_register(event=event, user=make_member())
        third = make_member()

        response = signed_in(client, third).post(
            url("register", event), headers={"HX-Request": "true"}
        )

        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in page
        assert "You are on the waiting list (number 1)" in page
        assert Registration.objects.get(user=third).is_waiting

    def test_a_seat_at_a_cancelled_event_is_not_promised(self, client, event, member):
        services.event_register(event=event, user=member)
        services.event_cancel(event=event)

        page = signed_in(client, member).get(url("detail", event)).content.decode()

        assert "You had a seat. The event was cancelled." in page
        assert "You have a seat." not in page

    def test_once_the_event_started_the_waiting_list_promises_nothing(
        self, client, event, make_member
    ):
        for _ in range(2):
            services.event_register(event=event, user=make_member())
        third = make_member()
        services.event_register(event=event, user=third)
        Event.objects.filter(pk=event.pk).update(
            starts_at=timezone.now() - timedelta(minutes=5),
            ends_at=timezone.now() + timedelta(hours=1),
        )

        page = signed_in(client, third).get(url("detail", event)).content.decode()

        assert "You were on the waiting list (number 1)" in page
        assert "Registration closed when the event started" in page
        assert "it is yours automatically" not in page
        assert "Cancel my registration" not in page

    def test_the_meeting_link_is_for_confirmed_seats_only(self, client, event, make_member):
        seated, waiting = make_member(), make_member()
        services.event_register(event=event, user=seated)
        services.event_register(event=event, user=make_member())
        services.event_register(event=event, user=waiting)

        assert (
            "meet.example.org"
            in signed_in(client, seated).get(url("detail", event)).content.decode()
        )
        page = signed_in(client, waiting).get(url("detail", event)).content.decode()
        assert "meet.example.org" not in page
        assert "Shown to people with a confirmed seat." in page

    def test_cancelling_asks_first_then_promotes(self, client, event, make_member):
        seated = [make_member(), make_member()]
        for person in seated:
            services.event_register(event=event, user=person)
        waiting = make_member()
        services.event_register(event=event, user=waiting)
        client = signed_in(client, seated[0])

        question = client.get(url("unregister", event))
        assert "Your seat goes to the first person on the waiting list" in question.content.decode()
        assert Registration.objects.get(user=seated[0]).is_confirmed

        client.post(url("unregister", event))

        assert Registration.objects.get(user=waiting).is_confirmed

    def test_a_visitors_first_page_names_the_organisers_zone(self, client, community):
        event = EventFactory(community=community, visibility=Visibility.PUBLIC)
        event.time_zone = "America/Lima"
        event.save()

        first = client.get(url("detail", event)).content.decode()
        client.cookies["tz"] = "Asia/Tokyo"
        later = client.get(url("detail", event)).content.decode()

        lima = date_format(
            timezone.localtime(event.starts_at, ZoneInfo("America/Lima")), "DATETIME_FORMAT"
        )
        assert f"{lima} (America/Lima)" in unescape(first)
        assert "The organisers' time." in unescape(first)
        assert "Your time (" not in first
        assert "Your time (Asia/Tokyo)." in later

    def test_a_refusal_is_explained_in_the_box(self, client, community, user):
        event = EventFactory(
            community=community,
            visibility=Visibility.PUBLIC,
            registration_opens_at=timezone.now() + timedelta(days=2),
        )
        user.time_zone = "Asia/Tokyo"
        user.save()
        page = signed_in(client, user).get(url("detail", event)).content.decode()
        opens = date_format(
            timezone.localtime(event.registration_opens_at, ZoneInfo("Asia/Tokyo")),
            "DATETIME_FORMAT",
        )
        assert f"Registration opens on {opens} (Asia/Tokyo)." in unescape(page)
        assert 'action="/urban-water/events/' not in page

    def test_an_external_member_is_told_why_an_internal_event_is_closed(self, client, community):
        event = EventFactory(community=community, visibility=Visibility.INTERNAL, title="Budget")
        external = MembershipFactory(community=community, is_internal=False).user

        response = signed_in(client, external).get(url("detail", event))

        assert response.status_code == 403
        assert "for internal members only" in response.content.decode()
        assert "Budget" not in response.content.decode()

    def test_a_visitor_following_an_email_link_is_asked_to_sign_in(self, client, event):
        response = client.get(url("detail", event))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    def test_cancelling_the_event_tells_everyone(
        self, client, organiser, event, make_member, mailoutbox, django_capture_on_commit_callbacks
    ):
        person = make_member()
        services.event_register(event=event, user=person)
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in(client, organiser).post(url("cancel", event))
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.is_cancelled
        assert any(
            m.to == [person.email] and m.subject.endswith(f"Cancelled: {event.title}")
            for m in mailoutbox
        )


class TestLists:
    def test_each_person_sees_the_events_they_may_see(self, client, community):
        titles = {
            visibility: EventFactory(community=community, visibility=visibility).title
            for visibility in Visibility.values
        }
        people = {
            "visitor": None,
            "member": MembershipFactory(community=community).user,
            "internal": MembershipFactory(community=community, is_internal=True).user,
            "core": MembershipFactory(community=community, tier=Membership.Tier.CORE_GROUP).user,
        }
        expected = {
            "visitor": {"public"},
            "member": {"public", "members"},
            "internal": {"public", "members", "internal"},
            "core": set(Visibility.values),
        }
        for who, person in people.items():
            client.logout()
            if person:
                client.force_login(person)
            page = client.get(url("list", community=community)).content.decode()
            seen = {visibility for visibility, title in titles.items() if f">{title}<" in page}
            assert seen == expected[who], who

    def test_upcoming_and_past(self, client, member, community):
        now = timezone.now()
        EventFactory(community=community, title="Next week")
        EventFactory(
            community=community,
            title="Last month",
            starts_at=now - timedelta(days=30),
            ends_at=now - timedelta(days=30) + timedelta(hours=1),
        )
        client = signed_in(client, member)

        upcoming = client.get(url("list", community=community)).content.decode()
        past = client.get(url("list", community=community) + "?when=past").content.decode()

        assert "Next week" in upcoming
        assert "Last month" not in upcoming
        assert "Last month" in past
        assert "Next week" not in past

    def test_filters_by_format_mode_and_language(self, client, member, community):
        webinar = EventFactory(community=community, format=Format.WEBINAR, title="The webinar")
        EventFactory(community=community, format=Format.SOCIAL, title="The social")
        services.event_update(event=webinar, languages=["fr"])
        client = signed_in(client, member)

        by_format = client.get(
            url("list", community=community), {"format": "webinar"}
        ).content.decode()
        by_language = client.get(
            url("list", community=community), {"language": "fr"}
        ).content.decode()
        by_mode = client.get(
            url("list", community=community), {"mode": "in_person"}
        ).content.decode()

        assert "The webinar" in by_format
        assert "The social" not in by_format
        assert "The webinar" in by_language
        assert "The social" not in by_language
        assert "No event matches these filters" in by_mode

    def test_the_language_filter_offers_the_languages_of_events_one_may_see(
        self, client, member, community
    ):
        services.event_update(event=EventFactory(community=community), languages=["fr", "es"])
        hidden = EventFactory(community=community, visibility=Visibility.CORE)
        services.event_update(event=hidden, languages=["pt"])
        client = signed_in(client, member)

        form = client.get(url("list", community=community)).context["form"]

        assert [code for code, _ in form.fields["language"].choices] == ["", "fr", "es"]

    def test_a_filter_value_it_cannot_read_leaves_the_other_filters(
        self, client, member, community
    ):
        EventFactory(community=community, format=Format.WEBINAR, title="The webinar")
        EventFactory(community=community, format=Format.SOCIAL, title="The social")
        client = signed_in(client, member)

        page = client.get(
            url("list", community=community), {"format": "webinar", "mode": "bogus"}
        ).content.decode()

        assert "The webinar" in page
        assert "The social" not in page

    def test_an_empty_list_says_what_to_do(self, client, organiser, community):
        page = signed_in(client, organiser).get(url("list", community=community)).content.decode()
        assert "No upcoming events." in page
        assert "Plan one" in page

    def test_my_events_across_communities_with_their_status(
        self, client, community, event, make_member
    ):
        person = make_member()
        elsewhere = CommunityFactory(name="Other CoP")
        MembershipFactory(community=elsewhere, user=person)
        other_event = EventFactory(community=elsewhere, title="Elsewhere event", capacity=0)
        services.event_register(event=event, user=person)
        services.event_register(event=other_event, user=person)

        page = signed_in(client, person).get(reverse("events:mine")).content.decode()

        assert event.title in page
        assert "Elsewhere event" in page
        assert page.count("You have a seat") == 1
        assert "On the waiting list" in page

    def test_my_past_events_say_who_came_and_ask_for_feedback(self, client, community, make_member):
        person = make_member()
        ago = timezone.now() - timedelta(days=3)
        came, missed = (
            EventFactory(
                community=community, title=title, starts_at=ago, ends_at=ago + timedelta(hours=1)
            )
            for title in ("Came", "Missed")
        )
        RegistrationFactory(event=came, user=person, checked_in_at=ago, status="waiting")
        RegistrationFactory(event=missed, user=person)

        page = signed_in(client, person).get(reverse("events:mine"), {"when": "past"})

        statuses = re.findall(r'data-testid="my-status">(.*?)</div>', page.content.decode(), re.S)
        assert sorted(status.split("<a")[0] for status in statuses) == [
            '<span class="text-success">You attended</span> · ',
            "You had a seat · ",
        ]
        # Checked in from the waiting list: they came, and may say how it was.
        assert url("feedback", came) in page.content.decode()

    def test_my_events_forget_members_events_of_a_community_left_behind(
        self, client, community, event, make_member
    ):
        person = make_member()
        services.event_register(event=event, user=person)
        Membership.objects.filter(user=person).update(status=Membership.Status.LEFT)

        page = signed_in(client, person).get(reverse("events:mine")).content.decode()

        assert event.title not in page
        assert "You have not registered for any upcoming event" in page


class TestCalendarFile:
    def parse(self, response):
        assert response["Content-Type"] == "text/calendar"
        return icalendar.Calendar.from_ical(response.content)

    def test_the_uid_stays_across_edits_and_the_link_is_for_seats(self, client, event, make_member):
        seated = make_member()
        services.event_register(event=event, user=seated)
        client = signed_in(client, seated)

        before = self.parse(client.get(url("ics", event))).walk("VEVENT")[0]
        services.event_update(event=event, title="Renamed")
        after = self.parse(client.get(url("ics", event))).walk("VEVENT")[0]

        assert after["uid"] == before["uid"]
        assert int(after["sequence"]) == int(before["sequence"]) + 1
        assert str(after["summary"]) == "Renamed"
        assert "meet.example.org" in str(after["description"])
        stranger = signed_in(client, make_member())
        assert "meet.example.org" not in str(
            self.parse(stranger.get(url("ics", event))).walk("VEVENT")[0]["description"]
        )

    def test_a_cancelled_event_says_so(self, client, event, member):
        services.event_cancel(event=event)
        entry = self.parse(signed_in(client, member).get(url("ics", event))).walk("VEVENT")[0]
        assert str(entry["status"]) == "CANCELLED"


@pytest.mark.parametrize("count", [10, 100])
class TestQueryBudgets:
    def test_event_list(self, client, community, member, django_assert_max_num_queries, count):
        events = EventFactory.create_batch(count, community=community, capacity=10)
        for event in events[:5]:
            RegistrationFactory(event=event, user=member)
            services.event_update(event=event, languages=["en", "fr"])
        client = signed_in(client, member)

        with django_assert_max_num_queries(9):
            response = client.get(url("list", community=community))
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == min(count, 20)

    def test_my_events(self, client, django_assert_max_num_queries, count):
        person = UserFactory()
        for _ in range(count):
            event = EventFactory(visibility=Visibility.PUBLIC)
            RegistrationFactory(event=event, user=person)
        client = signed_in(client, person)

        with django_assert_max_num_queries(6):
            response = client.get(reverse("events:mine"))
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == min(count, 20)

    def test_member_home_with_events(
        self, client, community, member, django_assert_max_num_queries, count
    ):
        EventFactory.create_batch(count, community=community)
        client = signed_in(client, member)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("community_home", kwargs={"slug": community.slug}))
        assert response.status_code == 200
        assert "Upcoming events" in response.content.decode()


class TestTimesAsTyped:
    """Times are read in the event's own zone, whatever the organiser's own clock does."""

    def test_a_time_in_the_viewers_clock_change_is_fine_elsewhere(self, client, community):
        # 02:30 on 31 March 2030 does not exist in Paris; it does in Tokyo.
        organiser = UserFactory(time_zone="Europe/Paris")
        MembershipFactory(community=community, user=organiser, tier=Membership.Tier.CORE_TEAM)
        data = form_data(
            time_zone="Asia/Tokyo", starts_at="2030-03-31T02:30", ends_at="2030-03-31T04:00"
        )

        response = signed_in(client, organiser).post(url("create", community=community), data)

        assert response.status_code == 302, response.context["form"].errors
        event = Event.objects.get()
        assert event.starts_at == datetime(2030, 3, 30, 17, 30, tzinfo=UTC)

    def test_a_time_that_does_not_exist_in_the_events_zone(self, client, organiser, community):
        data = form_data(
            time_zone="Europe/Paris", starts_at="2030-03-31T02:30", ends_at="2030-03-31T04:00"
        )

        response = signed_in(client, organiser).post(url("create", community=community), data)

        assert response.status_code == 200
        (error,) = response.context["form"].errors["starts_at"]
        assert error == (
            "02:30 does not exist in Europe/Paris: the clocks go forward then. Choose another time."
        )
        assert 'value="2030-03-31T02:30"' in response.content.decode()  # kept as typed
        assert not Event.objects.exists()

    def test_a_year_out_of_range_is_named_at_its_field(self, client, organiser, community):
        data = form_data(starts_at="0001-01-01T10:00")

        response = signed_in(client, organiser).post(url("create", community=community), data)

        assert response.status_code == 200
        assert response.context["form"].errors["starts_at"] == [
            "Enter a date between 2000 and 2100."
        ]
        assert not Event.objects.exists()


class TestCancelledEventPage:
    def test_no_meeting_link_once_cancelled(self, client, event, member):
        services.event_register(event=event, user=member)
        client = signed_in(client, member)
        assert "meet.example.org" in client.get(url("detail", event)).content.decode()

        services.event_cancel(event=event)

        page = client.get(url("detail", event)).content.decode()
        assert "meet.example.org" not in page
        assert "None: the event was cancelled." in page
        assert b"meet.example.org" not in client.get(url("ics", event)).content


def test_attendance_from_the_waiting_list_only_has_no_rate(client, community, organiser):
    started = EventFactory(
        community=community,
        capacity=0,
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    person = MembershipFactory(community=community).user
    waiting = RegistrationFactory(
        event=started, user=person, status="waiting", confirmed_at=None,
        waiting_since=timezone.now(),
    )  # fmt: skip
    services.registration_check_in(registration=waiting)

    page = signed_in(client, organiser).get(url("detail", started)).content.decode()

    assert "Attendance: 0 of 0 · 1 from the waiting list" in page
    assert "None%" not in page
