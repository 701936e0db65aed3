"""Registration under real concurrency on PostgreSQL: never more confirmed than capacity.

200 threads are released together through a barrier for 50 seats. Each thread has its own
database connection from a pool of 20 (PostgreSQL's default of 100 connections could not
hold 200), so up to 20 registrations are in flight at once.

Registration takes one of two paths (events.services.event_register), and every test runs
on both:
- "one statement": a single statement locks the event's row, reads its seat count and
  writes. The tests add a 10 ms pause inside it, after the count, to widen the window a race
  needs;
- "locked transaction" (other databases, and events edited since the caller read them):
  lock, count, insert. The tests slow the count by 10 ms.
The negative controls switch the lock off, and must overbook; the real paths, with the same
pauses, must not.
"""

import threading
import time
from contextlib import contextmanager, nullcontext
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts.services import user_delete
from communities import services as community_services
from communities.rules import access_and_object_for_slug
from events import selectors, services
from events.models import Event, Registration, Visibility
from notifications import services as notifications_services
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 200
SEATS = 50


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent transactions")


@contextmanager
def pooled_connections(size: int = 20):
    """Threads share a pool of `size` connections, as a threaded server would with
    DB_POOL_SIZE. The main thread stays off the database meanwhile."""
    settings_dict = connections.settings["default"]
    saved = {key: settings_dict[key] for key in ("CONN_MAX_AGE", "OPTIONS")}
    # Tests run tasks inline: each registration's commit would drain the outbox then and
    # there, rendering everyone's emails while holding the GIL, and the registrations would
    # barely overlap (the negative control of the one-statement path then seldom overbooked).
    # The emails wait in the outbox instead.
    drain = mock.patch.object(notifications_services, "_nudge_drain", return_value=None)
    drain.start()
    connection.close()
    settings_dict["CONN_MAX_AGE"] = 0
    settings_dict["OPTIONS"] = {
        **saved["OPTIONS"],
        "pool": {"min_size": 2, "max_size": size, "timeout": 60},
    }
    try:
        yield
    finally:
        drain.stop()
        connection.close()
        connection.close_pool()
        settings_dict.update(saved)


def members(community, count):
    users = UserFactory.create_batch(count, verified=False)
    for user in users:
        MembershipFactory(community=community, user=user)
    return users


def slow_count(event):
    count = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
    time.sleep(0.01)
    return count


def unlocked(*, event_id):
    return Event.objects.get(pk=event_id)


def run_together(calls) -> list[Exception]:
    """Runs each call in its own thread, all released at once; returns the errors raised."""
    barrier = threading.Barrier(len(calls), timeout=60)
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connection.close()  # back to the pool

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return errors


def register_all(event, people) -> list[Exception]:
    with pooled_connections():
        return run_together(
            [
                lambda person=person: services.event_register(event=event, user=person)
                for person in people
            ]
        )


def counts(event) -> dict[str, int]:
    return {
        status: Registration.objects.filter(event=event, status=status).count()
        for status in ("confirmed", "waiting")
    }


PAUSE = " CROSS JOIN LATERAL (SELECT pg_sleep(0.01) WHERE locked.id IS NOT NULL) pause"


def refuse(**kwargs):
    raise AssertionError("the one-statement path should have registered")


@contextmanager
def one_statement(*, locked=True):
    with (
        mock.patch.object(services, "_SEAT_PAUSE", PAUSE),
        mock.patch.object(services, "_SEAT_LOCK", services._SEAT_LOCK if locked else ""),
        mock.patch.object(services, "_register_locked", refuse),
    ):
        yield


@contextmanager
def locked_transaction(*, locked=True):
    with (
        mock.patch.object(services, "_register_in_one_statement", return_value=None),
        mock.patch.object(services, "_confirmed_count", slow_count),
        mock.patch.object(services, "_lock_event", services._lock_event if locked else unlocked),
    ):
        yield


PATHS = {"one statement": one_statement, "locked transaction": locked_transaction}
paths = pytest.mark.parametrize("path", PATHS)


@paths
def test_200_people_for_50_seats_get_exactly_50(community, path):
    event = EventFactory(community=community, capacity=SEATS)
    people = members(community, PEOPLE)

    with PATHS[path]():
        errors = register_all(event, people)

    assert errors == []
    assert counts(event) == {"confirmed": SEATS, "waiting": PEOPLE - SEATS}


@paths
def test_negative_control_without_the_lock_overbooks(community, path):
    """Proves the test above can see a race: the same run with the lock switched off."""
    event = EventFactory(community=community, capacity=SEATS)
    people = members(community, PEOPLE)

    with PATHS[path](locked=False):
        errors = register_all(event, people)

    assert errors == []
    assert counts(event)["confirmed"] > SEATS


@paths
def test_a_storm_of_cancellations_and_registrations_keeps_order_and_capacity(community, path):
    event = EventFactory(community=community, capacity=SEATS)
    seated, waiting, newcomers = (members(community, n) for n in (SEATS, SEATS, 25))
    for person in [*seated, *waiting]:  # one by one: a known waiting order
        services.event_register(event=event, user=person)
    seats = list(Registration.objects.filter(event=event, status="confirmed"))
    leaving = seats[:25]
    highest = []
    stop = threading.Event()

    def watch():
        # Samples the committed number of confirmed seats throughout the storm.
        while not stop.is_set():
            highest.append(Registration.objects.filter(event=event, status="confirmed").count())
        connection.close()

    # Cancelling always takes the locked transaction (with its slow count).
    with (
        pooled_connections(),
        PATHS[path](),
        mock.patch.object(services, "_confirmed_count", slow_count),
    ):
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            errors = run_together(
                [
                    *(lambda r=r: services.registration_cancel(registration=r) for r in leaving),
                    *(lambda p=p: services.event_register(event=event, user=p) for p in newcomers),
                ]
            )
        finally:
            stop.set()
            watcher.join(timeout=30)

    assert errors == []
    assert highest
    assert max(highest) <= SEATS
    assert counts(event) == {"confirmed": SEATS, "waiting": SEATS - 25 + 25}
    promoted = Registration.objects.filter(
        event=event, status="confirmed", user__in=waiting
    ).order_by("confirmed_at", "id")
    # The first 25 who waited got the 25 freed seats, in the order they joined the list.
    assert [registration.user for registration in promoted] == waiting[:25]
    queue = Registration.objects.filter(event=event, status="waiting").order_by(
        "waiting_since", "id"
    )
    assert [registration.user for registration in queue][:25] == waiting[25:]
    assert {registration.user for registration in queue[25:]} == set(newcomers)


LONG_PAUSE = " CROSS JOIN LATERAL (SELECT pg_sleep(0.5) WHERE locked.id IS NOT NULL) pause"


def _wait_for_another_connection(condition: str, params=(), *, deadline: float = 10.0):
    """Until another connection to the test database matches `condition` (on
    pg_stat_activity)."""
    end = time.monotonic() + deadline
    with connection.cursor() as cursor:
        while time.monotonic() < end:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "  # noqa: S608
                f"AND datname = current_database() AND {condition}",
                params,
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError(f"no other connection with {condition}")


def _wait_until_sleeping() -> None:
    """Until another connection is inside the registration statement's long pause, so it
    holds the event's lock. (Its text alone shows from the start of the statement, before the
    lock: a busy machine can let the leaving take the lock first.)"""
    _wait_for_another_connection("wait_event = 'PgSleep' AND query LIKE %s", ["%pg_sleep(0.5)%"])


@pytest.mark.parametrize("raised", [True, False], ids=["raised", "blind"])
def test_a_member_who_leaves_while_their_registration_holds_the_lock_loses_the_place(
    community, raised
):
    """The registration locked the event first; the leaving waits for that lock, then reads
    the place and withdraws it. `blind` (the leaving without locking and raising the event's
    audience_version) is the negative control: it reads the places before the registration
    commits, and the place stays with someone who may no longer see the event."""
    membership = MembershipFactory(community=community)
    event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=5)
    registered = []

    def register():
        try:
            registered.append(services.event_register(event=event, user=membership.user))
        finally:
            connection.close()

    blind = mock.patch.object(services, "_audience_narrowed", return_value=None)
    with (
        mock.patch.object(services, "_SEAT_PAUSE", LONG_PAUSE),
        mock.patch.object(services, "_register_locked", refuse),  # the one statement only
        mock.patch.object(notifications_services, "_nudge_drain", return_value=None),
        nullcontext() if raised else blind,
    ):
        registering = threading.Thread(target=register)
        registering.start()
        try:
            _wait_until_sleeping()
            community_services.membership_leave(membership=membership)
        finally:
            registering.join(timeout=30)

    (registration,) = registered  # it registered: the lock was the registration's first
    registration.refresh_from_db()
    if raised:
        assert registration.status == Registration.Status.CANCELLED
    else:
        assert registration.status == Registration.Status.CONFIRMED  # the race, unseen


def _wait_until_someone_waits_for_a_lock() -> None:
    _wait_for_another_connection("wait_event_type = 'Lock'")


def _first_pauses_in(module, name: str, *, after: bool = False):
    """Patches `module.name` so that the thread called "first" waits in it (before the call,
    or `after` it) until the returned event is set; other threads pass straight through."""
    real = getattr(module, name)
    go, reached = threading.Event(), threading.Event()

    def paused(**kwargs):
        first = threading.current_thread().name == "first"
        if first and not after:
            reached.set()
            go.wait(30)
        result = real(**kwargs)
        if first and after:
            reached.set()
            go.wait(30)
        return result

    return mock.patch.object(module, name, paused), go, reached


def _one_then_another(first, then, pause) -> list[Exception]:
    """Runs `first` in a thread until it pauses (holding its locks), then `then` in another
    until it waits for a lock, then lets `first` go on. Returns the errors (a deadlock is
    one: PostgreSQL ends one of the two)."""
    patch, go, reached = pause
    errors = []

    def run(call):
        try:
            call()
        except Exception as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    with patch, mock.patch.object(notifications_services, "_nudge_drain", return_value=None):
        one = threading.Thread(target=run, args=(first,), name="first")
        other = threading.Thread(target=run, args=(then,), name="then")
        one.start()
        try:
            assert reached.wait(30)
            other.start()
            _wait_until_someone_waits_for_a_lock()
        finally:
            go.set()
            one.join(timeout=30)
            if other.is_alive() or other.ident:
                other.join(timeout=30)
    return errors


def test_deleting_an_account_while_someone_leaves_one_of_its_communities(community):
    """The deletion holds the event it gives a place up at, then ends the memberships (which
    locks each community's upcoming events); the leaving locks the same community's events in
    id order. Both ways of locking must take the events in one order."""
    earlier = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=5)
    elsewhere = EventFactory(visibility=Visibility.MEMBERS, capacity=5)
    later = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=5)
    person = MembershipFactory(community=community).user
    MembershipFactory(community=elsewhere.community, user=person)
    services.event_register(event=later, user=person)
    leaving = MembershipFactory(community=community)

    errors = _one_then_another(
        lambda: user_delete(user=person),
        lambda: community_services.membership_leave(membership=leaving),
        _first_pauses_in(community_services, "_tell_about_roles"),
    )

    assert errors == []
    assert not type(person).objects.filter(pk=person.pk).exists()
    leaving.refresh_from_db()
    assert leaving.status == leaving.Status.LEFT
    assert earlier.pk < elsewhere.pk < later.pk


def test_a_withdrawn_seat_while_someone_leaves_the_same_community(community):
    """Withdrawing a seat writes the event's row twice in one transaction (the audience's
    number, then the seat count), so its commit checks the event's community key; a tier
    change holding the community's row must not block that check."""
    event = EventFactory(community=community, visibility=Visibility.INTERNAL, capacity=5)
    internal = MembershipFactory(community=community, is_internal=True)
    place = services.event_register(event=event, user=internal.user)
    leaving = MembershipFactory(community=community)

    errors = _one_then_another(
        lambda: community_services.membership_set_internal(membership=internal, is_internal=False),
        lambda: community_services.membership_leave(membership=leaving),
        _first_pauses_in(community_services, "standing_changed", after=True),
    )

    assert errors == []
    place.refresh_from_db()
    assert place.status == Registration.Status.CANCELLED
    leaving.refresh_from_db()
    assert leaving.status == leaving.Status.LEFT


@pytest.mark.parametrize("path", ["one statement first", "locked transaction"])
def test_a_registration_that_waits_behind_a_leaving_is_refused(community, path):
    """The other order: the leaving holds the event (its number raised) when the registration,
    read before it, arrives; the registration waits, then reads the person's access again
    (the one statement finds the number changed and goes the long way)."""
    membership = MembershipFactory(community=community)
    event = EventFactory(community=community, visibility=Visibility.MEMBERS, capacity=5)
    access, as_read = access_and_object_for_slug(
        membership.user, community.slug, columns=selectors.EVENT_COLUMNS, pk=event.pk
    )

    with locked_transaction() if path == "locked transaction" else nullcontext():
        errors = _one_then_another(
            lambda: community_services.membership_leave(membership=membership),
            lambda: services.event_register(event=as_read, user=membership.user, access=access),
            _first_pauses_in(services, "_audience_narrowed", after=True),
        )

    assert [type(error) for error in errors] == [ValidationError]  # refused, nothing else
    assert not Registration.objects.filter(event=event).exists()
