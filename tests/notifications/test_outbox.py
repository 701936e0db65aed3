"""The outbox: work recorded with the caller's transaction, run once by the worker."""

from unittest import mock

import pytest
from celery import shared_task
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from copsite.celery import app as celery_app
from copsite.rows import insert_statement
from notifications import services
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

CALLS = []


@shared_task(name="tests.notifications.test_outbox.record_call")
def record_call(*, value):
    if value == "boom":
        raise RuntimeError("the task failed")
    CALLS.append(value)


TASK = "tests.notifications.test_outbox.record_call"


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()


def test_work_is_run_once_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_add(task=TASK, kwargs={"value": "a"})
        assert CALLS == []  # not before the commit

    assert CALLS == ["a"]
    assert not OutboxMessage.objects.exists()
    assert services.outbox_drain() == 0  # nothing left to run twice


def action_that_fails():
    with transaction.atomic():
        services.outbox_add(task=TASK, kwargs={"value": "a"})
        raise RuntimeError("the action failed")


def test_a_rolled_back_action_leaves_no_work():
    with pytest.raises(RuntimeError):
        action_that_fails()
    assert not OutboxMessage.objects.exists()


def test_a_failing_task_keeps_its_row_then_is_given_up():
    OutboxMessage.objects.create(task=TASK, kwargs={"value": "boom"})
    OutboxMessage.objects.create(task=TASK, kwargs={"value": "fine"})

    assert services.outbox_drain() == 1
    failed = OutboxMessage.objects.get()
    assert (failed.attempts, "the task failed" in failed.last_error) == (1, True)
    for _ in range(services.OUTBOX_MAX_ATTEMPTS):
        services.outbox_drain()
    failed.refresh_from_db()
    assert failed.attempts == services.OUTBOX_MAX_ATTEMPTS  # kept, for the admin
    assert CALLS == ["fine"]


def test_a_busy_process_nudges_the_worker_at_most_once_a_second(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(services, "_last_nudge", 0.0)
    with mock.patch("notifications.tasks.drain_outbox.delay") as delay:
        for _ in range(50):
            services._nudge_drain()
    assert delay.call_count == 1


KEYED = "tests.notifications.test_outbox.record_keyed_call"


@shared_task(name=KEYED)
def record_keyed_call(*, value, row):
    CALLS.append((value, row))


def keyed_insert(value):
    """The row a caller writes with its work: here another outbox row, as any model would do."""
    return insert_statement(OutboxMessage(task="tests.unused", kwargs={"value": value}))


class TestOutboxAddWithInsert:
    def test_writes_the_row_and_its_work_with_the_new_key(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            key = services.outbox_add_with_insert(
                insert=keyed_insert("row"), task=KEYED, kwargs={"value": "v"}, id_key="row"
            )

        assert OutboxMessage.objects.get(pk=key).kwargs == {"value": "row"}
        work = OutboxMessage.objects.get(task=KEYED)
        assert work.kwargs == {"value": "v", "row": key}
        assert work.created_at is not None
        assert len(callbacks) == 1  # the worker is nudged after the commit
        OutboxMessage.objects.filter(pk=key).delete()
        assert services.outbox_drain() == 1
        assert [("v", key)] == CALLS

    def test_one_statement_on_postgresql_two_elsewhere(self, django_assert_num_queries):
        with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
            services.outbox_add_with_insert(
                insert=keyed_insert("row"), task=KEYED, kwargs={"value": "v"}, id_key="row"
            )

    def test_a_refused_insert_records_no_work(self):
        sql, params = keyed_insert("row")
        refused = (sql.replace('"task"', '"no_such_column"', 1), params)

        with (
            CaptureQueriesContext(connection) as statements,
            pytest.raises(DatabaseError),
            transaction.atomic(),
        ):
            services.outbox_add_with_insert(
                insert=refused, task=KEYED, kwargs={"value": "v"}, id_key="row"
            )

        # Whatever the rollback would undo: nothing wrote the work apart from the row. On
        # PostgreSQL the one statement writes both; elsewhere the refused insert comes first.
        written = [q["sql"] for q in statements.captured_queries if "INSERT" in q["sql"]]
        assert len(written) == 1
        assert written[0].startswith("WITH" if connection.vendor == "postgresql" else "INSERT")
        assert not OutboxMessage.objects.exists()
