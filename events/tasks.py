from celery import shared_task

from events.emails import registration_email_send


@shared_task(acks_late=True)
def registration_email(
    registration_id: int, kind: str, seat_key: str = "", reason: str = ""
) -> bool:
    """Emails a person about their registration. Once per (registration, kind, seat): a
    retried or duplicated task records no second email (notifications' delivery key)."""
    return registration_email_send(
        registration_id=registration_id, kind=kind, seat_key=seat_key, reason=reason
    )
