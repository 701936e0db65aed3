from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def in_event_zone(value, event) -> str:
    """The time as the organisers wrote it, in the event's own time zone."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(event.time_zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({event.time_zone})"


@register.filter
def urlize_host(url: str) -> str:
    """The host a link goes to, shown beside it."""
    return urlsplit(url).hostname or ""
