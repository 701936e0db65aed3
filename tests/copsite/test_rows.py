"""copsite/rows.py: the hand-written statements' columns, instances and inserts follow the
models as the ORM would read and write them."""

import pytest
from django.db import connection

from copsite.rows import Columns, insert_statement, mark_saved, quoted
from notifications.models import OutboxMessage

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
    for field in OutboxMessage._meta.concrete_fields:
        assert getattr(message, field.attname) == getattr(saved, field.attname), field.name
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


def test_identifiers_are_quoted():
    assert quoted("user") == '"user"'
    assert quoted('we"ird') == '"we""ird"'
