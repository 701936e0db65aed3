"""The emails about a registration, through notifications' one email path."""

from django.utils.text import slugify

from events.ical import event_ics, event_url
from events.models import Registration
from events.selectors import waiting_position
from notifications.services import email_send

# kind -> whether the email carries the .ics (with the meeting link: the person has a seat)
KINDS = {
    "event_registration_confirmed": True,
    "event_promoted": True,
    "event_registration_waiting": False,
    "event_moved_to_waiting_list": False,
    "event_registration_cancelled": False,
    "event_registration_removed": False,
    "event_registration_withdrawn": False,
    "event_cancelled": False,
}


# kind -> the registration statuses under which the email is still true when it is sent
STILL_TRUE = {
    "event_registration_confirmed": {Registration.Status.CONFIRMED},
    "event_promoted": {Registration.Status.CONFIRMED},
    "event_registration_waiting": {Registration.Status.WAITING},
    "event_moved_to_waiting_list": {Registration.Status.WAITING},
    "event_registration_cancelled": {Registration.Status.CANCELLED},
    "event_registration_removed": {Registration.Status.CANCELLED},
    "event_registration_withdrawn": {Registration.Status.CANCELLED},
    "event_cancelled": set(Registration.Status.values),
}


def registration_email_send(
    *, registration_id: int, kind: str, seat_key: str = "", reason: str = ""
) -> bool:
    """Sends the `kind` email about a registration, once. Returns whether it was recorded
    now (False: already sent, or the registration has gone). `reason`: why a place was
    withdrawn (events.services.WITHDRAWN_BECAUSE), for the email to say."""
    if kind not in KINDS:
        raise ValueError(f"unknown registration email {kind!r}")
    registration = (
        Registration.objects.select_related("event__community", "user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or registration.status not in STILL_TRUE[kind]:
        # The seat changed before the email left (cut, cancelled): it would say what is no
        # longer so. Whatever changed it sent its own email.
        return False
    event = registration.event
    attachments = []
    if KINDS[kind]:
        attachments.append(
            {
                "filename": f"{slugify(event.title)[:50] or 'event'}.ics",
                "content": event_ics(event, with_link=True).decode(),
                "mimetype": "text/calendar",
            }
        )
    _delivery, created = email_send(
        to=registration.user.email,
        user=registration.user,
        kind=kind,
        about=f"registration:{registration.pk}",
        period=seat_key,
        template_prefix=f"events/email/{kind}",
        context={
            "event": event,
            "registration": registration,
            "community": event.community,
            "event_url": event_url(event),
            "reason": reason,
            "waiting_position": waiting_position(registration=registration)
            if registration.is_waiting
            else None,
        },
        attachments=attachments,
    )
    return created
