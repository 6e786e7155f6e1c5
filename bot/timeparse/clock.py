"""Times of day: "9am", "21:15", "7:30 p.m.", "noon", "midnight", "at 8"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.timeparse.errors import TimeParseError

_MERIDIEM = r"(?P<ampm>[ap])\.?\s?m\.?"
# A time that cannot be mistaken for a number: it has a colon, am/pm, or is a word.
STRICT_TIME = (
    r"(?:(?P<word>noon|midday|midnight)"
    rf"|(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?(?::(?P<s>\d{{2}}))?\s?{_MERIDIEM}"
    r"|(?P<h24>\d{1,2})(?::|h(?=\d))(?P<m24>\d{2})(?::(?P<s24>\d{2}))?"
    r"|(?P<hoc>\d{1,2})\s?o'?clock)"
)
# After "at", a bare hour ("at 8", "tonight at 8") and a military time ("at 1830") are times too.
AT_TIME = rf"(?:(?:at\s?)?{STRICT_TIME}|at\s(?:(?P<bare>\d{{1,2}})|(?P<mil>\d{{4}})))"

_AT_TIME_RE = re.compile(rf"^{AT_TIME}$")


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    """A wall-clock time; ``bare`` when only an hour was given ("at 8"), so context may add pm."""

    clock: time
    bare: bool = False

    def evening(self) -> TimeOfDay:
        """The pm reading of a bare hour ("tonight at 8" is 20:00, "tonight at 12" midnight)."""
        if self.bare and 1 <= self.clock.hour <= 11:
            return TimeOfDay(self.clock.replace(hour=self.clock.hour + 12))
        if self.bare and self.clock.hour == 12:
            return MIDNIGHT
        return self


MIDNIGHT = TimeOfDay(time(0, 0))


def time_from_match(match: re.Match[str]) -> TimeOfDay:
    """Build the time from a match of ``AT_TIME`` (or a pattern that embeds it)."""
    groups = match.groupdict()
    word = groups.get("word")
    if word:
        return TimeOfDay(time(0, 0) if word == "midnight" else time(12, 0))
    if groups.get("mil"):
        return TimeOfDay(_clock(int(groups["mil"][:2]), int(groups["mil"][2:]), 0))
    if groups.get("bare"):
        return TimeOfDay(_clock(int(groups["bare"]), 0, 0), bare=True)
    if groups.get("hoc"):
        return TimeOfDay(_clock(int(groups["hoc"]), 0, 0), bare=True)
    if groups.get("h24"):
        return TimeOfDay(
            _clock(int(groups["h24"]), int(groups["m24"]), int(groups.get("s24") or 0))
        )
    hour, minute = int(groups["h"]), int(groups.get("m") or 0)
    second = int(groups.get("s") or 0)
    if not 1 <= hour <= 12:
        raise TimeParseError(
            f"{hour} {groups['ampm']}m is not a time: with am/pm the hour goes from 1 to 12.",
            ("9am", "7:30pm", "21:15"),
        )
    hour = hour % 12 + (12 if groups["ampm"] == "p" else 0)
    return TimeOfDay(_clock(hour, minute, second))


def parse_time(text: str) -> TimeOfDay | None:
    """The time of a whole (normalized) phrase such as "at 7pm", or None."""
    match = _AT_TIME_RE.match(text)
    return time_from_match(match) if match else None


def _clock(hour: int, minute: int, second: int) -> time:
    if hour > 23 or minute > 59 or second > 59:
        raise TimeParseError(
            f"{hour:02}:{minute:02} is not a time of day.", ("09:00", "21:15", "7pm")
        )
    return time(hour, minute, second)
