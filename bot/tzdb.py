"""Which names are real IANA time zones, and loading them: the one check every caller shares.

``ZoneInfo`` alone is no check: it raises ``IsADirectoryError`` for a region ("Europe") and
other ``OSError`` for names too long for a path, and it loads files that are not IANA zones
("posixrules", "right/UTC", the machine's "localtime").
"""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Debian and others link the machine's own zone here; it names no zone of its own.
_NOT_ZONES = frozenset({"localtime"})


class UnknownZone(ZoneInfoNotFoundError):
    """The name is not an IANA time zone."""


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name of the tz database ``zoneinfo`` reads."""
    return frozenset(available_timezones() - _NOT_ZONES)


def is_zone(name: object) -> bool:
    return isinstance(name, str) and name in zone_names()


@functools.lru_cache(maxsize=512)
def _load(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(name: str) -> ZoneInfo:
    """The zone called ``name``; ``UnknownZone`` when there is none."""
    if not is_zone(name):
        raise UnknownZone(f"no time zone called {str(name)[:60]!r}")
    return _load(name)
