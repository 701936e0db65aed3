import functools
import zoneinfo


@functools.cache
def time_zone_names() -> frozenset[str]:
    """Every IANA time zone name this machine knows (read from disk once per process)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]
