"""The registration service: seats, the waiting list, who may register, and the emails."""

from datetime import timedelta

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import formats, timezone

from communities.models import Membership
from communities.rules import access_and_object_for_slug, access_for
from events import rules, selectors, services
from events.models import Event, Registration, Visibility
from notifications.models import Delivery, OutboxMessage
from tests.assertions import assert_reads_as_the_orm
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def statuses(event):
    return dict(Registration.objects.filter(event=event).values_list("user__email", "status"))


def test_seats_then_waiting_list(event, make_member):
    first, second, third = make_member(), make_member(), make_member()

    assert services.event_register(event=event, user=first).is_confirmed
    assert services.event_register(event=event, user=second).is_confirmed
    assert services.event_register(event=event, user=third).is_waiting


def test_registering_twice_returns_the_same_registration(event, member):
    first = services.event_register(event=event, user=member)
    again = services.event_register(event=event, user=member)

    assert again.pk == first.pk
    assert Registration.objects.filter(event=event).count() == 1


def test_no_capacity_means_no_waiting_list(community, make_member):
    event = EventFactory(community=community, capacity=None)
    registrations = [services.event_register(event=event, user=make_member()) for _ in range(5)]
    assert all(registration.is_confirmed for registration in registrations)


def test_a_cancelled_seat_goes_to_the_first_waiting_in_order(event, make_member):
    holders = [make_member() for _ in range(2)]
    waiting = [make_member() for _ in range(3)]
    seats = [services.event_register(event=event, user=person) for person in holders]
    for person in waiting:
        services.event_register(event=event, user=person)

    promoted = services.registration_cancel(registration=seats[0])

    assert [registration.user for registration in promoted] == [waiting[0]]
    assert statuses(event)[waiting[0].email] == "confirmed"
    assert statuses(event)[waiting[1].email] == "waiting"
    services.registration_cancel(registration=seats[1])
    assert statuses(event)[waiting[1].email] == "confirmed"
    assert statuses(event)[waiting[2].email] == "waiting"


def test_cancelling_twice_promotes_once(event, make_member):
    seat = services.event_register(event=event, user=make_member())
    services.event_register(event=event, user=make_member())
    services.event_register(event=event, user=make_member())

    assert len(services.registration_cancel(registration=seat)) == 1
    assert services.registration_cancel(registration=seat) == []
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2


def test_cancelling_a_waiting_place_promotes_nobody(event, make_member):
    for _ in range(2):
        services.event_register(event=event, user=make_member())
    waiting = services.event_register(event=event, user=make_member())

    assert services.registration_cancel(registration=waiting) == []
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2


def test_register_again_after_cancelling(event, member):
    first = services.event_register(event=event, user=member)
    services.registration_cancel(registration=first)

    again = services.event_register(event=event, user=member)

    assert again.pk != first.pk
    assert again.is_confirmed


def test_the_database_refuses_a_second_active_registration(event, member):
    RegistrationFactory(event=event, user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=event, user=member, status=Registration.Status.WAITING)
    # A cancelled one beside an active one is history, not a duplicate.
    RegistrationFactory(event=event, user=member, status=Registration.Status.CANCELLED)


class TestWhoMayRegister:
    def refusal(self, event, user):
        with pytest.raises(ValidationError) as error:
            services.event_register(event=event, user=user)
        return error.value.messages[0]

    def test_a_non_member_may_not_register_for_a_members_event(self, event, user):
        assert "Only members of Urban Water Practitioners may register" in self.refusal(event, user)

    def test_a_non_member_may_register_for_a_public_event(self, community, user):
        event = EventFactory(community=community, visibility=Visibility.PUBLIC)
        assert services.event_register(event=event, user=user).is_confirmed

    def test_an_external_member_is_told_an_internal_event_is_not_for_them(self, community):
        event = EventFactory(community=community, visibility=Visibility.INTERNAL)
        external = MembershipFactory(community=community, is_internal=False).user
        internal = MembershipFactory(community=community, is_internal=True).user

        assert "for internal members only" in self.refusal(event, external)
        assert services.event_register(event=event, user=internal).is_confirmed

    def test_an_external_organiser_sees_an_internal_event_but_holds_no_place(self, community):
        event = EventFactory(community=community, visibility=Visibility.INTERNAL, capacity=5)
        tier = Membership.Tier.CORE_GROUP
        external = MembershipFactory(community=community, tier=tier, is_internal=False).user
        internal = MembershipFactory(community=community, tier=tier, is_internal=True).user
        members_only = EventFactory(community=community, capacity=5)
        place = services.event_register(event=members_only, user=external)

        assert rules.can_see_event(access_for(community=community, user=external), event)
        assert "for internal members only" in self.refusal(event, external)
        assert services.event_register(event=event, user=internal).is_confirmed
        services.event_update(
            event=members_only, visibility=Visibility.INTERNAL, losing_place=[place.pk]
        )
        place.refresh_from_db()
        assert place.status == Registration.Status.CANCELLED  # narrowed: theirs no longer

    def test_core_only_events_are_for_the_core(self, community, member):
        event = EventFactory(community=community, visibility=Visibility.CORE)
        core = MembershipFactory(community=community, tier=Membership.Tier.CORE_GROUP).user

        assert "not open to you" in self.refusal(event, member)
        assert services.event_register(event=event, user=core).is_confirmed

    def test_a_member_of_another_community_may_not_register(self, event, other_community):
        outsider = MembershipFactory(community=other_community).user
        assert "Only members" in self.refusal(event, outsider)

    def test_only_while_registration_is_open(self, community, member):
        now = timezone.now()
        not_yet = EventFactory(community=community, registration_opens_at=now + timedelta(days=1))
        closed = EventFactory(community=community, registration_closes_at=now - timedelta(hours=1))
        started = EventFactory(
            community=community,
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
        )

        assert "Registration opens on" in self.refusal(not_yet, member)
        assert self.refusal(closed, member) == "Registration has closed."
        assert self.refusal(started, member) == "Registration closed when the event started."

    def test_not_for_a_cancelled_event(self, event, member):
        services.event_cancel(event=event)
        assert self.refusal(event, member) == "This event was cancelled."

    def test_a_member_who_left_may_not_register(self, event, community):
        gone = MembershipFactory(community=community, status=Membership.Status.LEFT).user
        assert "Only members" in self.refusal(event, gone)


class TestCapacityChanges:
    def fill(self, event, make_member, confirmed, waiting=0):
        people = [make_member() for _ in range(confirmed + waiting)]
        for person in people:
            services.event_register(event=event, user=person)
        return people

    def test_registration_that_would_open_after_the_start_is_refused(self, community):
        event = EventFactory(community=community, registration_closes_at=None)

        with pytest.raises(ValidationError) as error:
            services.event_update(
                event=event, registration_opens_at=event.starts_at + timedelta(days=1)
            )

        assert error.value.message_dict["registration_opens_at"] == [
            "Registration must open before the event starts."
        ]

    def test_no_seats_at_all_is_refused(self, community):
        event = EventFactory(community=community, capacity=4)

        with pytest.raises(ValidationError) as error:
            services.event_update(event=event, capacity=0)

        assert error.value.message_dict["capacity"] == [
            "An event needs at least one seat. Leave it empty for no limit."
        ]
        event.refresh_from_db()
        assert event.capacity == 4

    def test_lowering_below_confirmed_needs_the_exact_list(self, community, make_member):
        event = EventFactory(community=community, capacity=4)
        people = self.fill(event, make_member, confirmed=4, waiting=1)

        with pytest.raises(ValidationError) as error:
            services.event_update(event=event, capacity=2)

        message = error.value.message_dict["capacity"][0]
        assert f"{people[2].name}, {people[3].name}" in message
        event.refresh_from_db()
        assert event.capacity == 4  # nothing saved

    def test_the_latest_confirmed_move_to_the_head_of_the_waiting_list_in_order(
        self, community, make_member, mailoutbox, django_capture_on_commit_callbacks
    ):
        event = EventFactory(community=community, capacity=4)
        people = self.fill(event, make_member, confirmed=4, waiting=1)
        cut = services.capacity_cut(event=event, capacity=2)
        assert [registration.user for registration in cut] == people[2:4]

        with django_capture_on_commit_callbacks(execute=True):
            services.event_update(
                event=event, capacity=2, moved_to_waiting=[registration.pk for registration in cut]
            )

        queue = Registration.objects.filter(event=event, status="waiting").order_by(
            "waiting_since", "id"
        )
        assert [registration.user for registration in queue] == [people[2], people[3], people[4]]
        assert Registration.objects.filter(event=event, status="confirmed").count() == 2
        moved = [m for m in mailoutbox if "head of the waiting list" in m.subject]
        assert sorted(m.to[0] for m in moved) == sorted([people[2].email, people[3].email])

    def test_a_stale_confirmation_is_refused(self, community, make_member):
        event = EventFactory(community=community, capacity=3)
        people = self.fill(event, make_member, confirmed=3)
        stale = [registration.pk for registration in services.capacity_cut(event=event, capacity=2)]
        # Meanwhile the person about to move cancels: someone else would move now.
        services.registration_cancel(
            registration=Registration.objects.get(event=event, user=people[2])
        )
        services.event_register(event=event, user=make_member())

        with pytest.raises(ValidationError):
            services.event_update(event=event, capacity=2, moved_to_waiting=stale)

    def test_a_confirmation_that_is_no_longer_needed_saves(self, community, make_member):
        event = EventFactory(community=community, capacity=3)
        self.fill(event, make_member, confirmed=3)
        shown = [registration.pk for registration in services.capacity_cut(event=event, capacity=2)]

        # The organiser puts the capacity back after the warning: the ids still come along.
        services.event_update(event=event, capacity=3, moved_to_waiting=shown)
        # And a second click on "Confirm and save" once the first has saved.
        services.event_update(event=event, capacity=2, moved_to_waiting=shown)
        services.event_update(event=event, capacity=2, moved_to_waiting=shown)

        event.refresh_from_db()
        assert event.capacity == 2
        assert Registration.objects.filter(event=event, status="waiting").count() == 1

    def test_no_seats_are_taken_once_the_event_has_started(self, community, make_member):
        event = EventFactory(community=community, capacity=2)
        people = self.fill(event, make_member, confirmed=2)
        Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
        event.refresh_from_db()
        cut = [registration.pk for registration in services.capacity_cut(event=event, capacity=1)]

        with pytest.raises(ValidationError) as refused:
            services.event_update(event=event, capacity=1, moved_to_waiting=cut)

        assert "The event has started" in refused.value.message_dict["capacity"][0]
        assert {statuses(event)[person.email] for person in people} == {"confirmed"}

    def test_raising_capacity_promotes_the_waiting(self, community, make_member):
        event = EventFactory(community=community, capacity=1)
        people = self.fill(event, make_member, confirmed=1, waiting=2)

        _event, changed = services.event_update(event=event, capacity=2)

        assert [registration.user for registration in changed] == [people[1]]
        assert statuses(event)[people[2].email] == "waiting"

    def test_edits_keep_the_uid_and_raise_the_sequence(self, event):
        uid = event.uid
        services.event_update(event=event, title="Renamed")
        event.refresh_from_db()
        assert (event.uid, event.sequence, event.title) == (uid, 1, "Renamed")


class TestEmails:
    def test_confirmation_carries_an_ics_with_the_link(
        self, event, member, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.event_register(event=event, user=member)

        (message,) = mailoutbox
        assert message.to == [member.email]
        assert "is confirmed" in message.subject
        _filename, content, mimetype = message.attachments[0]
        assert mimetype == "text/calendar"
        calendar = icalendar.Calendar.from_ical(content)
        (entry,) = calendar.walk("VEVENT")
        assert str(entry["uid"]) == f"{event.uid}@copsite"
        # Whole seconds, in the event's own time zone.
        assert entry.decoded("dtstart") == event.starts_at.replace(microsecond=0)
        assert entry["dtstart"].params["TZID"] == "Europe/Paris"
        assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Paris"
        assert "meet.example.org" in str(entry["description"])

    def test_waiting_then_promoted_emails(
        self, event, make_member, mailoutbox, django_capture_on_commit_callbacks
    ):
        seat_holders = [make_member(), make_member()]
        waiting = make_member()
        with django_capture_on_commit_callbacks(execute=True):
            seats = [services.event_register(event=event, user=person) for person in seat_holders]
            services.event_register(event=event, user=waiting)
        assert "waiting list" in mailoutbox[-1].subject
        assert not mailoutbox[-1].attachments
        assert "meet.example.org" not in mailoutbox[-1].body

        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(registration=seats[0])

        promoted = [m for m in mailoutbox if m.to == [waiting.email] and "seat freed" in m.subject]
        assert len(promoted) == 1
        assert promoted[0].attachments[0][2] == "text/calendar"
        cancelled = [m for m in mailoutbox if m.to == [seat_holders[0].email]]
        assert "is cancelled" in cancelled[-1].subject

    def test_a_multi_day_event_shows_both_dates(
        self, community, member, mailoutbox, django_capture_on_commit_callbacks
    ):
        starts = timezone.now().replace(microsecond=0) + timedelta(days=10)
        event = EventFactory(
            community=community, starts_at=starts, ends_at=starts + timedelta(days=2)
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.event_register(event=event, user=member)

        (message,) = mailoutbox
        when = next(line for line in message.body.splitlines() if line.startswith("When:"))
        with timezone.override(member.time_zone):
            assert formats.date_format(timezone.localtime(event.ends_at), "DATETIME_FORMAT") in when
        assert when.endswith(f"(your time, {member.time_zone})")  # the zone named

    def test_each_person_moved_to_the_waiting_list_is_told_their_place(
        self, community, make_member, mailoutbox, django_capture_on_commit_callbacks
    ):
        event = EventFactory(community=community, capacity=3)
        people = [make_member() for _ in range(3)]
        for person in people:
            services.event_register(event=event, user=person)
        cut = services.capacity_cut(event=event, capacity=1)

        with django_capture_on_commit_callbacks(execute=True):
            services.event_update(event=event, capacity=1, moved_to_waiting=[r.pk for r in cut])

        bodies = {m.to[0]: m.body for m in mailoutbox if "head of the waiting list" in m.subject}
        assert "You are number 1 on the waiting list" in bodies[people[1].email]
        assert "You are number 2 on the waiting list" in bodies[people[2].email]

    def test_each_email_is_recorded_once(self, event, member, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            registration = services.event_register(event=event, user=member)
        from events.emails import registration_email_send  # noqa: PLC0415

        registration.refresh_from_db()
        again = registration_email_send(
            registration_id=registration.pk,
            kind="event_registration_confirmed",
            seat_key=registration.confirmed_at.isoformat(),
        )
        assert again is False
        assert Delivery.objects.filter(recipient=member.email).count() == 1

    def test_emails_are_in_the_persons_language(
        self, event, community, mailoutbox, django_capture_on_commit_callbacks
    ):
        person = UserFactory(preferred_language="fr")
        MembershipFactory(community=community, user=person)
        with django_capture_on_commit_callbacks(execute=True):
            services.event_register(event=event, user=person)
        assert Delivery.objects.get(recipient=person.email).language == "fr"


class TestHotPath:
    """What every event page and every registration runs (plain SQL, copsite/rows.py)."""

    def test_an_event_page_reads_the_event_with_the_access_in_one_statement(
        self, community, event, member, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            access, loaded = access_and_object_for_slug(
                member, community.slug, columns=selectors.EVENT_COLUMNS, pk=event.pk
            )

        assert access.is_active_member
        assert access.community.pk == community.pk
        assert_reads_as_the_orm(loaded, Event.objects.get(pk=event.pk))
        with django_assert_num_queries(0):
            assert loaded.community is access.community

    def test_an_event_page_finds_nothing_of_another_community(self, event, other_community, member):
        def read(slug, pk):
            return access_and_object_for_slug(member, slug, columns=selectors.EVENT_COLUMNS, pk=pk)

        access, loaded = read(other_community.slug, event.pk)
        assert access.community.pk == other_community.pk
        assert loaded is None
        assert read(event.community.slug, event.pk + 1000)[1] is None
        assert read(event.community.slug, 10**20)[1] is None  # an edited link
        assert read(event.community.slug, 0)[1] is None
        assert read("no-such-community", event.pk) == (None, None)

    def test_a_registration_and_its_email_are_written_together(self, event, make_member):
        first, second, third = make_member(), make_member(), make_member()
        registrations = [services.event_register(event=event, user=u) for u in (first, second)]
        waiting = services.event_register(event=event, user=third)

        for registration in [*registrations, waiting]:
            assert not registration._state.adding
            assert_reads_as_the_orm(registration, Registration.objects.get(pk=registration.pk))
        work = OutboxMessage.objects.filter(task="events.tasks.registration_email")
        assert sorted((m.kwargs["registration_id"], m.kwargs["kind"]) for m in work) == [
            (registrations[0].pk, "event_registration_confirmed"),
            (registrations[1].pk, "event_registration_confirmed"),
            (waiting.pk, "event_registration_waiting"),
        ]
        assert {m.kwargs["seat_key"] for m in work} == {
            r.registered_at.isoformat() for r in [*registrations, waiting]
        }

    def test_registering_over_http_stays_within_its_statements(
        self, client, event, member, django_assert_num_queries
    ):
        client.force_login(member)
        url = reverse("events:register", kwargs={"slug": event.community.slug, "pk": event.pk})

        # The person; the community, their standing and the event in one statement; then on
        # PostgreSQL one statement for the seat, the registration and its email (inside a
        # savepoint in a test's transaction); elsewhere, inside a transaction, the lock, the
        # count, the registration, its email.
        with django_assert_num_queries(5 if connection.vendor == "postgresql" else 8):
            client.post(url)

        assert Registration.objects.filter(event=event, user=member).exists()
