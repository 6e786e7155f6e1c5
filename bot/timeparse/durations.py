"""Durations: "90 minutes", "2h30m", "half an hour", "an hour and a half", "2 days"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.timeparse.context import ParseContext, out_of_range
from bot.timeparse.errors import TimeParseError
from bot.timeparse.lexicon import NUMBER_RE, number_value

_UNITS: dict[str, tuple[str, int]] = {}
for _names, _unit in (
    (("s", "sec", "secs", "second", "seconds"), ("seconds", 1)),
    (("m", "min", "mins", "minute", "minutes"), ("seconds", 60)),
    (("h", "hr", "hrs", "hour", "hours"), ("seconds", 3600)),
    (("d", "day", "days"), ("days", 1)),
    (("w", "wk", "wks", "week", "weeks"), ("days", 7)),
    (("fortnight", "fortnights"), ("days", 14)),
    (("mo", "mos", "month", "months"), ("months", 1)),
    (("y", "yr", "yrs", "year", "years"), ("months", 12)),
):
    for _name in _names:
        _UNITS[_name] = _unit

_UNIT_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
_PART = re.compile(
    rf"(?:(?P<half>half\s(?:an?\s)?|a\shalf\s)(?P<hunit>{_UNIT_RE})"
    rf"|(?P<num>\d+(?:\.\d+)?|{NUMBER_RE})\s?(?P<unit>{_UNIT_RE})(?P<andhalf>\sand\sa\shalf)?)"
    r"(?![a-z])"
)
_SEPARATOR = re.compile(r"\s*(?:,\s*)?(?:and\s+)?")


@dataclass(frozen=True, slots=True)
class Duration:
    """Elapsed ``seconds`` plus calendar ``days`` and ``months`` (which keep the wall clock)."""

    seconds: float = 0
    days: int = 0
    months: int = 0

    @property
    def is_zero(self) -> bool:
        return not (self.seconds or self.days or self.months)

    def after(self, ctx: ParseContext, start: datetime) -> datetime:
        """``start`` moved on: calendar parts on the zone's wall clock, then elapsed time."""
        try:
            moved = start
            if self.days or self.months:
                wall = ctx.local(start) + relativedelta(months=self.months, days=self.days)
                moved = ctx.to_utc(wall)
            return moved + timedelta(seconds=self.seconds)
        except (OverflowError, ValueError):
            raise out_of_range() from None


def parse_duration(text: str) -> Duration | None:
    """A whole (normalized) phrase made only of duration parts, or None."""
    seconds = 0.0
    days = 0.0
    months = 0.0
    position = 0
    found = False
    while position < len(text):
        if found:
            separator = _SEPARATOR.match(text, position)
            position = separator.end() if separator else position
        match = _PART.match(text, position)
        if not match:
            return None
        found = True
        position = match.end()
        if match["half"]:
            amount, unit = 0.5, match["hunit"]
        else:
            amount = float(match["num"]) if "." in match["num"] else number_value(match["num"])
            amount += 0.5 if match["andhalf"] else 0
            unit = match["unit"]
        kind, factor = _UNITS[unit]
        if kind == "seconds":
            seconds += amount * factor
        elif kind == "days":
            days += amount * factor
        else:
            months += amount * factor
    if not found:
        return None
    if months != int(months):
        raise TimeParseError(
            "Months and years must be whole numbers.", ("in 2 months", "in 6 weeks")
        )
    whole_days = int(days)
    seconds += (days - whole_days) * 86400
    if seconds > 10**9 or whole_days > 10**6 or months > 10**5:
        raise TimeParseError("That is too far ahead.", ("in 2 days", "in 3 months"))
    return Duration(seconds=seconds, days=whole_days, months=int(months))
