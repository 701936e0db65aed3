import smtplib
from datetime import timedelta

from celery import shared_task

from notifications.services import (
    deliveries_fail_stuck,
    deliveries_pending_ids,
    delivery_mark_failed,
    delivery_send,
    outbox_drain,
)

TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(bind=True, max_retries=6, acks_late=True)
def deliver_email(self, delivery_id: int) -> bool:
    try:
        return delivery_send(delivery_id=delivery_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            delivery_mark_failed(delivery_id=delivery_id, error=repr(error))
            raise
        # 30 s, 1 min, 2 min ... about 30 minutes in all before giving up.
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task
def requeue_pending_deliveries() -> int:
    """Beat task: re-enqueue deliveries whose task never ran, and mark FAILED those a worker
    claimed and never finished. Sending stays at most once."""
    deliveries_fail_stuck(older_than=timedelta(minutes=15))
    ids = deliveries_pending_ids(older_than=timedelta(minutes=10))
    for delivery_id in ids:
        deliver_email.delay(delivery_id)
    return len(ids)


@shared_task(acks_late=True)
def drain_outbox() -> int:
    """Runs the outbox's tasks (nudged after commits, and on the beat every few seconds)."""
    return outbox_drain()
