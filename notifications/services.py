import time
from datetime import timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from copsite.rows import quoted
from notifications.models import Delivery, OutboxMessage


def _render_plain(name: str, context: dict[str, Any]) -> str:
    """A plain-text template (a subject, a text body): nothing HTML-escaped, so that
    "O'Brien" or "R&D" read as written."""
    return get_template(name).template.render(Context(context, autoescape=False))


def _render(template_prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject = _render_plain(f"{template_prefix}_subject.txt", context)
    subject = " ".join(subject.split())
    body_text = _render_plain(f"{template_prefix}_message.txt", context).strip()
    try:
        body_html = render_to_string(f"{template_prefix}_message.html", context).strip()
    except TemplateDoesNotExist:
        # Every email has an HTML part; without a template of its own, the text is laid out
        # in the house layout (paragraphs kept, links made clickable).
        body_html = render_to_string(
            "notifications/email/text_as_html.html", {**context, "text": body_text}
        ).strip()
    return subject, body_text, body_html


def email_send(
    *,
    to: str,
    kind: str,
    template_prefix: str,
    context: dict[str, Any] | None = None,
    about: str = "",
    period: str = "",
    user=None,
    language: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> tuple[Delivery, bool]:
    """Renders an email in the recipient's language and time zone and sends it once.

    Templates: `<template_prefix>_subject.txt`, `_message.txt` and optionally `_message.html`;
    they get `recipient`, `user` and `site_url` (for absolute links) besides `context`.
    `attachments` are text files, `{"filename", "content", "mimetype"}`, kept with the row.
    The delivery row is written in the caller's transaction; the send is handed to a Celery
    task only after that transaction commits, so a rolled-back action sends nothing.

    Idempotent on (to, kind, about, period): when that key exists, nothing is rendered or
    sent and the existing row is returned with `created=False`. Safe under concurrency: the
    unique constraint decides, not a prior read.
    """
    recipient = to.strip().lower()
    key = {"recipient": recipient, "kind": kind, "about": about, "period": period}
    existing = Delivery.objects.filter(**key).first()
    if existing is not None:
        return existing, False

    if language is None:
        language = getattr(user, "preferred_language", None) or translation.get_language()
    language = language or settings.LANGUAGE_CODE
    zone = getattr(user, "time_zone", None) or settings.TIME_ZONE
    render_context = {
        "recipient": recipient,
        "user": user,
        "site_url": settings.SITE_URL,
        **(context or {}),
    }
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        subject, body_text, body_html = _render(template_prefix, render_context)

    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                **key,
                user=user,
                language=language,
                subject=(settings.EMAIL_SUBJECT_PREFIX + subject)[:300],
                body_text=body_text,
                body_html=body_html,
                headers=headers or {},
                attachments=attachments or [],
            )
    except IntegrityError:
        # Another process recorded the same email between our read and our insert.
        return Delivery.objects.get(**key), False

    from notifications.tasks import deliver_email  # noqa: PLC0415 (tasks import this module)

    # robust: a broker outage must not undo the caller's committed action; the row stays
    # PENDING and requeue_pending_deliveries picks it up.
    transaction.on_commit(partial(deliver_email.delay, delivery.pk), robust=True)
    return delivery, True


def delivery_send(*, delivery_id: int) -> bool:
    """Sends one recorded email, at most once. Returns whether this call sent it.

    Claims the row with a conditional UPDATE (PENDING -> SENDING), so two workers that get
    the same task (a redelivery, a requeue) never both send. A transient failure puts the
    row back to PENDING and re-raises, for the task to retry; a crash between the claim and
    the SMTP handoff leaves it SENDING, visible in the admin, rather than risk a duplicate.
    """
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now
    )
    if not claimed:
        return False
    delivery = Delivery.objects.get(pk=delivery_id)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        headers=delivery.headers,
    )
    if delivery.body_html:
        message.attach_alternative(delivery.body_html, "text/html")
    for attachment in delivery.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    try:
        message.send()
    except Exception as error:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.PENDING, last_error=repr(error)[:2000]
        )
        raise
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def delivery_mark_failed(*, delivery_id: int, error: str) -> None:
    """Gives up on a delivery after its last retry; the admin shows why."""
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, last_error=error[:2000]
    )


MAX_ATTEMPTS = 10


def deliveries_pending_ids(*, older_than: timedelta) -> list[int]:
    """Pending rows whose task was lost (broker restart, enqueue failed after commit)."""
    cutoff = timezone.now() - older_than
    return list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
        )
        .exclude(last_attempt_at__gte=cutoff)
        .values_list("pk", flat=True)[:1000]
    )


def deliveries_fail_stuck(*, older_than: timedelta) -> int:
    """Marks FAILED the deliveries a worker claimed but never finished (it died mid-send).
    They are not retried: the email may have left, and a duplicate is worse than a gap. The
    admin lists them under Failed, with the reason."""
    cutoff = timezone.now() - older_than
    return Delivery.objects.filter(
        status=Delivery.Status.SENDING, last_attempt_at__lt=cutoff
    ).update(
        status=Delivery.Status.FAILED,
        last_error="The worker stopped while sending; not retried, to avoid sending twice.",
    )


# --- Outbox -------------------------------------------------------------------------------

OUTBOX_MAX_ATTEMPTS = 5
# A busy process asks the worker to drain at most this often; the beat drains anyway.
OUTBOX_NUDGE_SECONDS = 1.0
_last_nudge = 0.0


def outbox_add(*, task: str, kwargs: dict[str, Any]) -> OutboxMessage:
    """Records that `task(**kwargs)` must run once the caller's transaction commits.

    The row commits (or rolls back) with the caller's own writes. After the commit, the
    worker is nudged to drain the outbox (at most once a second per process, so a burst of
    requests publishes a handful of messages, not one each); the beat drains it every few
    seconds whatever happens, so a lost nudge only delays the work.
    """
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(_nudge_drain, robust=True)
    return message


def outbox_add_with_insert(
    *, insert: tuple[str, list], task: str, kwargs: dict[str, Any], id_key: str
) -> int:
    """Runs `insert`, one `INSERT ... RETURNING` the new row's key (as
    `copsite.rows.insert_statement` writes it), and records `task(**kwargs)` like
    `outbox_add`, with the new key added to the arguments as `id_key`. Returns that key.

    On PostgreSQL the row and its outbox row are written by one statement, a single round
    trip for a caller that holds a lock meanwhile. Elsewhere they are two statements, so
    call it inside the caller's `transaction.atomic()`, as services do.
    """
    sql, params = insert
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            key = cursor.fetchone()[0]
        outbox_add(task=task, kwargs={**kwargs, id_key: key})
        return key
    outbox = OutboxInsertFrom(source="written", task=task, columns={id_key: "written.new_key"})
    statement = (
        f"WITH written (new_key) AS ({sql}) {outbox.sql} "  # noqa: S608 (see OutboxInsertFrom)
        "RETURNING (SELECT new_key FROM written)"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *outbox.params(kwargs)])
        key = cursor.fetchone()[0]
    outbox_written()
    return key


class OutboxInsertFrom:
    """PostgreSQL: `INSERT INTO <outbox> (...) SELECT ... FROM <source>`, one outbox row for
    `task(**kwargs)` per row of `source`, a WITH query of the caller's statement, with
    `columns` added to the arguments: argument name to an SQL expression over `source`.

    For a statement that writes a row and its email together while it holds a lock (a data
    modifying WITH cannot sit inside another one, so the caller's statement holds both).
    Its text is written once (build one per process and keep it); `params(kwargs)` gives the
    values for one row. The expressions are the caller's own SQL, never input. Call
    `outbox_written()` after the statement ran.
    """

    def __init__(self, *, source: str, task: str, columns: dict[str, str]):
        meta = OutboxMessage._meta
        self.task = task
        self.fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
        self.names = list(columns)
        selects = []
        for field in self.fields:
            if field.name == "kwargs":
                pairs = ", ".join(f"%s::text, {expression}" for expression in columns.values())
                selects.append(f"%s::jsonb || jsonb_build_object({pairs})")
            else:
                selects.append("%s")
        # Identifiers come from the model; every value is a bound parameter.
        self.sql = (
            f"INSERT INTO {quoted(meta.db_table)} "  # noqa: S608
            f"({', '.join(quoted(field.column) for field in self.fields)}) "
            f"SELECT {', '.join(selects)} FROM {source}"
        )

    def params(self, kwargs: dict[str, Any]) -> list:
        message = OutboxMessage(task=self.task, kwargs=kwargs)
        values = []
        for field in self.fields:
            value = field.get_db_prep_save(field.pre_save(message, add=True), connection)
            if field.name == "kwargs":
                values += [value, *self.names]
            else:
                values.append(value)
        return values


def outbox_written() -> None:
    """After rows were added to the outbox with hand-written SQL: a worker is nudged once
    they are committed (at once when there is no transaction)."""
    transaction.on_commit(_nudge_drain, robust=True)


def _nudge_drain() -> None:
    global _last_nudge  # noqa: PLW0603 (a per-process rate limit)
    now = time.monotonic()
    if now - _last_nudge < OUTBOX_NUDGE_SECONDS:
        # A worker was nudged less than a second ago: it drains this row too. Checked first,
        # as the cheapest test on a path that runs on every registration.
        return
    from notifications.tasks import drain_outbox  # noqa: PLC0415 (tasks import this module)

    if drain_outbox.app.conf.task_always_eager:
        # Runs here and now: nothing is published, nothing to limit (so `_last_nudge` never
        # moves while tasks run inline).
        drain_outbox.delay()
        return
    _last_nudge = now
    drain_outbox.delay()


def outbox_drain(*, limit: int = 1000, seconds: float = 50.0) -> int:
    """Runs the outbox's tasks, oldest first, each once; returns how many ran.

    Each row is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` in its own transaction, so
    several workers drain side by side without running a row twice; a row is deleted in the
    transaction that ran its task. The tasks must be idempotent (the email path is). A task
    that fails keeps its row for the next drain, and is given up after OUTBOX_MAX_ATTEMPTS
    (its error stays on the row, for the admin).
    """
    done, failed, deadline = 0, [], time.monotonic() + seconds
    while done < limit and time.monotonic() < deadline:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(attempts__lt=OUTBOX_MAX_ATTEMPTS)
                .exclude(pk__in=failed)  # a row that failed waits for the next drain
                .order_by("id")
                .first()
            )
            if message is None:
                break
            try:
                task = import_string(message.task)  # a task's name is its dotted path
                with transaction.atomic():
                    task(**message.kwargs)  # inline: this already runs in a worker
            except Exception as error:  # noqa: BLE001 (kept on the row, retried next drain)
                message.attempts += 1
                message.last_error = repr(error)[:2000]
                message.save(update_fields=["attempts", "last_error"])
                failed.append(message.pk)
                continue
            message.delete()
            done += 1
    return done
