"""Who may see, organise and register for events: the one place these rules live.

They build on `communities.rules.Access` (the person's standing in the community, read once
per request). `visibilities_for(access)` is what lists filter on, so a list never shows what
the detail page would refuse.
"""

from datetime import timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from communities import rules as community_rules
from events.models import Event, Visibility


def is_signed_in(access) -> bool:
    """Pages about one's own place at an event (register, cancel, feedback, tasks)."""
    return access.is_authenticated


def can_organise(access) -> bool:
    """Create, edit and run events: the Core Group and the Core Team."""
    return community_rules.can_run_activities(access)


def visibilities_for(access) -> tuple[str, ...]:
    """The event visibilities this person may see in this community."""
    if not community_rules.can_see_community(access):
        return ()
    if can_organise(access):
        return tuple(Visibility.values)
    seen = [Visibility.PUBLIC]
    if community_rules.can_see_member_pages(access):  # members, and sponsors who read along
        seen.append(Visibility.MEMBERS)
    if access.is_active_member and access.membership.is_internal:
        seen.append(Visibility.INTERNAL)
    return tuple(seen)


def can_see_event(access, event: Event) -> bool:
    return event.community_id == access.community.pk and event.visibility in visibilities_for(
        access
    )


def is_external_to_internal_event(access, event: Event) -> bool:
    """An external member (a partner, not staff of the host organisation) and an
    internal-only event: they may not hold a place at it, whatever their tier."""
    return (
        event.visibility == Visibility.INTERNAL
        and access.is_active_member
        and not access.membership.is_internal
    )


def is_external_member_of_internal_event(access, event: Event) -> bool:
    """An external member looking at an internal-only event: told why, not shown it. (The
    Core Group and Core Team see it, to run it, but hold no place there either.)"""
    return is_external_to_internal_event(access, event) and not can_organise(access)


def may_hold_place(access, event: Event) -> bool:
    """May this person have a seat or a waiting place: they see the event, and it is not an
    internal-only event they are external to."""
    return can_see_event(access, event) and not is_external_to_internal_event(access, event)


CHECK_IN_OPENS = timedelta(hours=3)


def check_in_refusal(event: Event, now) -> str | None:
    """Why nobody may be checked in now, or None: not at a cancelled event, and not before
    the doors open (three hours before the start), so a tap on the wrong event's page does
    not record participation in an event that has not happened."""
    if event.is_cancelled:
        return _("This event was cancelled: there is no one to check in.")
    if now < event.starts_at - CHECK_IN_OPENS:
        return _("Check-in opens three hours before the event starts.")
    return None


def cancel_refusal(event: Event, now) -> str | None:
    """Why registrations to this event may no longer be cancelled, or None: not once it has
    started (the roster then records who came) or was cancelled (who had a place stays)."""
    if event.is_cancelled:
        return _("This event was cancelled.")
    if now >= event.starts_at:
        return _("The event has started: registrations can no longer be cancelled.")
    return None


def registration_refusal(access, event: Event, now=None) -> str | None:  # noqa: PLR0911
    """Why this person may not register for this event now, or None if they may."""
    now = now or timezone.now()
    if not access.is_authenticated:
        return _("Sign in to register.")
    if event.is_cancelled:
        return _("This event was cancelled.")
    if is_external_to_internal_event(access, event):
        return _(
            "This event is for internal members only (staff of the host organisation). You "
            "are an external member of this community, so you cannot register."
        )
    if event.visibility != Visibility.PUBLIC and not access.is_active_member:
        return _("Only members of %(community)s may register. Join the community first.") % {
            "community": access.community.name
        }
    if not can_see_event(access, event):
        return _("This event is not open to you.")
    if now >= event.starts_at:
        return _("Registration closed when the event started.")
    if now >= event.registration_closes:
        return _("Registration has closed.")
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        opens = formats.date_format(
            timezone.localtime(event.registration_opens_at), "DATETIME_FORMAT"
        )
        # The zone named in brackets (the viewer's), which also keeps a date that ends in
        # "a.m." from a second full stop.
        return _("Registration opens on %(date)s (%(zone)s).") % {
            "date": opens,
            "zone": timezone.get_current_timezone_name(),
        }
    return None


def can_see_at(access, visibility: str) -> bool:
    """Materials and notes carry a visibility of their own, inside the event's."""
    return visibility in visibilities_for(access)


def feedback_refusal(access, event: Event, registration, now=None) -> str | None:
    """Why this person may not give feedback on this event, or None if they may: attendees
    (checked in, or holding a confirmed seat), once the event has started."""
    now = now or timezone.now()
    if not access.is_authenticated:
        return _("Sign in to give feedback.")
    if event.is_cancelled:
        return _("This event was cancelled.")
    if now < event.starts_at:
        return _("Feedback opens when the event starts.")
    came = registration is not None and (
        registration.checked_in_at is not None or registration.is_confirmed
    )
    if not came:
        return _("Feedback is for the people who attended.")
    return None
