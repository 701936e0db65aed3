"""A count of each event's confirmed seats, kept by the database itself (PostgreSQL only).

Registration takes a seat in one statement that locks the event's row and reads this count
from it (`events.services._register_in_one_statement`): the lock is then held for one
statement and its commit, with no round trip to the app in between. A `count(*)` in that
same statement would read the snapshot taken before the lock was granted, and could miss
the seat taken by whoever held the lock; a locked row is read in its newest version.

The column is not a model field, so no `save()` can write a stale value over it. Triggers
on the registrations table keep it equal to the number of confirmed registrations, whoever
writes them: the services, the admin, factories, bulk deletes, TRUNCATE. Other databases register
without it (one writer at a time).
"""

from django.db import migrations

FORWARD = """
-- No registration may change between the count below and the triggers that keep it: a change
-- in between would be in neither, and the count would stay wrong.
LOCK TABLE events_registration IN SHARE ROW EXCLUSIVE MODE;

ALTER TABLE events_event ADD COLUMN confirmed_seats integer NOT NULL DEFAULT 0;

UPDATE events_event e SET confirmed_seats = counted.n
FROM (
    SELECT event_id, count(*) AS n FROM events_registration
    WHERE status = 'confirmed' GROUP BY event_id
) counted
WHERE e.id = counted.event_id;

CREATE FUNCTION events_count_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One UPDATE per statement and event, only where the number of confirmed seats changed
    -- (checking someone in or renaming nothing leaves the event's row alone).
    IF TG_OP = 'INSERT' THEN
        UPDATE events_event e SET confirmed_seats = e.confirmed_seats + change.n
        FROM (
            SELECT event_id, count(*) AS n FROM new_rows
            WHERE status = 'confirmed' GROUP BY event_id
        ) change
        WHERE e.id = change.event_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE events_event e SET confirmed_seats = e.confirmed_seats - change.n
        FROM (
            SELECT event_id, count(*) AS n FROM old_rows
            WHERE status = 'confirmed' GROUP BY event_id
        ) change
        WHERE e.id = change.event_id;
    ELSIF TG_OP = 'TRUNCATE' THEN
        UPDATE events_event SET confirmed_seats = 0 WHERE confirmed_seats <> 0;
    ELSE
        UPDATE events_event e SET confirmed_seats = e.confirmed_seats + change.n
        FROM (
            SELECT event_id, sum(n) AS n FROM (
                SELECT event_id, 1 AS n FROM new_rows WHERE status = 'confirmed'
                UNION ALL
                SELECT event_id, -1 AS n FROM old_rows WHERE status = 'confirmed'
            ) moves
            GROUP BY event_id HAVING sum(n) <> 0
        ) change
        WHERE e.id = change.event_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_seats_insert AFTER INSERT ON events_registration
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_count_seats();
CREATE TRIGGER events_seats_update AFTER UPDATE ON events_registration
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_count_seats();
CREATE TRIGGER events_seats_delete AFTER DELETE ON events_registration
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_count_seats();
CREATE TRIGGER events_seats_truncate AFTER TRUNCATE ON events_registration
    FOR EACH STATEMENT EXECUTE FUNCTION events_count_seats();
"""

BACKWARD = """
DROP TRIGGER events_seats_insert ON events_registration;
DROP TRIGGER events_seats_update ON events_registration;
DROP TRIGGER events_seats_delete ON events_registration;
DROP TRIGGER events_seats_truncate ON events_registration;
DROP FUNCTION events_count_seats();
ALTER TABLE events_event DROP COLUMN confirmed_seats;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_calendar_tokens"),
    ]

    operations = [migrations.RunPython(forward, backward)]
