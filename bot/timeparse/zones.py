"""A zone named in the phrase ("9am ET", "18:00 CET", "noon Tokyo time") as an IANA zone.

Abbreviations stand for the zone that uses them, with its daylight saving: "ET" and "EST" are
both America/New_York, never a fixed offset. One that several zones use is refused with the
choices.
"""

from __future__ import annotations

import re
from functools import cache

from bot.timeparse.errors import TimeParseError
from bot.tzdb import zone_names

ABBREVIATIONS: dict[str, str] = {
    "utc": "UTC", "gmt": "UTC",
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "eastern": "America/New_York",
    "ct": "America/Chicago", "cdt": "America/Chicago", "central": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "akst": "America/Anchorage", "hst": "Pacific/Honolulu",
    "bst": "Europe/London", "wet": "Europe/Lisbon", "west": "Europe/Lisbon",
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "eet": "Europe/Athens",
    "eest": "Europe/Athens", "msk": "Europe/Moscow",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "acst": "Australia/Adelaide",
    "awst": "Australia/Perth", "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
}  # fmt: skip
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "cst": ("America/Chicago", "Asia/Shanghai", "America/Havana"),
    "ast": ("America/Halifax", "Asia/Riyadh"),
    "sst": ("Pacific/Pago_Pago", "Asia/Singapore"),
}
_ABBREVIATION_RE = "|".join(sorted((*ABBREVIATIONS, *AMBIGUOUS), key=len, reverse=True))
# After a time ("9am et", "18:00 cet", "noon tokyo time") or at the end ("... in utc").
_AFTER_TIME = re.compile(
    rf"(?:(?<=\d)|(?<=[ap]m)|(?<=noon)|(?<=midnight))\s?(?P<abbr>{_ABBREVIATION_RE})(?:\stime)?(?=\s|,|$)"
)
_AT_END = re.compile(
    rf"\s(?:in\s)?(?:(?P<abbr>{_ABBREVIATION_RE})(?:\stime)?"
    r"|(?P<name>[a-z_]+(?:/[a-z_+-]+)+)|(?P<city>(?:[a-z_]+\s)?[a-z_]+)\stime)$"
)


# "9am local time" is the member's own zone.
_LOCAL_TIME = re.compile(r"\s(?:in\s)?(?:local|my|our)\stime$")


@cache
def _cities() -> dict[str, str]:
    """ "tokyo" -> "Asia/Tokyo", "new york" -> "America/New_York", from the zone names."""
    found: dict[str, str] = {}
    for name in sorted(zone_names()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            found.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return found


@cache
def _lower_names() -> dict[str, str]:
    return {name.lower(): name for name in zone_names()}


def split_zone(text: str) -> tuple[str, str | None]:
    """``text`` without the zone it names, and that zone (None when it names none)."""
    text = _LOCAL_TIME.sub("", text)
    match = _AT_END.search(text) or _AFTER_TIME.search(text)
    if not match:
        return text, None
    start = match.start()
    if match.groupdict().get("city"):
        words = match["city"].split()
        found = _cities().get(" ".join(words))
        if found is None and len(words) == 2:
            found = _cities().get(words[1])
            start = match.start("city") + len(words[0])
    else:
        found = _zone_of(match)
    if found is None:
        return text, None
    rest = (text[:start] + text[match.end() :]).strip(" ,")
    return re.sub(r"\s+", " ", rest), found


def _zone_of(match: re.Match[str]) -> str | None:
    abbreviation = match["abbr"]
    if abbreviation:
        if abbreviation in AMBIGUOUS:
            choices = AMBIGUOUS[abbreviation]
            raise TimeParseError(
                f'"{abbreviation.upper()}" names several time zones: '
                f"say which ({', '.join(choices)}).",
                tuple(f"9am {choice}" for choice in choices[:2]),
            )
        return ABBREVIATIONS[abbreviation]
    return _lower_names().get(match["name"])
