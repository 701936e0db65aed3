"""copsite/rows.py: the hand-written statements' columns, instances and inserts follow the
models as the ORM would read and write them."""

import pytest
from django.db import connection, models
from django.db.models import F
from django.test.utils import isolate_apps

from communities.models import Membership
from copsite.rows import Columns, InsertSelect, insert_statement, mark_saved, quoted
from notifications.models import OutboxMessage
from tests.assertions import assert_reads_as_the_orm

pytestmark = pytest.mark.django_db

COLUMNS = Columns(OutboxMessage, "o")


SQL = f"SELECT {COLUMNS.sql} FROM {COLUMNS.table} o WHERE o.{quoted('id')} = %s"  # noqa: S608


def read(pk):
    with connection.cursor() as cursor:
        cursor.execute(SQL, [pk])
        return cursor.fetchone()


def test_an_instance_reads_as_the_orm_would():
    saved = OutboxMessage.objects.create(task="a.task", kwargs={"ids": [1, 2], "kind": "é"})

    message = COLUMNS.instance(read(saved.pk))

    # The JSON column comes back as text on PostgreSQL: the field's converter applies.
    assert message.kwargs == {"ids": [1, 2], "kind": "é"}
    assert_reads_as_the_orm(message, OutboxMessage.objects.get(pk=saved.pk))
    assert not message._state.adding
    assert message._state.db == "default"


def test_an_instance_from_the_middle_of_a_row():
    saved = OutboxMessage.objects.create(task="b.task", kwargs={})

    message = COLUMNS.instance(("before", *read(saved.pk), "after"), 1)

    assert message.pk == saved.pk
    assert message.task == "b.task"


def test_insert_statement_writes_what_save_would():
    message = OutboxMessage(task="c.task", kwargs={"value": 3})
    sql, params = insert_statement(message)

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        key = cursor.fetchone()[0]
    mark_saved(message, key)

    stored = OutboxMessage.objects.get(pk=key)
    assert stored.kwargs == {"value": 3}
    assert stored.created_at is not None  # auto_now_add, as save() sets it
    assert message.created_at == stored.created_at
    assert message.pk == key
    assert not message._state.adding
    message.attempts = 1
    message.save()  # an update now, not a second row
    assert OutboxMessage.objects.count() == 1


def test_insert_select_takes_some_columns_from_the_source():
    message = OutboxMessage(task="d.task", kwargs={"value": 4})
    insert = InsertSelect(
        OutboxMessage, source="picked", expressions={"task": "picked.name"}, returning='"id"'
    )

    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH picked (name) AS (SELECT %s) {insert.sql}",
            ["from.the.source", *insert.params(message)],
        )
        key = cursor.fetchone()[0]

    stored = OutboxMessage.objects.get(pk=key)
    assert stored.task == "from.the.source"  # the expression, not the instance's value
    assert stored.kwargs == {"value": 4}
    assert stored.created_at is not None


def test_insert_select_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="no such column"):
        InsertSelect(OutboxMessage, source="s", expressions={"nope": "s.x"}, returning="1")


def test_identifiers_are_quoted():
    assert quoted("user") == '"user"'
    assert quoted('we"ird') == '"we""ird"'


def test_a_column_under_the_alias():
    assert COLUMNS.column("task") == 'o."task"'
    assert Columns(Membership, "m").column("community") == 'm."community_id"'


@isolate_apps("notifications")
def test_insert_statement_leaves_generated_columns_and_refuses_database_defaults():
    class Generated(models.Model):  # noqa: DJ008 (never shown)
        amount = models.IntegerField()
        double = models.GeneratedField(
            expression=F("amount") * 2, output_field=models.IntegerField(), db_persist=True
        )

        class Meta:
            app_label = "notifications"

    class Defaulted(models.Model):  # noqa: DJ008 (never shown)
        amount = models.IntegerField(db_default=1)

        class Meta:
            app_label = "notifications"

    sql, params = insert_statement(Generated(amount=2))
    assert '"double"' not in sql
    assert params == [2]
    with pytest.raises(ValueError, match="database default"):
        insert_statement(Defaulted())
