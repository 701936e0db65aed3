"""Nobody keeps a place at an event they may no longer see: leaving, a lower tier, becoming
an external member, losing the sponsor role, or an event narrowed by its organisers. The
place is given up, the person is told, and the next person waiting gets the seat."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from accounts.services import user_delete
from communities import services as community_services
from communities.models import Community, Membership, RoleAssignment
from communities.rules import access_and_object_for_slug, access_for
from events import rules, selectors, services
from events.models import Registration, Visibility
from notifications.models import OutboxMessage
from tests.factories import (
    CommunityFactory,
    EventFactory,
    MembershipFactory,
    RegistrationFactory,
    RoleAssignmentFactory,
    UserFactory,
    one_seat_taken,
)

pytestmark = pytest.mark.django_db

WITHDRAWN = "Your place at"


def status(registration):
    registration.refresh_from_db()
    return registration.status


def seats_counted(event) -> int:
    """The event's confirmed seats: the database's own count on PostgreSQL (what the
    one-statement registration reads), else the rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT confirmed_seats FROM events_event WHERE id = %s", [event.pk])
            return cursor.fetchone()[0]
    return Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()


def told(mailoutbox, user, subject):
    return [m for m in mailoutbox if m.to == [user.email] and subject in m.subject]


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Runs the outbox (the emails) as the commit would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


class TestStandingChanges:
    def test_leaving_a_private_community_gives_up_its_public_events_too(
        self, mailoutbox, run_on_commit
    ):
        private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
        MembershipFactory(community=private, tier=Membership.Tier.CORE_TEAM)
        leaving = MembershipFactory(community=private)
        _, seat, waiting = one_seat_taken(
            community=private, holder=leaving.user, visibility=Visibility.PUBLIC
        )

        run_on_commit(lambda: community_services.membership_leave(membership=leaving))

        assert status(seat) == Registration.Status.CANCELLED
        assert status(waiting) == Registration.Status.CONFIRMED
        (email,) = told(mailoutbox, leaving.user, WITHDRAWN)
        assert f"Your place in {private.name} changed" in email.body  # why, in their words
        assert "no longer open to you" in email.body
        assert "Register again" not in email.body

    def test_a_membership_deleted_by_staff_gives_up_its_places(
        self, community, mailoutbox, run_on_commit
    ):
        deleted = MembershipFactory(community=community)
        _, seat, waiting = one_seat_taken(community=community, holder=deleted.user)

        run_on_commit(lambda: community_services.membership_delete(membership=deleted))

        assert not Membership.objects.filter(pk=deleted.pk).exists()
        assert status(seat) == Registration.Status.CANCELLED
        assert status(waiting) == Registration.Status.CONFIRMED
        assert len(told(mailoutbox, deleted.user, WITHDRAWN)) == 1

    def test_leaving_a_public_community_keeps_its_public_events(self, community, member):
        MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM)
        event = EventFactory(community=community, visibility=Visibility.PUBLIC)
        seat = services.event_register(event=event, user=member)

        community_services.membership_leave(
            membership=Membership.objects.get(community=community, user=member)
        )

        assert status(seat) == Registration.Status.CONFIRMED

    def test_a_lower_tier_gives_up_core_only_events(self, community, mailoutbox, run_on_commit):
        MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM)
        core = MembershipFactory(community=community, tier=Membership.Tier.CORE_GROUP)
        core_event = EventFactory(community=community, visibility=Visibility.CORE)
        members_event = EventFactory(community=community, visibility=Visibility.MEMBERS)
        kept = services.event_register(event=members_event, user=core.user)
        lost = services.event_register(event=core_event, user=core.user)

        run_on_commit(
            lambda: community_services.membership_set_tier(
                membership=core, tier=Membership.Tier.MEMBER
            )
        )

        assert status(lost) == Registration.Status.CANCELLED
        assert status(kept) == Registration.Status.CONFIRMED
        assert len(told(mailoutbox, core.user, WITHDRAWN)) == 1

    def test_an_external_member_gives_up_internal_events(self, community):
        staff = MembershipFactory(community=community, is_internal=True)
        internal = EventFactory(community=community, visibility=Visibility.INTERNAL)
        seat = services.event_register(event=internal, user=staff.user)

        community_services.membership_set_internal(membership=staff, is_internal=False)

        assert status(seat) == Registration.Status.CANCELLED

    def test_a_sponsor_of_a_private_community_who_steps_down(self):
        private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
        sponsor = UserFactory()
        role = RoleAssignmentFactory(
            community=private, role=RoleAssignment.Role.SPONSOR, holder=sponsor
        )
        event = EventFactory(community=private, visibility=Visibility.PUBLIC)
        seat = services.event_register(event=event, user=sponsor)

        community_services.role_unassign(assignment=role)

        assert status(seat) == Registration.Status.CANCELLED

    def test_someone_waiting_who_may_no_longer_see_it_is_told(
        self, community, mailoutbox, run_on_commit
    ):
        event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=1)
        seat = services.event_register(
            event=event, user=MembershipFactory(community=community).user
        )
        gone = MembershipFactory(community=community)
        waiting = services.event_register(event=event, user=gone.user)
        # The waiting person's membership ends without the services (an admin edit, say).
        Membership.objects.filter(pk=gone.pk).update(status=Membership.Status.LEFT)

        run_on_commit(lambda: services.registration_cancel(registration=seat))

        assert status(waiting) == Registration.Status.CANCELLED
        (email,) = told(mailoutbox, gone.user, WITHDRAWN)
        # Found out only when their turn came: the email cannot say which change it was.
        assert "a narrower audience, or your place in the community changed" in email.body


class TestADeletedAccount:
    """Staff delete someone's account (the admin): their places go to the people waiting
    before the cascade deletes their registrations."""

    PROMOTED = "A seat freed up"

    def test_its_places_at_upcoming_events_go_to_the_people_waiting(
        self, community, mailoutbox, run_on_commit
    ):
        MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM)
        deleted = MembershipFactory(community=community).user
        taken = [
            one_seat_taken(community=community, holder=deleted, visibility=visibility)
            for visibility in (Visibility.PUBLIC, Visibility.MEMBERS)
        ]
        events = [event for event, _, _ in taken]
        waiting = [behind for _, _, behind in taken]
        waiting_people = [registration.user for registration in waiting]
        assert {status(registration) for registration in waiting} == {"waiting"}

        run_on_commit(lambda: user_delete(user=deleted))

        assert not User.objects.filter(pk=deleted.pk).exists()
        assert not Registration.objects.filter(user_id=deleted.pk).exists()
        assert {status(registration) for registration in waiting} == {"confirmed"}
        for person in waiting_people:
            assert len(told(mailoutbox, person, self.PROMOTED)) == 1
        assert not [m for m in mailoutbox if m.to == [deleted.email]]  # nobody to tell
        for event in events:
            assert seats_counted(event) == 1

    def test_the_freed_seat_is_not_taken_twice(self, community, run_on_commit):
        """The next person waiting has the seat: someone registering after the deletion
        waits (the database's own count of seats agrees with the rows)."""
        deleted = MembershipFactory(community=community).user
        event, _, first_waiting = one_seat_taken(community=community, holder=deleted)

        run_on_commit(lambda: user_delete(user=deleted))
        late = services.event_register(
            event=event, user=MembershipFactory(community=community).user
        )

        assert status(first_waiting) == Registration.Status.CONFIRMED
        assert late.status == Registration.Status.WAITING
        assert seats_counted(event) == 1

    def test_places_are_given_up_before_the_memberships_end(self, community):
        """Events' listener runs before communities': every upcoming place goes in one pass
        (events locked in id order), and ending the memberships finds none left to withdraw,
        so no email about a withdrawn place is even queued."""
        deleted = MembershipFactory(community=community).user
        event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=1)
        services.event_register(event=event, user=deleted)
        OutboxMessage.objects.all().delete()

        user_delete(user=deleted)

        kinds = [message.kwargs["kind"] for message in OutboxMessage.objects.all()]
        assert "event_registration_withdrawn" not in kinds

    def test_nobody_moves_up_at_an_event_that_has_started(self, community, run_on_commit):
        deleted = MembershipFactory(community=community).user
        started = EventFactory(
            community=community,
            capacity=1,
            starts_at=timezone.now() - timedelta(minutes=10),
            ends_at=timezone.now() + timedelta(hours=1),
        )
        RegistrationFactory(event=started, user=deleted)
        waiting = RegistrationFactory(
            event=started,
            user=MembershipFactory(community=community).user,
            status=Registration.Status.WAITING,
            confirmed_at=None,
            waiting_since=timezone.now() - timedelta(days=1),
        )

        run_on_commit(lambda: user_delete(user=deleted))

        assert status(waiting) == Registration.Status.WAITING
        assert not Registration.objects.filter(event=started, user_id=deleted.pk).exists()

    def test_the_service_gives_up_only_places_that_can_move_to_someone(self, community):
        person = MembershipFactory(community=community).user
        upcoming = EventFactory(community=community, capacity=1)
        kept = EventFactory(community=community, capacity=1)
        given_up = services.event_register(event=upcoming, user=person)
        at_cancelled = services.event_register(event=kept, user=person)
        next_person = MembershipFactory(community=community).user
        waiting = services.event_register(event=upcoming, user=next_person)
        services.event_cancel(event=kept)

        assert services.registrations_release_of(user=person) == 1

        assert status(given_up) == Registration.Status.CANCELLED
        assert status(waiting) == Registration.Status.CONFIRMED
        assert status(at_cancelled) == Registration.Status.CONFIRMED  # as the event keeps it
        assert services.registrations_release_of(user=person) == 0


class TestNarrowingAnEvent:
    def fields(self, event, **changes):
        names = ("title", "starts_at", "ends_at", "capacity", "visibility")
        return {**{name: getattr(event, name) for name in names}, **changes}

    def test_asks_first_naming_who_would_lose_their_place(
        self, community, organiser, mailoutbox, run_on_commit
    ):
        event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=1)
        member = MembershipFactory(community=community).user
        seat = services.event_register(event=event, user=member)
        waiting = services.event_register(event=event, user=organiser)

        with pytest.raises(ValidationError) as refused:
            services.event_update(event=event, **self.fields(event, visibility=Visibility.CORE))

        assert member.name in refused.value.message_dict["visibility"][0]
        assert status(seat) == Registration.Status.CONFIRMED
        event.refresh_from_db()
        assert event.visibility == Visibility.MEMBERS

        _event, changed = run_on_commit(
            lambda: services.event_update(
                event=event,
                losing_place=[seat.pk],
                **self.fields(event, visibility=Visibility.CORE),
            )
        )

        assert status(seat) == Registration.Status.CANCELLED
        assert status(waiting) == Registration.Status.CONFIRMED  # the organiser, from waiting
        assert {r.pk for r in changed} == {seat.pk, waiting.pk}
        (email,) = told(mailoutbox, seat.user, WITHDRAWN)
        assert "changed who the event is for" in email.body

    def test_a_lost_place_frees_a_seat_before_capacity_is_cut(self, community, organiser):
        event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=2)
        member = MembershipFactory(community=community).user
        lost = services.event_register(event=event, user=member)
        kept = services.event_register(event=event, user=organiser)

        # Core only, and one seat: the member's place goes; the organiser's seat stays.
        services.event_update(
            event=event,
            losing_place=[lost.pk],
            **self.fields(event, visibility=Visibility.CORE, capacity=1),
        )

        assert status(lost) == Registration.Status.CANCELLED
        assert status(kept) == Registration.Status.CONFIRMED

    def test_not_once_the_event_has_started(self, community, organiser):
        started = EventFactory(
            community=community,
            visibility=Visibility.MEMBERS,
            starts_at=timezone.now() - timedelta(minutes=10),
        )
        seat = Registration.objects.create(
            event=started,
            user=MembershipFactory(community=community).user,
            status=Registration.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )

        services.event_update(event=started, **self.fields(started, visibility=Visibility.CORE))

        assert status(seat) == Registration.Status.CONFIRMED

    def test_the_edit_page_confirms_then_saves(self, client, community, organiser):
        event = EventFactory(community=community, visibility=Visibility.MEMBERS)
        member = MembershipFactory(community=community).user
        seat = services.event_register(event=event, user=member)
        client.force_login(organiser)
        url = f"/{community.slug}/events/{event.pk}/edit/"
        data = client.get(url).context["form"].initial
        form = {
            **{k: v for k, v in data.items() if k not in ("languages",) and v is not None},
            "mode": event.mode,
            "format": event.format,
            "visibility": Visibility.CORE,
            "starts_at": data["starts_at"].strftime("%Y-%m-%dT%H:%M"),
            "ends_at": data["ends_at"].strftime("%Y-%m-%dT%H:%M"),
            "languages": ["en"],
        }

        asked = client.post(url, form)

        assert asked.status_code == 200
        page = asked.content.decode()
        assert 'data-testid="visibility-cut"' in page
        assert escape(member.name) in page
        assert status(seat) == Registration.Status.CONFIRMED
        ids = [str(r.pk) for r in asked.context["visibility_cut"]]

        confirmed = client.post(url, {**form, "losing_place": ids})

        assert confirmed.status_code == 302
        assert status(seat) == Registration.Status.CANCELLED


def test_a_member_may_not_give_up_a_place_at_a_cancelled_event(event, member):
    seat = services.event_register(event=event, user=member)
    services.event_cancel(event=event)

    with pytest.raises(ValidationError, match=r"This event was cancelled\."):
        services.registration_cancel(registration=seat)
    assert status(seat) == Registration.Status.CONFIRMED


def test_a_declined_request_gives_up_a_private_communitys_public_event():
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    MembershipFactory(community=private, tier=Membership.Tier.CORE_TEAM)
    request = MembershipFactory(community=private, status=Membership.Status.REQUESTED)
    event = EventFactory(community=private, visibility=Visibility.PUBLIC)
    seat = services.event_register(event=event, user=request.user)  # a requester sees it

    community_services.membership_decline(membership=request)

    assert status(seat) == Registration.Status.CANCELLED


STANDINGS = {
    "external member": {"status": Membership.Status.ACTIVE},
    "internal member": {"status": Membership.Status.ACTIVE, "is_internal": True},
    "core group": {"status": Membership.Status.ACTIVE, "tier": Membership.Tier.CORE_GROUP},
    "invited": {"status": Membership.Status.INVITED},
    "asking to join": {"status": Membership.Status.REQUESTED},
    "left": {"status": Membership.Status.LEFT},
    "sponsor": None,
    "nobody": False,
}


@pytest.mark.parametrize("community_visibility", Community.Visibility.values)
@pytest.mark.parametrize("standing", STANDINGS)
def test_my_events_lists_exactly_the_registrations_the_rules_let_one_see(
    community_visibility, standing
):
    """`my_registrations` is the rules of `events.rules` written as one query: for every
    standing and every event visibility, they agree."""
    community = CommunityFactory(visibility=community_visibility)
    person = UserFactory()
    if STANDINGS[standing]:
        MembershipFactory(community=community, user=person, **STANDINGS[standing])
    elif STANDINGS[standing] is None:
        RoleAssignmentFactory(community=community, role=RoleAssignment.Role.SPONSOR, holder=person)
    events = {
        visibility: EventFactory(community=community, visibility=visibility)
        for visibility in Visibility.values
    }
    registrations = {
        visibility: Registration.objects.create(
            event=event, user=person, status="confirmed", confirmed_at=timezone.now()
        )
        for visibility, event in events.items()
    }

    listed = {r.pk for r in selectors.my_registrations(user=person)}

    access = access_for(community=community, user=person)
    for visibility, event in events.items():
        expected = rules.can_see_event(access, event)
        assert (registrations[visibility].pk in listed) == expected, visibility


def turn_private(community):
    return community_services.community_update_settings(
        community=community,
        name=community.name,
        description=community.description,
        visibility=Community.Visibility.PRIVATE,
        join_policy=community.join_policy,
        languages=[],
    )


def test_a_community_turning_private_gives_up_outsiders_places(mailoutbox, run_on_commit):
    community = CommunityFactory(visibility=Community.Visibility.PUBLIC)
    member = MembershipFactory(community=community).user
    outsider = UserFactory()
    event = EventFactory(community=community, visibility=Visibility.PUBLIC, capacity=1)
    outsiders_seat = services.event_register(event=event, user=outsider)
    members_place = services.event_register(event=event, user=member)  # waiting

    run_on_commit(lambda: turn_private(community))

    assert status(outsiders_seat) == Registration.Status.CANCELLED
    assert status(members_place) == Registration.Status.CONFIRMED  # promoted
    (email,) = told(mailoutbox, outsider, WITHDRAWN)
    assert f"{community.name} is now a private community" in email.body
    # An edit that changes nothing of who may see it asks nothing any more.
    services.event_update(event=event, title="Renamed")


def test_a_cancelled_events_registrations_stay_whatever_the_edit(community, organiser):
    event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=2)
    seats = [
        services.event_register(event=event, user=MembershipFactory(community=community).user)
        for _ in range(2)
    ]
    services.event_cancel(event=event)

    services.event_update(event=event, visibility=Visibility.CORE, capacity=1)

    assert {status(seat) for seat in seats} == {Registration.Status.CONFIRMED}


def test_promotion_passes_over_everyone_who_may_no_longer_see_it(community):
    event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=1)
    seat = services.event_register(event=event, user=MembershipFactory(community=community).user)
    gone = [MembershipFactory(community=community) for _ in range(services.PROMOTION_LOOKAHEAD + 3)]
    places = [services.event_register(event=event, user=m.user) for m in gone]
    still_here = services.event_register(
        event=event, user=MembershipFactory(community=community).user
    )
    Membership.objects.filter(pk__in=[m.pk for m in gone]).update(status=Membership.Status.LEFT)

    with CaptureQueriesContext(connection) as queries:
        services.registration_cancel(registration=seat)

    # Standing is read per batch of the waiting list (two here), not once per person.
    standing_reads = [q for q in queries.captured_queries if "communities_membership" in q["sql"]]
    assert len(standing_reads) == 2

    assert {status(place) for place in places} == {Registration.Status.CANCELLED}
    assert status(still_here) == Registration.Status.CONFIRMED


def test_a_withdrawal_reason_the_email_does_not_know_is_refused(event, member):
    seat = services.event_register(event=event, user=member)

    with pytest.raises(ValueError, match="unknown reason"):
        services._withdraw(seat, reason="tier")  # the email would fall back to its generic text

    assert status(seat) == Registration.Status.CONFIRMED


class TestAStandingThatNarrowsWhileSomeoneRegisters:
    """The registration page read the person's standing, then it narrowed (they left, the
    community turned private) before their registration reached the event's lock. The change
    raised the event's `audience_version`, so the registration reads their access again and
    is refused. (The other order, the registration first, is in test_concurrency.py: the
    change waits for its lock and withdraws the place.) `blind` is the negative control: the
    change without the raise, which lets the old standing through."""

    @pytest.fixture(params=["raised", "blind"])
    def raised(self, request, monkeypatch):
        if request.param == "blind":
            monkeypatch.setattr(services, "_audience_narrowed", lambda **kwargs: None)
        return request.param == "raised"

    @staticmethod
    def _page_reads(user, event):
        # What the registration page read, with the event, in one statement.
        return access_and_object_for_slug(
            user, event.community.slug, columns=selectors.EVENT_COLUMNS, pk=event.pk
        )

    @staticmethod
    def _register_as_read(event, user, access, *, refused):
        if refused:
            with pytest.raises(ValidationError):
                services.event_register(event=event, user=user, access=access)
        else:  # the race, unseen
            services.event_register(event=event, user=user, access=access)
        assert Registration.objects.filter(event=event).exists() is not refused

    def test_a_member_who_left_meanwhile(self, community, raised):
        membership = MembershipFactory(community=community)
        event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=5)
        access, as_read = self._page_reads(membership.user, event)

        community_services.membership_leave(membership=membership)

        self._register_as_read(as_read, membership.user, access, refused=raised)

    def test_an_outsider_when_the_community_turned_private(self, raised):
        community = CommunityFactory(visibility=Community.Visibility.PUBLIC)
        outsider = UserFactory()
        event = EventFactory(community=community, visibility=Visibility.PUBLIC, capacity=5)
        access, as_read = self._page_reads(outsider, event)

        turn_private(community)

        self._register_as_read(as_read, outsider, access, refused=raised)

    def test_raises_only_upcoming_events_of_that_community(self, community, other_community):
        membership = MembershipFactory(community=community)
        upcoming = EventFactory(community=community)
        started = EventFactory(community=community, starts_at=timezone.now() - timedelta(hours=1))
        cancelled = EventFactory(community=community, status="cancelled")
        elsewhere = EventFactory(community=other_community)

        community_services.membership_leave(membership=membership)

        versions = {
            event.title: type(event).objects.get(pk=event.pk).audience_version
            for event in (upcoming, started, cancelled, elsewhere)
        }
        assert versions == {
            upcoming.title: 1,
            started.title: 0,
            cancelled.title: 0,
            elsewhere.title: 0,
        }

    def test_an_edit_saved_from_an_older_read_does_not_lower_it(self, community):
        event = EventFactory(community=community)
        as_read = type(event).objects.get(pk=event.pk)
        community_services.membership_leave(membership=MembershipFactory(community=community))

        as_read.title = "Renamed"
        as_read.save()

        saved = type(event).objects.get(pk=event.pk)
        assert (saved.title, saved.audience_version) == ("Renamed", 1)

    def test_no_save_writes_it_back(self, community, django_assert_num_queries):
        event = EventFactory(community=community)
        named = type(event).objects.get(pk=event.pk)
        partly = type(event).objects.only("title").get(pk=event.pk)
        community_services.membership_leave(membership=MembershipFactory(community=community))

        named.audience_version = 0
        named.save(update_fields=["audience_version", "capacity"])
        partly.title = "Renamed"
        with django_assert_num_queries(1):  # the loaded field only, as Django saves it
            partly.save()
        copy = type(event).objects.get(pk=event.pk)
        copy.pk, copy.uid = None, uuid.uuid4()
        copy.save()  # a new row, written whole

        saved = type(event).objects.get(pk=event.pk)
        assert (saved.title, saved.audience_version) == ("Renamed", 1)
        assert copy.pk != event.pk
