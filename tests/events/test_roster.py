"""The roster: who holds a seat and who waits, and organisers cancelling a registration."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from events import selectors, services
from events.models import Registration
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def roster_url(event):
    return reverse("events:roster", kwargs={"slug": event.community.slug, "pk": event.pk})


def cancel_url(registration, event=None):
    event = event or registration.event
    return reverse(
        "events:registration_cancel",
        kwargs={"slug": event.community.slug, "pk": event.pk, "registration": registration.pk},
    )


@pytest.fixture
def full_event(event, make_member):
    """Two seats taken, one person waiting."""
    seats = [services.event_register(event=event, user=make_member()) for _ in range(2)]
    waiting = services.event_register(event=event, user=make_member())
    return event, seats, waiting


class TestService:
    def test_an_organiser_cancels_a_seat_the_next_person_waiting_gets_it(
        self, full_event, organiser, mailoutbox, django_capture_on_commit_callbacks
    ):
        _event, seats, waiting = full_event
        with django_capture_on_commit_callbacks(execute=True):
            promoted = services.registration_cancel(registration=seats[0], by=organiser)

        assert [p.pk for p in promoted] == [waiting.pk]
        seats[0].refresh_from_db()
        assert seats[0].status == Registration.Status.CANCELLED
        told = [m for m in mailoutbox if m.to == [seats[0].user.email]]
        assert len(told) == 1
        assert "cancelled by the organisers" in told[0].subject
        assert "The organisers of" in told[0].body
        assert any(m.to == [waiting.user.email] and "seat freed" in m.subject for m in mailoutbox)

    def test_cancelling_ones_own_is_the_ordinary_email(
        self, full_event, mailoutbox, django_capture_on_commit_callbacks
    ):
        _event, seats, _waiting = full_event
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(registration=seats[0], by=seats[0].user)

        (told,) = [m for m in mailoutbox if m.to == [seats[0].user.email]]
        assert "organisers" not in told.subject
        assert "is cancelled" in told.subject


def test_the_roster_selector_orders_seats_and_the_queue_and_leaves_out_cancellations(
    full_event, make_member
):
    event, seats, waiting = full_event
    later = services.event_register(event=event, user=make_member())
    services.registration_cancel(registration=seats[0])  # the first waiting gets the seat

    roster = selectors.event_roster(event=event)

    assert [r.pk for r in roster["confirmed"]] == [seats[1].pk, waiting.pk]
    assert [r.pk for r in roster["waiting"]] == [later.pk]


class TestPages:
    def test_the_roster_offers_to_cancel_each_registration(self, client, full_event, organiser):
        event, seats, waiting = full_event
        client.force_login(organiser)

        page = client.get(roster_url(event)).content.decode()

        for registration in [*seats, waiting]:
            assert cancel_url(registration) in page

    def test_people_moved_to_the_waiting_list_show_when_they_registered(
        self, client, full_event, organiser
    ):
        """A capacity cut puts the latest seats at the head of the queue (their place in it
        is a sorting key, not a time anyone joined): the roster shows when each registered."""
        event, seats, waiting = full_event
        moved = seats[1]
        days_ago = {moved.pk: 2, waiting.pk: 1}
        for pk, days in days_ago.items():
            when = timezone.now() - timedelta(days=days)
            Registration.objects.filter(pk=pk).update(registered_at=when, waiting_since=when)
        services.event_update(event=event, capacity=1, moved_to_waiting=[moved.pk])
        client.force_login(organiser)

        page = client.get(roster_url(event)).content.decode()

        moved.refresh_from_db()
        shown = date_format(timezone.localtime(moved.registered_at), "SHORT_DATETIME_FORMAT")
        assert moved.waiting_since.date() != moved.registered_at.date()  # the sorting key
        assert (
            f'{escape(moved.user.name)} <span class="small text-body-secondary">registered {shown}'
            in (page)
        )

    def test_no_cancelling_once_the_event_has_started(self, client, community, organiser):
        started = EventFactory(
            community=community,
            starts_at=timezone.now() - timedelta(minutes=5),
            ends_at=timezone.now() + timedelta(hours=1),
        )
        person = MembershipFactory(community=community).user
        registration = RegistrationFactory(event=started, user=person)
        client.force_login(organiser)

        assert cancel_url(registration) not in client.get(roster_url(started)).content.decode()
        response = client.post(cancel_url(registration), follow=True)

        assert "The event has started" in response.content.decode()
        registration.refresh_from_db()
        assert registration.status == Registration.Status.CONFIRMED

    def test_no_cancelling_on_a_cancelled_event(self, client, full_event, organiser):
        event, seats, _waiting = full_event
        services.event_cancel(event=event)
        client.force_login(organiser)

        assert cancel_url(seats[0]) not in client.get(roster_url(event)).content.decode()
        response = client.post(cancel_url(seats[0]), follow=True)

        assert "This event was cancelled." in response.content.decode()
        seats[0].refresh_from_db()
        assert seats[0].status == Registration.Status.CONFIRMED

    def test_asks_first_then_cancels(self, client, full_event, organiser):
        event, seats, waiting = full_event
        client.force_login(organiser)

        question = client.get(cancel_url(seats[0])).content.decode()
        assert f"Cancel {escape(seats[0].user.name)}'s registration" in question
        assert "first person on the waiting list" in question
        seats[0].refresh_from_db()
        assert seats[0].status == Registration.Status.CONFIRMED  # a GET changes nothing

        response = client.post(cancel_url(seats[0]), follow=True)

        assert response.redirect_chain[-1][0] == roster_url(event)
        page = response.content.decode()
        assert "registration is cancelled; they are told by email" in page
        assert f"From the waiting list to a seat: {escape(waiting.user.name)}." in page
        seats[0].refresh_from_db()
        assert seats[0].status == Registration.Status.CANCELLED

    def test_a_waiting_place_is_cancelled_without_promotion(self, client, full_event, organiser):
        _event, _seats, waiting = full_event
        client.force_login(organiser)

        assert "They are told by email" in client.get(cancel_url(waiting)).content.decode()
        page = client.post(cancel_url(waiting), follow=True).content.decode()

        assert "From the waiting list" not in page
        waiting.refresh_from_db()
        assert waiting.status == Registration.Status.CANCELLED

    def test_another_events_registration_is_not_found(self, client, full_event, organiser):
        event, seats, _waiting = full_event
        elsewhere = EventFactory(community=event.community)
        client.force_login(organiser)

        # This community's other event, and another community's registration, under this URL.
        foreign = RegistrationFactory()
        for registration, under in ((seats[0], elsewhere), (foreign, event)):
            assert client.post(cancel_url(registration, under)).status_code == 404
        assert Registration.objects.get(pk=foreign.pk).status == Registration.Status.CONFIRMED
        seats[0].refresh_from_db()
        assert seats[0].status == Registration.Status.CONFIRMED

    def test_a_registration_already_cancelled_is_not_found(self, client, full_event, organiser):
        _event, seats, _waiting = full_event
        services.registration_cancel(registration=seats[0])
        client.force_login(organiser)

        assert client.get(cancel_url(seats[0])).status_code == 404

    def test_a_member_may_not_cancel_someone_elses(self, client, full_event, member):
        _event, seats, _waiting = full_event
        client.force_login(member)

        assert client.post(cancel_url(seats[0])).status_code == 403
        seats[0].refresh_from_db()
        assert seats[0].status == Registration.Status.CONFIRMED


@pytest.mark.parametrize("count", [10, 100])
def test_roster_query_budget(client, community, organiser, django_assert_max_num_queries, count):
    event = EventFactory(community=community, capacity=count // 2)
    for _ in range(count):
        services.event_register(event=event, user=MembershipFactory(community=community).user)
    client.force_login(organiser)

    with django_assert_max_num_queries(6):
        response = client.get(roster_url(event))

    assert response.status_code == 200
    assert len(response.context["seats"]["page"]) == count // 2
    assert len(response.context["waiting"]["page"]) == count - count // 2


def test_long_lists_are_paged_each_on_its_own(client, community, organiser, monkeypatch):
    monkeypatch.setattr("events.views.ROSTER_PER_PAGE", 3)
    event = EventFactory(community=community, capacity=4)
    people = [MembershipFactory(community=community).user for _ in range(11)]
    for person in people:
        services.event_register(event=event, user=person)
    client.force_login(organiser)

    response = client.get(roster_url(event), {"seats": 2, "waiting": 3})
    page = response.content.decode()

    # Seat 4 (page 2 of 2) and waiting place 7 (page 3 of 3), numbered as in the whole list.
    assert [r.user for r in response.context["seats"]["page"]] == [people[3]]
    assert [r.user for r in response.context["waiting"]["page"]] == [people[10]]
    assert ">4.</span>" in page
    assert ">7.</span>" in page
    # The counts are the lists' own, not the page's.
    assert '<span class="badge text-bg-secondary">4 / 4</span>' in page
    assert '<span class="badge text-bg-secondary">7</span>' in page
    assert "Page 2 of 2" in page
    assert "Page 3 of 3" in page
    # Each list's links keep the other's page.
    assert escape("?seats=1&waiting=3") in page
    assert escape("?seats=2&waiting=2") in page


def test_a_page_beyond_the_end_shows_the_last(client, full_event, organiser):
    event, seats, waiting = full_event
    client.force_login(organiser)

    response = client.get(roster_url(event), {"seats": 99, "waiting": "x"})

    assert response.status_code == 200
    assert [r.pk for r in response.context["seats"]["page"]] == [r.pk for r in seats]
    assert [r.pk for r in response.context["waiting"]["page"]] == [waiting.pk]
