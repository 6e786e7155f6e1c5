"""Time zones as members type them: IANA names, abbreviations ("EST"), regions and cities."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from bot.errors import InvalidInput
from bot.tzdb import zone as load_zone
from bot.tzdb import zone_names

# What members mean by an abbreviation or a region: a zone with its daylight-saving rules,
# so "EST" is New York's clock all year rather than the fixed UTC-5 zone named "EST".
_ALIASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "America/New_York": ("Eastern Time", ("est", "edt", "et", "eastern", "us eastern")),
    "America/Chicago": ("Central Time", ("cst", "cdt", "ct", "central", "us central")),
    "America/Denver": ("Mountain Time", ("mst", "mdt", "mt", "mountain", "us mountain")),
    "America/Phoenix": ("Arizona", ("arizona",)),
    "America/Los_Angeles": (
        "Pacific Time",
        ("pst", "pdt", "pt", "pacific", "us pacific", "san francisco", "seattle"),
    ),
    "America/Anchorage": ("Alaska", ("akst", "akdt", "alaska")),
    "Pacific/Honolulu": ("Hawaii", ("hst", "hawaii")),
    "America/Halifax": ("Atlantic Time", ("ast", "adt", "atlantic")),
    "America/St_Johns": ("Newfoundland", ("nst", "ndt", "newfoundland")),
    "America/Sao_Paulo": ("Brasília Time", ("brt", "brazil", "rio de janeiro")),
    "Europe/London": ("UK time", ("bst", "uk", "britain", "england")),
    "Europe/Dublin": ("Irish time", ("ireland",)),
    "Europe/Lisbon": ("Western European Time", ("wet", "west", "western european")),
    "Europe/Berlin": ("Central European Time", ("cet", "cest", "central european", "germany")),
    "Europe/Paris": ("France", ("france",)),
    "Europe/Athens": ("Eastern European Time", ("eet", "eest", "eastern european")),
    "Europe/Moscow": ("Moscow Time", ("msk",)),
    "Asia/Kolkata": ("India", ("ist", "india", "mumbai", "delhi", "new delhi", "bangalore")),
    "Asia/Shanghai": ("China", ("china", "beijing")),
    "Asia/Hong_Kong": ("Hong Kong", ("hkt",)),
    "Asia/Singapore": ("Singapore", ("sgt",)),
    "Asia/Tokyo": ("Japan", ("jst", "japan")),
    "Asia/Seoul": ("Korea", ("kst", "korea")),
    "Australia/Sydney": ("Australian Eastern Time", ("aest", "aedt", "australia eastern")),
    "Australia/Adelaide": ("Australian Central Time", ("acst", "acdt")),
    "Australia/Perth": ("Australian Western Time", ("awst",)),
    "Pacific/Auckland": ("New Zealand", ("nzst", "nzdt", "new zealand")),
    "UTC": ("Coordinated Universal Time", ("utc", "z", "zulu", "universal")),
}

# Shown when nothing is typed yet.
COMMON_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)

# A real IANA zone, but one that means "no zone set": never offered.
_HIDDEN = {"Factory"}


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """An IANA zone and, when the member typed an alias, the alias it matched."""

    zone: str
    alias: str | None = None


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


@functools.cache
def _index() -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    """(alias → zone, city → zone, every IANA name sorted)."""
    zones = tuple(sorted(zone_names() - _HIDDEN))
    aliases = {alias: zone for zone, (_, words) in _ALIASES.items() for alias in words}
    cities: dict[str, str] = {}
    for zone in zones:
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/")):
            cities.setdefault(_key(zone.rsplit("/", 1)[1]), zone)
    return aliases, cities, zones


def alias_label(zone: str) -> str | None:
    """A plain name for a zone that has aliases ("Eastern Time")."""
    entry = _ALIASES.get(zone)
    return entry[0] if entry else None


def resolve_zone(text: str) -> str:
    """The IANA name ``text`` means; ``InvalidInput`` with suggestions when there is none."""
    wanted = _key(text)
    aliases, cities, zones = _index()
    if wanted in aliases:
        return aliases[wanted]
    for zone in zones:
        if _key(zone) == wanted:
            return zone
    if wanted in cities:
        return cities[wanted]
    suggestions = [m.zone for m in search_zones(text, limit=3)]
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise InvalidInput(
        f"{text.strip()[:60]!r} is not a time zone I know.{hint} Use an IANA name such as "
        "'Europe/Paris', a city ('Paris') or an abbreviation ('EST'); pick from the suggestions."
    )


def search_zones(text: str, *, limit: int = 25) -> list[ZoneMatch]:
    """Zones matching ``text``: exact matches, then prefixes, then substrings; aliases first."""
    wanted = _key(text)
    if not wanted:
        return [ZoneMatch(zone) for zone in COMMON_ZONES[:limit]]
    aliases, cities, zones = _index()
    ranked: dict[str, tuple[tuple[int, int, str], str | None]] = {}

    def offer(zone: str, rank: int, kind: int, alias: str | None) -> None:
        score = (rank, kind, zone)
        if zone not in ranked or score < ranked[zone][0]:
            ranked[zone] = (score, alias)

    for alias, zone in aliases.items():
        if (rank := _rank(alias, wanted)) is not None:
            shown = (
                None if alias == _key(zone) else alias.upper() if len(alias) <= 4 else alias.title()
            )
            offer(zone, rank, 0, shown)
    for city, zone in cities.items():
        if (rank := _rank(city, wanted)) is not None:
            offer(zone, rank, 1, None)
    for zone in zones:
        key = _key(zone)
        if (rank := _rank(key, wanted)) is not None:
            offer(zone, rank, 2, None)
        parts = key.split("/")[1:]
        best = min((r for part in parts if (r := _rank(part, wanted)) is not None), default=None)
        if best is not None:
            offer(zone, best, 3, None)
    ordered = sorted(ranked.items(), key=lambda item: item[1][0])
    return [ZoneMatch(zone, alias) for zone, (_, alias) in ordered[:limit]]


def _rank(candidate: str, wanted: str) -> int | None:
    if candidate == wanted:
        return 0
    if candidate.startswith(wanted):
        return 1
    if wanted in candidate:
        return 2
    return None


def utc_offset(zone: str, now: datetime) -> str:
    """The zone's offset at ``now``: "UTC+01:00", "UTC-05:00", "UTC+05:30"."""
    offset = now.astimezone(load_zone(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def local_clock(zone: str, now: datetime) -> str:
    """The wall-clock time in ``zone`` at ``now`` ("14:05")."""
    return now.astimezone(load_zone(zone)).strftime("%H:%M")


def choice_label(match: ZoneMatch, now: datetime) -> str:
    """What autocomplete shows: "EST → America/New_York (UTC-05:00, 07:00 now)"."""
    zone = match.zone
    where = f"{match.alias} → {zone}" if match.alias else zone
    return f"{where} ({utc_offset(zone, now)}, {local_clock(zone, now)} now)"[:100]
