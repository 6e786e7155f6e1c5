"""One-off instants: relative durations, times of day, day words, dates, Discord timestamps, ISO."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.timeparse.clock import AT_TIME, MIDNIGHT, TimeOfDay, parse_time, time_from_match
from bot.timeparse.context import ParseContext, out_of_range
from bot.timeparse.dates import DaySpec, parse_day
from bot.timeparse.describe import format_clock, format_day
from bot.timeparse.durations import Duration, parse_duration
from bot.timeparse.errors import INSTANT_EXAMPLES, TimeParseError
from bot.timeparse.lexicon import WEEKDAY_RE

_DISCORD = re.compile(r"^<t:(?P<ts>-?\d{1,12})(?::[tdfr])?>$")
_ISO = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[t\s](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"\s?(?P<offset>z|utc|[+-]\d{2}(?::?\d{2})?)?$"
)
_RELATIVE = re.compile(r"^(?P<in>in\s)?(?P<duration>.+?)(?P<suffix>\s(?:from\snow|later|hence))?$")
_AGO = re.compile(r"\s(?:ago|before)$")
_DAY_THEN_TIME = re.compile(rf"^(?P<daypart>.+?),?\s{AT_TIME}$")
_TIME_THEN_DAY = re.compile(rf"^{AT_TIME},?\s(?:on\s)?(?P<daypart>.+)$")
# After a day word a bare number is an hour ("tomorrow 9"); after a date it is not ("dec 24").
_DAY_WORD_THEN_HOUR = re.compile(
    r"^(?P<daypart>today|tonight|tomorrow|tmrw|tmr"
    rf"|(?:(?:this|next|coming|on)\s)?(?:{WEEKDAY_RE})),?\s(?P<bare>\d{{1,2}})$"
)
_LATEST_TIMESTAMP = 253402300799
_FROM_DAY = re.compile(r"^(?P<duration>.+?)\sfrom\s(?P<day>.+)$")


@dataclass(frozen=True, slots=True)
class Instant:
    """A resolved instant (aware UTC); ``has_time`` is False for a bare date ("dec 24")."""

    at: datetime
    has_time: bool = True
    day: date | None = None


def parse_instant(text: str, ctx: ParseContext) -> Instant | None:
    """The instant a normalized phrase names, or None when the grammar does not cover it."""
    if text == "now":
        return Instant(ctx.now)
    if match := _DISCORD.match(text):
        return _discord(int(match["ts"]))
    if match := _ISO.match(text):
        return _iso(match, ctx)
    if _AGO.search(text) and parse_duration(_AGO.sub("", text).removeprefix("in ")):
        raise TimeParseError("That is in the past: I can only schedule ahead.", INSTANT_EXAMPLES)
    if instant := _relative(text, ctx) or _from_today(text, ctx):
        return instant
    if tod := parse_time(text):
        return _resolve(ctx, None, tod)
    for pattern in (_DAY_THEN_TIME, _TIME_THEN_DAY, _DAY_WORD_THEN_HOUR):
        match = pattern.match(text)
        if match and (day := _day(match["daypart"], ctx) or _days_from(match["daypart"], ctx)):
            return _resolve(ctx, day, time_from_match(match))
    if day := _day(text, ctx):
        if day.evening or text == "today":
            raise TimeParseError(
                f'"{text}" needs a time of day.', (f"{text} at 8pm", f"{text} at 18:30")
            )
        return _resolve(ctx, day, None)
    return None


def _from_today(text: str, ctx: ParseContext) -> Instant | None:
    """ "a fortnight from tomorrow": like "in 15 days", at this time of day."""
    match = _FROM_DAY.match(text)
    if not match or match["day"] not in ("today", "tomorrow"):
        return None
    duration = parse_duration(match["duration"])
    if duration is None or duration.seconds or duration.is_zero:
        return None
    extra = 1 if match["day"] == "tomorrow" else 0
    shifted = Duration(days=duration.days + extra, months=duration.months)
    return Instant(relative_instant(ctx, shifted))


def _days_from(text: str, ctx: ParseContext) -> DaySpec | None:
    """ "a week from today", "3 days from friday": whole days after a day (with a time only)."""
    match = _FROM_DAY.match(text)
    if not match:
        return None
    duration = parse_duration(match["duration"])
    base = _day(match["day"], ctx)
    if duration is None or duration.seconds or duration.is_zero or base is None:
        return None
    first = next(base.candidates(ctx.today), None)
    if first is None:
        return None
    wall = datetime.combine(first, datetime.min.time())
    target = (wall + relativedelta(months=duration.months, days=duration.days)).date()
    return DaySpec(lambda today: iter((target,)), fixed=True)


def _day(text: str, ctx: ParseContext) -> DaySpec | None:
    if text.startswith("in "):
        duration = parse_duration(text[3:])
        if duration and not duration.seconds and not duration.is_zero:
            target = duration.after(ctx, ctx.now)
            wall_day = ctx.local(target).date()
            return DaySpec(lambda today: iter((wall_day,)), fixed=True)
        return None
    return parse_day(text, ctx.date_order)


def _relative(text: str, ctx: ParseContext) -> Instant | None:
    match = _RELATIVE.match(text)
    if not match:
        return None
    duration = parse_duration(match["duration"])
    if duration is None:
        return None
    return Instant(relative_instant(ctx, duration))


def relative_instant(ctx: ParseContext, duration: Duration) -> datetime:
    if duration.is_zero:
        raise TimeParseError("That is now: give a duration greater than zero.", INSTANT_EXAMPLES)
    moved = duration.after(ctx, ctx.now)
    return moved.replace(microsecond=0) if moved.replace(microsecond=0) > ctx.now else moved


def _resolve(ctx: ParseContext, day: DaySpec | None, tod: TimeOfDay | None) -> Instant:
    """The first candidate day whose wall-clock time is still ahead of now."""
    if day is not None and day.evening and tod is not None:
        tod = tod.evening()
        if tod.clock == MIDNIGHT.clock:
            evening = day
            day = DaySpec(
                lambda today: (date + timedelta(days=1) for date in evening.candidates(today)),
                fixed=evening.fixed,
            )
    clock = (tod or MIDNIGHT).clock
    if day is None:
        candidates = iter((ctx.today, ctx.today + timedelta(days=1)))
        fixed = False
    else:
        candidates = day.candidates(ctx.today)
        fixed = day.fixed
    dated = day is not None and day.dated
    last: datetime | None = None
    for candidate in candidates:
        last = ctx.at(candidate, clock)
        if last > ctx.now:
            return Instant(last, tod is not None, candidate)
        if fixed or (dated and candidate == ctx.today):
            break
    if last is None:
        raise TimeParseError("That date is too far ahead.", INSTANT_EXAMPLES)
    local = last.astimezone(ctx.zone)
    raise TimeParseError(
        f"That time has already passed ({format_day(local)} {format_clock(local)} "
        f"{ctx.zone_name}).",
        INSTANT_EXAMPLES,
    )


def _discord(timestamp: int) -> Instant:
    if not 0 <= timestamp <= _LATEST_TIMESTAMP:
        raise TimeParseError("That Discord timestamp is out of range.", ("<t:1798142400>",))
    return Instant(datetime.fromtimestamp(timestamp, UTC))


def _iso(match: re.Match[str], ctx: ParseContext) -> Instant:
    offset = match["offset"]
    suffix = "+00:00" if offset in ("z", "utc") else (offset or "")
    if suffix and len(suffix) == 3:
        suffix += ":00"
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{match['time']}{suffix}")
    except ValueError:
        raise TimeParseError(
            f"{match['date']} {match['time']} is not a valid date and time.",
            ("2026-12-24 20:00", "2026-12-24T20:00:00+01:00"),
        ) from None
    if parsed.tzinfo is None:
        return Instant(ctx.to_utc(parsed), day=parsed.date())
    try:
        return Instant(parsed.astimezone(UTC))
    except OverflowError:
        raise out_of_range() from None
