"""The database's own count of each event's confirmed seats, and the one statement that
registers with it (PostgreSQL: events/migrations/0006_seat_counter.py,
events.services._register_in_one_statement).

Every test in the suite also checks, when it ends, that each event's count equals its
confirmed registrations (tests/conftest.py, `_seat_counts_stay_true`).
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Registration, Visibility
from notifications import services as notifications_services
from notifications.models import Delivery, OutboxMessage
from tests.assertions import assert_reads_as_the_orm
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the seat count and the one-statement registration are PostgreSQL's")


def seats(event) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT confirmed_seats FROM events_event WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def row_version(event) -> str:
    """The event row's xmin: it changes whenever the row is written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM events_event WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


class TestTheCountFollowsRegistrations:
    def test_confirmed_registrations_count_and_waiting_ones_do_not(self, event):
        RegistrationFactory(event=event)
        RegistrationFactory(event=event)
        RegistrationFactory(event=event, status=Registration.Status.WAITING, confirmed_at=None)

        assert seats(event) == 2

    def test_status_changes_move_the_count(self, event):
        registration = RegistrationFactory(
            event=event, status=Registration.Status.WAITING, confirmed_at=None
        )
        assert seats(event) == 0

        registration.status = Registration.Status.CONFIRMED
        registration.save()
        assert seats(event) == 1

        registration.status = Registration.Status.CANCELLED
        registration.save()
        assert seats(event) == 0

    def test_a_change_that_keeps_the_status_leaves_the_event_row_alone(self, event):
        registration = RegistrationFactory(event=event)
        before = row_version(event)

        registration.checked_in_at = timezone.now()
        registration.save()

        # Checking someone in does not lock or rewrite the event's row.
        assert row_version(event) == before
        assert seats(event) == 1

    def test_bulk_writes_count_per_event(self, community):
        first, second = EventFactory(community=community), EventFactory(community=community)
        for event, how_many in ((first, 3), (second, 2)):
            for _ in range(how_many):
                RegistrationFactory(event=event)

        Registration.objects.filter(event__in=[first, second]).update(
            status=Registration.Status.WAITING
        )
        assert (seats(first), seats(second)) == (0, 0)

        Registration.objects.filter(event=first).update(status=Registration.Status.CONFIRMED)
        Registration.objects.filter(event=second).delete()
        assert (seats(first), seats(second)) == (3, 0)

    @pytest.mark.django_db(transaction=True)
    def test_truncating_the_registrations_empties_every_count(self, community):
        event = EventFactory(community=community)
        RegistrationFactory(event=event)  # committed: TRUNCATE waits for no pending checks
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE events_registration CASCADE")

        assert seats(event) == 0

    def test_saving_the_event_never_writes_over_the_count(self, event):
        stale = Event.objects.get(pk=event.pk)
        RegistrationFactory(event=event)

        stale.title = "Renamed"
        stale.save()

        assert seats(event) == 1

    @pytest.mark.django_db(transaction=True)
    def test_the_migration_counts_existing_seats_and_undoes_cleanly(self, community):
        event = EventFactory(community=community, capacity=5)
        RegistrationFactory(event=event)
        RegistrationFactory(event=event)
        RegistrationFactory(event=event, status=Registration.Status.CANCELLED)

        call_command("migrate", "events", "0005", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_name = 'events_event' AND column_name = 'confirmed_seats'"
            )
            assert cursor.fetchone()[0] == 0
        RegistrationFactory(event=event)  # written while there is no count to keep
        call_command("migrate", "events", verbosity=0)

        assert seats(event) == 3


class TestRegisteringInOneStatement:
    def test_a_seat_then_the_waiting_list_with_their_emails(self, make_member, community):
        event = EventFactory(community=community, capacity=1)
        first, second = make_member(), make_member()

        seated = services.event_register(event=event, user=first)
        waiting = services.event_register(event=event, user=second)

        assert (seated.status, waiting.status) == ("confirmed", "waiting")
        assert seated.confirmed_at == seated.registered_at
        assert seated.waiting_since is None
        assert waiting.waiting_since == waiting.registered_at
        assert waiting.confirmed_at is None
        for registration in (seated, waiting):
            assert_reads_as_the_orm(registration, Registration.objects.get(pk=registration.pk))
        kinds = {
            message.kwargs["registration_id"]: message.kwargs["kind"]
            for message in OutboxMessage.objects.all()
        }
        assert kinds == {
            seated.pk: "event_registration_confirmed",
            waiting.pk: "event_registration_waiting",
        }
        assert seats(event) == 1

    def test_the_capacity_is_read_under_the_lock_not_from_the_callers_copy(
        self, make_member, community
    ):
        event = EventFactory(community=community, capacity=10)
        RegistrationFactory(event=event)
        Event.objects.filter(pk=event.pk).update(capacity=1)  # the caller's copy says 10

        registration = services.event_register(event=event, user=make_member())

        assert registration.is_waiting

    def test_an_event_cancelled_since_it_was_read_is_refused(
        self, make_member, community, monkeypatch
    ):
        event = EventFactory(community=community, capacity=10)
        Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
        went_the_long_way = []
        long_way = services._register_locked
        monkeypatch.setattr(
            services,
            "_register_locked",
            lambda **kwargs: went_the_long_way.append(True) or long_way(**kwargs),
        )

        with pytest.raises(ValidationError, match="cancelled"):
            services.event_register(event=event, user=make_member())

        assert went_the_long_way == [True]
        assert not Registration.objects.filter(event=event).exists()

    def test_an_event_narrowed_since_it_was_read_is_refused(self, make_member, community):
        event = EventFactory(community=community, capacity=10, visibility=Visibility.MEMBERS)
        Event.objects.filter(pk=event.pk).update(visibility=Visibility.CORE)

        with pytest.raises(ValidationError):
            services.event_register(event=event, user=make_member())

        assert not Registration.objects.filter(event=event).exists()

    @pytest.mark.parametrize("path", ["one statement", "locked transaction"])
    def test_an_event_moved_to_another_community_since_it_was_read_is_refused(
        self, make_member, community, other_community, path, monkeypatch
    ):
        event = EventFactory(community=community, capacity=10)
        Event.objects.filter(pk=event.pk).update(community=other_community)
        if path == "locked transaction":
            monkeypatch.setattr(services, "_register_in_one_statement", lambda **kwargs: None)

        # A member of the community the caller read, not of the one the event is in now.
        with pytest.raises(ValidationError):
            services.event_register(event=event, user=make_member())

        assert not Registration.objects.filter(event=event).exists()

    def test_a_duplicate_inside_a_transaction_leaves_it_usable(self, event, member):
        first = services.event_register(event=event, user=member)

        with transaction.atomic():
            again = services.event_register(event=event, user=member)
            # The failed insert rolled back to its savepoint only: the transaction goes on.
            assert Registration.objects.filter(event=event).count() == 1

        assert again.pk == first.pk
        assert OutboxMessage.objects.count() == 1

    @pytest.mark.django_db(transaction=True)
    def test_over_http_it_is_one_statement_with_no_transaction_around_it(
        self, make_member, client, community, monkeypatch
    ):
        # Tests run tasks inline: the email would be sent within the request. Counted here
        # are the request's own statements only.
        monkeypatch.setattr(notifications_services, "_nudge_drain", lambda: None)
        event = EventFactory(community=community, capacity=10)
        person = make_member()
        client.force_login(person)
        url = reverse("events:register", kwargs={"slug": community.slug, "pk": event.pk})

        with CaptureQueriesContext(connection) as queries:
            client.post(url)

        statements = [query["sql"] for query in queries.captured_queries]
        # The person; the community, their standing and the event; the registration: no
        # BEGIN, no savepoint, no separate lock or count.
        assert len(statements) == 3, statements
        assert statements[-1].startswith("WITH locked AS")
        assert "FOR UPDATE" in statements[-1]
        registration = Registration.objects.get(event=event, user=person)
        assert registration.is_confirmed
        assert seats(event) == 1

    @pytest.mark.django_db(transaction=True)
    def test_a_duplicate_outside_a_transaction_returns_the_first(self, make_member, community):
        event = EventFactory(community=community, capacity=10)
        person = make_member()

        first = services.event_register(event=event, user=person)
        again = services.event_register(event=event, user=person)

        assert again.pk == first.pk
        assert Registration.objects.filter(event=event).count() == 1
        # One email, sent (tasks run inline in tests): the duplicate wrote no outbox row.
        assert Delivery.objects.filter(kind="event_registration_confirmed").count() == 1
