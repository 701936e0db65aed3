"""Writes for events: creating and editing them, and registration with its waiting list.

Registration guarantees (issue 5, SPEC "Registration"):
- never more confirmed registrations than capacity, whatever the concurrency: every change
  to an event's seats (register, cancel, a capacity change) first locks the event's row
  (`SELECT ... FOR UPDATE`), then counts and writes inside the same transaction. On
  PostgreSQL a registration does all of that in one statement, with the count the database
  keeps on the event's row (`_register_in_one_statement`);
- at most one active registration per person and event: a partial unique constraint
  (`events_one_active_registration`), so even a path that forgot the lock cannot break it.
Emails go out after the commit, through notifications' outbox and email path (one delivery
per registration, kind and seat).
"""

from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import cache, partial
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.rules import Access, access_for, accesses_for
from communities.services import membership_record_participation
from copsite.rows import Columns, InsertSelect, insert_statement, mark_saved, quoted
from events import rules
from events.checklists import default_items
from events.models import (
    ActionItem,
    AgendaSegment,
    CalendarToken,
    ChecklistItem,
    Event,
    EventLanguage,
    Feedback,
    FollowUp,
    Material,
    Registration,
)
from events.selectors import EVENT_COLUMNS
from notifications.services import (
    OutboxInsertFrom,
    outbox_add,
    outbox_add_with_insert,
    outbox_written,
)

EVENT_FIELDS = (
    "title",
    "description",
    "format",
    "mode",
    "place",
    "online_url",
    "time_zone",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "visibility",
    "interpretation",
)


# Registration is the hot path under load (hundreds a second on one event): while the event
# is locked, every statement is plain SQL, so no time goes to building queries while others
# wait for the lock.
_LOCK_SQL = (
    f"SELECT {EVENT_COLUMNS.sql} FROM {EVENT_COLUMNS.table} e "  # noqa: S608
    f"WHERE {EVENT_COLUMNS.column('id')} = %s FOR UPDATE"
)
_REGISTRATION = Columns(Registration, "r")
REGISTRATION_EMAIL = "events.tasks.registration_email"
_CONFIRMED_SQL = (
    f"SELECT count(*) FROM {_REGISTRATION.table} r "  # noqa: S608
    f"WHERE {_REGISTRATION.column('event')} = %s AND {_REGISTRATION.column('status')} = %s"
)


def _lock_event(*, event_id: int) -> Event:
    """The event, its row locked until the transaction ends: the gate for its seats (the
    one-statement registration takes the same lock)."""
    if not connection.features.has_select_for_update:
        return Event.objects.get(pk=event_id)  # SQLite: one writer at a time anyway
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [event_id])
        row = cursor.fetchone()
    if row is None:
        raise Event.DoesNotExist
    return EVENT_COLUMNS.instance(row)


def _confirmed_count(event: Event) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_CONFIRMED_SQL, [event.pk, Registration.Status.CONFIRMED])
        return cursor.fetchone()[0]


def _access_of(*, event: Event, user) -> Access:
    return access_for(community=event.community, user=user)


def _email_later(registration: Registration, kind: str, *, reason: str = "") -> None:
    """The email goes out after the commit, through the outbox (one row written with the
    registration, so it can neither be lost nor sent for a rolled-back change). `reason`:
    why a place was withdrawn (`WITHDRAWN_BECAUSE`), for the email to say."""
    kwargs = {
        "registration_id": registration.pk,
        "kind": kind,
        "seat_key": _seat_key(registration),
    }
    if reason:
        kwargs["reason"] = reason
    outbox_add(task=REGISTRATION_EMAIL, kwargs=kwargs)


def _seat_key(registration: Registration) -> str:
    """Tells one state of a registration from another for the email's once-only key (a
    person moved to the waiting list and promoted again is told again)."""
    moment = registration.confirmed_at or registration.waiting_since or registration.cancelled_at
    return moment.isoformat() if moment else ""


def _check_event(event: Event) -> None:
    errors = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    if event.starts_at and event.registration_closes_at:
        if event.registration_closes_at > event.starts_at:
            errors["registration_closes_at"] = _(
                "Registration must close no later than the start of the event."
            )
    if (
        event.registration_opens_at
        and event.registration_closes_at
        and event.registration_opens_at >= event.registration_closes_at
    ):
        errors["registration_opens_at"] = _("Registration must open before it closes.")
    if (
        event.registration_opens_at
        and not event.registration_closes_at
        and event.starts_at
        and event.registration_opens_at >= event.starts_at
    ):
        errors["registration_opens_at"] = _("Registration must open before the event starts.")
    if event.mode == Event.Mode.IN_PERSON and not event.place:
        errors["place"] = _("Say where the event takes place.")
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["community", "created_by"])


def _set_languages(*, event: Event, languages: list[str]) -> None:
    EventLanguage.objects.filter(event=event).exclude(code__in=languages).delete()
    existing = set(event.languages.values_list("code", flat=True))
    EventLanguage.objects.bulk_create(
        [EventLanguage(event=event, code=code) for code in languages if code not in existing]
    )


@transaction.atomic
def event_create(*, community, creator, languages: list[str] | None = None, **fields) -> Event:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    event = Event(community=community, created_by=creator, **fields)
    _check_event(event)
    event.save()
    _set_languages(event=event, languages=languages or [])
    checklist_add_defaults(event=event)
    return event


def capacity_cut(
    *, event: Event, capacity: int | None, leaving: list[int] | None = None
) -> list[Registration]:
    """Who would lose their seat if capacity became `capacity`: the latest confirmed, in the
    order they would head the waiting list (earliest confirmed of them first). `leaving`:
    registrations given up in the same edit (`visibility_cut`), whose seats do not count.
    Nobody at a cancelled event: its registrations stay as they were."""
    if capacity is None or event.is_cancelled:
        return []
    confirmed = Registration.objects.filter(
        event=event, status=Registration.Status.CONFIRMED
    ).exclude(pk__in=leaving or [])
    excess = confirmed.count() - capacity
    if excess <= 0:
        return []
    latest = list(confirmed.select_related("user").order_by("-confirmed_at", "-id")[:excess])
    return latest[::-1]


def visibility_cut(*, event: Event) -> list[Registration]:
    """Who would lose their place if the event were saved as it is now (its visibility
    changed, say, from members to Core only): everyone registered who could no longer hold a
    place there (`rules.may_hold_place`), in the order they registered. Nobody once the
    event has started or was cancelled (its registrations then stay as they were)."""
    if event.is_cancelled or timezone.now() >= event.starts_at:
        return []
    registrations = list(
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE_STATUSES)
        .select_related("user")
        .order_by("registered_at", "id")
    )
    return _may_not_hold_place(event=event, registrations=registrations)


def _may_not_hold_place(*, event: Event, registrations: list[Registration]) -> list[Registration]:
    """Those of `registrations` (to `event`, with their users) whose holders may no longer
    hold a place there (they may not see the event, or it is internal-only and they are
    external): everyone's standing read in two queries."""
    if not registrations:
        return []
    accesses = accesses_for(
        community=event.community, users=[registration.user for registration in registrations]
    )
    return [
        registration
        for registration in registrations
        if not rules.may_hold_place(accesses[registration.user_id], event)
    ]


def visibility_cut_message(*, cut: list[Registration]) -> str:
    names = ", ".join(registration.user.name for registration in cut)
    return ngettext(
        "%(count)d registered person may not hold a place at the event as it would be saved "
        "(they could not see it, or it would be internal-only and they are external), and "
        "would lose their place: %(names)s.",
        "%(count)d registered people may not hold a place at the event as it would be saved "
        "(they could not see it, or it would be internal-only and they are external), and "
        "would lose their places: %(names)s.",
        len(cut),
    ) % {"count": len(cut), "names": names}


def _changes_refused(*, event: Event, cut, lost, moved_to_waiting, losing_place) -> dict:
    """The errors an edit gets when it would take places that the organiser has not
    confirmed (or has confirmed a different list of: someone registered meanwhile). An
    empty cut needs no confirmation, whatever came with the form."""
    errors = {}
    if lost and [registration.pk for registration in lost] != list(losing_place or []):
        errors["visibility"] = ValidationError(
            visibility_cut_message(cut=lost), code="visibility_cut"
        )
    if cut and timezone.now() >= event.starts_at:
        errors["capacity"] = ValidationError(
            _("The event has started: seats can no longer be taken from people who have one."),
            code="started",
        )
    elif cut and [registration.pk for registration in cut] != list(moved_to_waiting or []):
        errors["capacity"] = ValidationError(
            capacity_cut_message(cut=cut, capacity=event.capacity), code="capacity_cut"
        )
    return errors


def event_update_cuts(*, event: Event, **fields) -> tuple[list[Registration], list[Registration]]:
    """What saving these fields would take, for the confirmation an edit shows: the places
    lost to the visibility and the seats cut by the capacity. Changes nothing."""
    probe = Event.objects.get(pk=event.pk)
    probe.community = event.community
    for name, value in fields.items():
        setattr(probe, name, value)
    lost = visibility_cut(event=probe)
    leaving = [registration.pk for registration in lost]
    return lost, capacity_cut(event=probe, capacity=probe.capacity, leaving=leaving)


@transaction.atomic
def event_update(
    *,
    event: Event,
    languages: list[str] | None = None,
    moved_to_waiting: list[int] | None = None,
    losing_place: list[int] | None = None,
    **fields,
) -> tuple[Event, list[Registration]]:
    """Saves an edit. Returns the event and the registrations promoted, moved or withdrawn.

    Lowering capacity below the number confirmed moves the latest confirmed people to the
    head of the waiting list, in order; the caller must name them in `moved_to_waiting`
    (the ids it showed in its confirmation). Narrowing who may see the event gives up the
    places of people registered who could no longer see it; the caller names them in
    `losing_place`, and they are told. If a list differs (someone registered or cancelled
    meanwhile), nothing is saved and the error names who would be affected now. Seats are
    not taken once the event has started. Raising capacity promotes people from the
    waiting list.
    """
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    locked = _lock_event(event_id=event.pk)
    locked.community = event.community
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_event(locked)
    lost = visibility_cut(event=locked)
    leaving = [registration.pk for registration in lost]
    cut = capacity_cut(event=locked, capacity=locked.capacity, leaving=leaving)
    errors = _changes_refused(
        event=locked,
        cut=cut,
        lost=lost,
        moved_to_waiting=moved_to_waiting,
        losing_place=losing_place,
    )
    if errors:
        raise ValidationError(errors)
    locked.sequence += 1
    locked.save()
    if languages is not None:
        _set_languages(event=locked, languages=languages)
    changed = [_withdraw(registration, reason="audience") for registration in lost]
    changed += _move_to_waiting_head(event=locked, registrations=cut)
    changed += _promote_waiting(event=locked)
    event.__dict__.update(locked.__dict__)
    return locked, changed


def capacity_cut_message(*, cut: list[Registration], capacity: int | None) -> str:
    names = ", ".join(registration.user.name for registration in cut)
    return ngettext(
        "With a capacity of %(capacity)s, %(count)d confirmed person moves to the head of the "
        "waiting list: %(names)s.",
        "With a capacity of %(capacity)s, %(count)d confirmed people move to the head of the "
        "waiting list, in this order: %(names)s.",
        len(cut),
    ) % {"capacity": capacity, "count": len(cut), "names": names}


def _move_to_waiting_head(*, event: Event, registrations: list[Registration]) -> list[Registration]:
    if not registrations:
        return []
    now = timezone.now()
    head = Registration.objects.filter(event=event, status=Registration.Status.WAITING).aggregate(
        head=Min("waiting_since")
    )["head"]
    start = min(head, now) if head else now
    for position, registration in enumerate(registrations):
        registration.status = Registration.Status.WAITING
        registration.waiting_since = start - timedelta(microseconds=len(registrations) - position)
        registration.confirmed_at = None
        registration.save(update_fields=["status", "waiting_since", "confirmed_at"])
        _email_later(registration, "event_moved_to_waiting_list")
    return registrations


PROMOTION_LOOKAHEAD = 10


def _promote_waiting(*, event: Event) -> list[Registration]:
    """Fills free seats from the head of the waiting list. The event must be locked.

    Nobody is promoted into an event that has started. Someone waiting who may no longer
    see the event (they left, or it was narrowed) loses their place instead of a seat.
    """
    if event.is_cancelled or timezone.now() >= event.starts_at:
        return []
    waiting = Registration.objects.filter(event=event, status=Registration.Status.WAITING)
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _confirmed_count(event)
        if free <= 0:
            return []
    now = timezone.now()
    promoted = []
    # From the head of the list, a few more than the free seats at a time: those who may no
    # longer see the event give up their place, and the next ones move up.
    while free is None or len(promoted) < free:
        limit = None if free is None else free - len(promoted) + PROMOTION_LOOKAHEAD
        batch = list(waiting.order_by("waiting_since", "id").select_related("user")[:limit])
        unseen = {
            registration.pk
            for registration in _may_not_hold_place(event=event, registrations=batch)
        }
        for registration in batch:
            if free is not None and len(promoted) >= free:
                break
            if registration.pk in unseen:
                _withdraw(registration)
                continue
            registration.status = Registration.Status.CONFIRMED
            registration.confirmed_at = now
            registration.save(update_fields=["status", "confirmed_at"])
            _email_later(registration, "event_promoted")
            promoted.append(registration)
        if free is None or len(batch) < (limit or 0):
            break  # everyone waiting has been seen
    return promoted


def event_register(
    *, event: Event, user, now: datetime | None = None, access: Access | None = None
) -> Registration:
    """Registers `user`: a confirmed seat if one is free, else a place on the waiting list.

    The seat is taken while the event's row is locked, so two people never take the last
    seat together. Idempotent: a person already registered (confirmed or waiting) gets their
    registration back unchanged; the partial unique constraint decides, so a double click
    that races itself also ends with one registration. Raises ValidationError with a message
    for the person when they may not register. `access`: their standing in the event's
    community, if the caller has read it already.

    On PostgreSQL, when `event` as read says yes, one statement locks the row, checks that
    what the rules read has not changed since, takes a seat from the database's own count
    and writes the registration with its email (`_register_in_one_statement`). Everything
    else (a refusal, an event edited meanwhile, other databases) goes the long way: lock,
    read the event again, check the rules, count, write.
    """
    now = now or timezone.now()
    if access is None or access.user != user:
        access = _access_of(event=event, user=user)
    try:
        if connection.vendor == "postgresql" and not rules.registration_refusal(access, event, now):
            registration = _register_in_one_statement(event=event, user=user, now=now)
            if registration is not None:
                return registration
        return _register_locked(event=event, user=user, now=now, access=access)
    except IntegrityError:
        # Already registered (events_one_active_registration): nothing changed.
        return Registration.objects.get(
            event_id=event.pk, user=user, status__in=Registration.ACTIVE_STATUSES
        )


def _register_locked(*, event: Event, user, now: datetime, access: Access) -> Registration:
    with transaction.atomic():
        locked = _lock_event(event_id=event.pk)
        if (locked.community_id, locked.audience_version) == (
            event.community_id,
            event.audience_version,
        ):
            locked.community = event.community
        else:
            # Moved to another community (in the admin), or someone's standing there narrowed
            # since the caller read it (the community may have turned private): the community
            # and the person's access are read again, under the lock (the change that
            # narrowed it took this lock too, before it withdrew places).
            access = _access_of(event=locked, user=user)
        refusal = rules.registration_refusal(access, locked, now)
        if refusal:
            raise ValidationError(refusal, code="registration_refused")
        seated = locked.capacity is None or _confirmed_count(locked) < locked.capacity
        registration = _new_registration(event=locked, user=user, now=now, seated=seated)
        # The registration and its email's outbox row in one statement (plain SQL, as
        # everything while the event is locked).
        key = outbox_add_with_insert(
            insert=insert_statement(registration),
            task=REGISTRATION_EMAIL,
            kwargs={"kind": _registered_kind(seated=seated), "seat_key": _seat_key(registration)},
            id_key="registration_id",
        )
    return mark_saved(registration, key)


def _new_registration(*, event: Event, user, now: datetime, seated: bool) -> Registration:
    return Registration(
        event=event,
        user=user,
        status=Registration.Status.CONFIRMED if seated else Registration.Status.WAITING,
        registered_at=now,
        confirmed_at=now if seated else None,
        waiting_since=None if seated else now,
    )


def _registered_kind(*, seated: bool) -> str:
    return "event_registration_confirmed" if seated else "event_registration_waiting"


# The lock that makes the seat count current. The concurrency tests switch it off (their
# negative control) and add a pause after the count (`_SEAT_PAUSE`, empty otherwise) to widen
# the window a race needs.
_SEAT_LOCK = "FOR UPDATE"
_SEAT_PAUSE = ""

# What the registration rules read from the event: the one-statement path registers only if
# none of it changed between the check and the lock.
_RULE_FIELDS = (
    "community",
    "audience_version",  # the person's access as the caller read it still holds
    "status",
    "visibility",
    "starts_at",
    "registration_opens_at",
    "registration_closes_at",
)


def _register_in_one_statement(*, event: Event, user, now: datetime) -> Registration | None:
    """PostgreSQL, when `event` as the caller read it lets `user` register: the registration
    in one statement, in a transaction of its own (or a savepoint of the caller's). The
    event's row stays locked for that statement and its commit only, with no round trip to
    the app in between. None, with nothing written, when the event changed in anything the
    rules read since the caller read it (or was deleted): the caller then goes the long way.

    The seat is free when the count on the locked row is below the capacity. That count is
    the database's own (`confirmed_seats`, kept by triggers: events/migrations/0006), and a
    row locked `FOR UPDATE` is read in its newest version once the lock is granted, so it
    includes the seat taken by whoever held the lock just before. (A `count(*)` in the same
    statement would read the snapshot taken before the wait, and could overbook.)
    """
    statement, insert, outbox, rule_fields = _one_statement(_SEAT_LOCK, _SEAT_PAUSE)
    registration = _new_registration(event=event, user=user, now=now, seated=True)
    params = [
        event.pk,
        *(
            field.get_db_prep_value(getattr(event, field.attname), connection)
            for field in rule_fields
        ),
        now,
        *insert.params(registration),
        # The moment, seat or waiting place, tells this email from a later one.
        *outbox.params({"seat_key": _seat_key(registration)}),
    ]
    with _own_transaction(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return None
    outbox_written()
    key, status = row
    registration.status = status
    if status != Registration.Status.CONFIRMED:
        registration.confirmed_at, registration.waiting_since = None, now
    return mark_saved(registration, key)


@cache
def _one_statement(lock: str, pause: str) -> tuple[str, InsertSelect, OutboxInsertFrom, list]:
    """The one-statement registration's text and its parts, written once per process (per
    lock and pause: the concurrency tests change them). Its parameters, in order: the event's
    key, the values of `_RULE_FIELDS` as the caller read them, the moment, the registration's
    own values, then its email's."""
    e = EVENT_COLUMNS
    unchanged = " AND ".join(f"{e.column(name)} IS NOT DISTINCT FROM %s" for name in _RULE_FIELDS)
    capacity = e.column("capacity")
    confirmed = _literal(Registration.Status.CONFIRMED)
    waiting = _literal(Registration.Status.WAITING)
    status_column = quoted(Registration._meta.get_field("status").column)
    insert = InsertSelect(
        Registration,
        source="seat",
        # The status, and the moment it took effect, are the ones the locked count allows.
        expressions={
            "event": "seat.id",
            "status": f"CASE WHEN seat.seated THEN {confirmed} ELSE {waiting} END",
            "confirmed_at": "CASE WHEN seat.seated THEN seat.moment END",
            "waiting_since": "CASE WHEN seat.seated THEN NULL ELSE seat.moment END",
        },
        returning=(
            f"{quoted(Registration._meta.pk.column)} AS new_key, {status_column} AS status, "
            f"CASE WHEN {status_column} = {confirmed} "
            f"THEN {_literal(_registered_kind(seated=True))} "
            f"ELSE {_literal(_registered_kind(seated=False))} END AS kind"
        ),
    )
    outbox = OutboxInsertFrom(
        source="written",
        task=REGISTRATION_EMAIL,
        columns={"registration_id": "written.new_key", "kind": "written.kind"},
    )
    statement = (
        f"WITH locked AS (SELECT {e.column('id')} AS id, {capacity} AS capacity, "  # noqa: S608
        f"e.confirmed_seats AS confirmed_seats FROM {e.table} e "
        f"WHERE {e.column('id')} = %s AND {unchanged} {lock}), "
        "seat AS (SELECT id, %s::timestamptz AS moment, "
        f"(capacity IS NULL OR confirmed_seats < capacity) AS seated FROM locked{pause}), "
        f"written AS ({insert.sql}) {outbox.sql} "
        "RETURNING (SELECT new_key FROM written), (SELECT status FROM written)"
    )
    return statement, insert, outbox, [Event._meta.get_field(name) for name in _RULE_FIELDS]


def _own_transaction():
    """Nothing when there is no transaction (the statement commits by itself); a savepoint
    inside the caller's, so that a duplicate registration's error leaves it usable."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def _literal(value: str) -> str:
    """A constant of this module as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def registration_cancel(*, registration: Registration, by=None) -> list[Registration]:
    """Cancels a registration; a freed seat goes to the first person waiting, who is
    emailed. Returns the people promoted. Cancelling twice does nothing the second time.
    Refused once the event has started, or when it was cancelled (its registrations stay as
    they were).

    `by`: who cancels, when it is an organiser cancelling someone else's registration from
    the roster; the person is then told the organisers cancelled it. Views check that `by`
    may organise the event.
    """
    by_organiser = by is not None and by.pk != registration.user_id
    return _cancel(
        registration=registration,
        kind="event_registration_removed" if by_organiser else "event_registration_cancelled",
    )


def _cancel(*, registration: Registration, kind: str) -> list[Registration]:
    with transaction.atomic():
        event = _lock_event(event_id=registration.event_id)
        current = Registration.objects.get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            registration.__dict__.update(current.__dict__)
            return []
        refusal = rules.cancel_refusal(event, timezone.now())
        if refusal:
            raise ValidationError(refusal, code="cancel_refused")
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at"])
        _email_later(current, kind)
        promoted = _promote_waiting(event=event)
    registration.__dict__.update(current.__dict__)
    return promoted


# Why someone lost their place at an event they may no longer see; the email says which.
WITHDRAWN_BECAUSE = (
    "audience",  # the organisers narrowed who the event is for
    "standing",  # the person's place in the community changed (left, tier, external, role)
    "private",  # the community became private, and the person is not in it
)


def _withdraw(registration: Registration, *, reason: str = "") -> Registration:
    """Gives up the place of someone who may no longer see the event, and tells them why
    (`WITHDRAWN_BECAUSE`; empty when not known). The event must be locked; the caller fills
    any seat freed."""
    if reason and reason not in WITHDRAWN_BECAUSE:
        raise ValueError(f"unknown reason for a withdrawn place: {reason!r}")
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _email_later(registration, "event_registration_withdrawn", reason=reason)
    return registration


@transaction.atomic
def event_cancel(*, event: Event) -> Event:
    """Cancels the event. Registrations stay (the calendar entries turn to CANCELLED and
    people are told); nobody can register any more."""
    locked = _lock_event(event_id=event.pk)
    if locked.is_cancelled:
        return locked
    if timezone.now() >= locked.ends_at:
        raise ValidationError(_("The event has ended: there is nothing to cancel."))
    locked.status = Event.Status.CANCELLED
    locked.sequence += 1
    locked.save(update_fields=["status", "sequence", "updated_at"])
    for registration in Registration.objects.filter(
        event=locked, status__in=Registration.ACTIVE_STATUSES
    ):
        _email_later(registration, "event_cancelled")
    event.__dict__.update(locked.__dict__)
    return locked


# --- Agenda -------------------------------------------------------------------------------


def _renumber(segments: list[AgendaSegment]) -> None:
    for position, segment in enumerate(segments):
        if segment.position != position:
            segment.position = position
            segment.save(update_fields=["position"])


@transaction.atomic
def agenda_add(
    *, event: Event, title: str, minutes: int, kind: str, people: str = ""
) -> AgendaSegment:
    """Adds a segment at the end. Agenda edits lock the event, so two organisers editing at
    once keep one order."""
    _lock_event(event_id=event.pk)
    position = AgendaSegment.objects.filter(event=event).count()
    segment = AgendaSegment(
        event=event, position=position, title=title.strip(), minutes=minutes, kind=kind,
        people=people.strip(),
    )  # fmt: skip
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def agenda_move(*, segment: AgendaSegment, offset: int) -> None:
    """Moves a segment up (offset -1) or down (+1); at either end nothing changes."""
    _lock_event(event_id=segment.event_id)
    segments = list(AgendaSegment.objects.filter(event_id=segment.event_id))
    index = next((i for i, item in enumerate(segments) if item.pk == segment.pk), None)
    if index is None:  # removed by someone else a moment ago: nothing to move
        return
    target = index + offset
    if 0 <= target < len(segments):
        segments[index], segments[target] = segments[target], segments[index]
    _renumber(segments)


@transaction.atomic
def agenda_remove(*, segment: AgendaSegment) -> None:
    _lock_event(event_id=segment.event_id)
    segment.delete()
    _renumber(list(AgendaSegment.objects.filter(event_id=segment.event_id)))


# --- Before / during / after checklist ----------------------------------------------------


def checklist_add_defaults(*, event: Event) -> list[ChecklistItem]:
    """The format's default checklist, for a new event (nothing if it has items already)."""
    if ChecklistItem.objects.filter(event=event).exists():
        return []
    return ChecklistItem.objects.bulk_create(
        ChecklistItem(event=event, phase=phase, title=title, due_days=days, position=position)
        for position, (phase, title, days) in enumerate(default_items(event.format))
    )


def _check_assignee(*, event: Event, assignee, field: str = "assignee") -> None:
    """A task's assignee (or an action item's owner): an active member who may see the
    event, so the task never shows them an event that is hidden from them."""
    if assignee is None:
        return
    access = _access_of(event=event, user=assignee)
    if not access.is_active_member:
        message = _("%(person)s is not an active member of this community.")
    elif not rules.can_see_event(access, event):
        message = _("%(person)s may not see this event (its visibility is narrower).")
    else:
        return
    raise ValidationError({field: message % {"person": assignee.email}})


@transaction.atomic
def checklist_item_add(
    *, event: Event, phase: str, title: str, due_days: int = 0, assignee=None
) -> ChecklistItem:
    _lock_event(event_id=event.pk)
    _check_assignee(event=event, assignee=assignee)
    item = ChecklistItem(
        event=event,
        phase=phase,
        title=title.strip(),
        due_days=due_days,
        assignee=assignee,
        position=ChecklistItem.objects.filter(event=event).count(),
    )
    item.full_clean()
    item.save()
    return item


def checklist_item_assign(*, item: ChecklistItem, assignee) -> ChecklistItem:
    _check_assignee(event=item.event, assignee=assignee)
    item.assignee = assignee
    item.save(update_fields=["assignee"])
    return item


def checklist_item_set_done(*, item: ChecklistItem, done: bool, by) -> ChecklistItem:
    """Ticks or unticks an item. Ticking twice, even at once, keeps the first time and
    person (a conditional UPDATE)."""
    items = ChecklistItem.objects.filter(pk=item.pk)
    if done:
        items.filter(done_at__isnull=True).update(done_at=timezone.now(), done_by=by)
    else:
        items.update(done_at=None, done_by=None)
    item.refresh_from_db(fields=["done_at", "done_by"])
    return item


def checklist_item_remove(*, item: ChecklistItem) -> None:
    item.delete()


# --- Attendance ---------------------------------------------------------------------------


def registration_check_in(*, registration: Registration, present: bool = True) -> Registration:
    """Marks a registered person present (or not, to undo a wrong tap).

    Checking in records their participation on the membership through the communities
    service, at the event's start (or now, if the doors opened early), so the onboarding
    funnel and the active-member count read one column. Undoing leaves those dates: another
    event or app may have set them too. Checking in twice keeps the first time (a
    conditional UPDATE). Refused at a cancelled event and before check-in opens.
    """
    registrations = Registration.objects.filter(
        pk=registration.pk, status__in=Registration.ACTIVE_STATUSES
    )
    if present:
        event, now = registration.event, timezone.now()
        refusal = rules.check_in_refusal(event, now)
        if refusal:
            raise ValidationError(refusal, code="check_in_closed")
        registrations.filter(checked_in_at__isnull=True).update(checked_in_at=now)
        membership_record_participation(
            community=event.community, user=registration.user, at=min(event.starts_at, now)
        )
    else:
        registrations.update(checked_in_at=None)
    registration.refresh_from_db(fields=["checked_in_at", "status"])
    return registration


# --- Follow-up: materials, notes and review, action items, feedback -----------------------

MATERIAL_EXTENSIONS = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "md", "csv", "png", "jpg",
     "jpeg", "webp"}
)  # fmt: skip
MAX_MATERIAL_BYTES = 20 * 1024 * 1024


def check_material_file(upload) -> None:
    """Type (by extension) and size of an uploaded material; the file is only ever served
    as a download, so its content is not interpreted."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in MATERIAL_EXTENSIONS:
        raise ValidationError(
            {"file": _("Upload a document, a spreadsheet, slides, text or an image (%(types)s).")
             % {"types": ", ".join(sorted(MATERIAL_EXTENSIONS))}}
        )  # fmt: skip
    if upload.size > MAX_MATERIAL_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB. Share a link instead.")})


def material_add(
    *, event: Event, title: str, by, url: str = "", upload=None, visibility: str
) -> Material:
    if bool(url) == bool(upload):
        raise ValidationError(_("Give a link or upload a file (one of the two)."))
    if upload is not None:
        check_material_file(upload)
    material = Material(
        event=event, title=title.strip(), url=url, visibility=visibility, added_by=by,
        filename=upload.name[:200] if upload is not None else "",
    )  # fmt: skip
    material.full_clean(exclude=["file"])
    if upload is not None:
        material.file.save(upload.name, upload, save=False)
    material.save()
    return material


def material_remove(*, material: Material) -> None:
    name, storage = material.file.name, material.file.storage
    material.delete()
    if name:
        transaction.on_commit(partial(storage.delete, name))


def follow_up_save(*, event: Event, by, **fields) -> FollowUp:
    follow_up, _created = FollowUp.objects.get_or_create(event=event)
    for name, value in fields.items():
        setattr(follow_up, name, value)
    follow_up.updated_by = by
    follow_up.full_clean()
    follow_up.save()
    return follow_up


def action_item_add(*, event: Event, title: str, owner, due_date) -> ActionItem:
    _check_assignee(event=event, assignee=owner, field="owner")
    item = ActionItem(event=event, title=title.strip(), owner=owner, due_date=due_date)
    item.full_clean()
    item.save()
    return item


def action_item_set_done(*, item: ActionItem, done: bool) -> ActionItem:
    item.done_at = (item.done_at or timezone.now()) if done else None
    item.save(update_fields=["done_at"])
    return item


def action_item_remove(*, item: ActionItem) -> None:
    item.delete()


def feedback_submit(
    *, event: Event, user, rating: int, recommend: int, comment: str = ""
) -> Feedback:
    """Records or updates an attendee's feedback (one per person and event)."""
    registration = Registration.objects.filter(
        event=event, user=user, status__in=Registration.ACTIVE_STATUSES
    ).first()
    refusal = rules.feedback_refusal(_access_of(event=event, user=user), event, registration)
    if refusal:
        raise ValidationError(refusal, code="feedback_refused")
    feedback, _created = Feedback.objects.update_or_create(
        event=event,
        user=user,
        defaults={"rating": rating, "recommend": recommend, "comment": comment.strip()},
    )
    return feedback


# --- Calendar links -----------------------------------------------------------------------


def calendar_token_get(*, user, community=None) -> CalendarToken:
    """The person's live calendar link (their own feed, or a community's), made on first
    use. Safe under a double click: the partial unique constraint keeps one live link."""
    live = CalendarToken.objects.filter(user=user, community=community, revoked_at__isnull=True)
    token = live.first()
    if token is not None:
        return token
    try:
        with transaction.atomic():
            return CalendarToken.objects.create(user=user, community=community)
    except IntegrityError:
        return live.get()


@transaction.atomic
def calendar_token_renew(*, user, community=None) -> CalendarToken:
    """Revokes the live link (calendars subscribed to it stop updating) and makes a new one."""
    CalendarToken.objects.filter(user=user, community=community, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return CalendarToken.objects.create(user=user, community=community)


def registrations_release_of(*, user) -> int:
    """Before a person's account is deleted (accounts' `register_user_deleting`): their
    places at events that have not started are given up, and each freed seat goes to the
    first person waiting, as when they cancel. They are not emailed (the registration goes
    with the account). Places at events that have started or were cancelled are left to the
    deletion: nobody is promoted into those. Returns how many places were given up.

    Every event the deletion will lock is locked first, in id order: those with the person's
    places, and the upcoming events of each of their communities (ending the memberships
    next locks those, `_audience_narrowed`). Taken one set after the other, the two would
    not be in one order, and a leaving in the same community could deadlock with it."""
    now = timezone.now()
    upcoming = Event.objects.filter(starts_at__gt=now).exclude(status=Event.Status.CANCELLED)
    theirs = upcoming.filter(
        Q(registrations__user=user, registrations__status__in=Registration.ACTIVE_STATUSES)
        | Q(community__memberships__user=user)
    ).values("id")
    list(Event.objects.select_for_update().filter(pk__in=theirs).order_by("id").values("id"))
    event_ids = (
        Registration.objects.filter(
            user=user, status__in=Registration.ACTIVE_STATUSES, event__starts_at__gt=now
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .order_by("event_id")
        .values_list("event_id", flat=True)
        .distinct()
    )
    count = 0
    for event_id in event_ids:
        with transaction.atomic():
            locked = _lock_event(event_id=event_id)
            count += Registration.objects.filter(
                event_id=event_id, user=user, status__in=Registration.ACTIVE_STATUSES
            ).update(status=Registration.Status.CANCELLED, cancelled_at=now)
            _promote_waiting(event=locked)
    return count


def _audience_narrowed(*, community) -> None:
    """Locks the community's upcoming events, in id order, and raises their
    `audience_version`, before the places are read. A registration that took the lock first
    is committed, and read below; one that comes after sees the new number and reads the
    person's access again, so whoever's standing narrowed cannot register with the old."""
    upcoming = (
        Event.objects.select_for_update()
        .filter(community=community, starts_at__gt=timezone.now())
        .exclude(status=Event.Status.CANCELLED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    Event.objects.filter(pk__in=list(upcoming)).update(audience_version=F("audience_version") + 1)


@transaction.atomic
def registrations_withdraw_unseen(*, community, user=None) -> int:
    """After someone's standing in a community narrowed (they left or were removed, changed
    tier, became an external member, lost the sponsor role), or everyone's (`user` None: the
    community turned private): places at its upcoming events that their holders may no
    longer see are given up, the holders are told, and the freed seats go to the waiting
    list. Places at events they still see stay (a public event, for one). Runs in the
    caller's transaction (communities' standing_changed extension point); events are locked
    in id order, so two such changes never wait on each other in a circle.
    """
    registrations = (
        Registration.objects.filter(
            event__community=community,
            event__starts_at__gt=timezone.now(),
            status__in=Registration.ACTIVE_STATUSES,
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event", "user")
        .order_by("event_id", "id")
    )
    if user is not None:
        registrations = registrations.filter(user=user)
    _audience_narrowed(community=community)
    count = 0
    for event_id, grouped in groupby(registrations, key=lambda registration: registration.event_id):
        group = list(grouped)
        event = group[0].event
        event.community = community
        unseen = _may_not_hold_place(event=event, registrations=group)
        if not unseen:
            continue
        with transaction.atomic():
            locked = _lock_event(event_id=event_id)
            locked.community = community
            for registration in Registration.objects.filter(
                pk__in=[r.pk for r in unseen], status__in=Registration.ACTIVE_STATUSES
            ):
                _withdraw(registration, reason="standing" if user is not None else "private")
                count += 1
            _promote_waiting(event=locked)
    return count
