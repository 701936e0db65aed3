"""iCalendar (RFC 5545) files for events.

UIDs come from the event's own UUID, so an edited event updates the calendar entry instead
of adding one; SEQUENCE goes up with each edit; times carry their time zone (with its
VTIMEZONE); a cancelled event says STATUS:CANCELLED.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

PRODUCT_ID = "-//Copsite//Copsite events//EN"


def event_uid(event) -> str:
    return f"{event.uid}@copsite"


def event_url(event) -> str:
    return settings.SITE_URL + reverse(
        "events:detail", kwargs={"slug": event.community.slug, "pk": event.pk}
    )


# Reminders in a person's own feed: a day and an hour before (as the reminder emails).
REMINDERS = (timedelta(days=1), timedelta(hours=1))


def vevent(event, *, with_link: bool = False, alarms: tuple[timedelta, ...] = (), tentative=False):
    """One VEVENT. `with_link` adds the meeting link (only for people with a seat);
    `tentative` marks a place on the waiting list."""
    zone = ZoneInfo(event.time_zone)
    entry = icalendar.Event()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", event.updated_at or timezone.now())
    entry.add("sequence", event.sequence)
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    if event.is_cancelled:
        entry.add("status", "CANCELLED")
    else:
        entry.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    url = event_url(event)
    entry.add("url", url)
    description = [event.description.strip(), url]
    # No meeting link once the event is cancelled: the call must not go on without it.
    link = event.online_url if with_link and not event.is_cancelled else ""
    if link:
        description.insert(1, link)
    entry.add("description", "\n\n".join(part for part in description if part))
    location = [event.place] if event.place else []
    if link:
        location.append(link)
    if location:
        entry.add("location", " / ".join(location))
    for before in () if event.is_cancelled else alarms:  # no reminder of a called-off event
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.title)
        alarm.add("trigger", -before)
        entry.add_component(alarm)
    return entry


def calendar_bytes(entries, *, name: str = "") -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for entry in entries:
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    if not calendar.subcomponents:
        # RFC 5545 wants at least one component: a feed with no events yet gets a time zone.
        calendar.add_component(icalendar.Timezone.from_tzid("UTC"))
    return calendar.to_ical()


def event_ics(event, *, with_link: bool = False) -> bytes:
    return calendar_bytes([vevent(event, with_link=with_link)], name=event.title)
