"""How a task repeats, and the instants it runs at, by DESIGN.md section 3.

Daily and longer steps keep the wall-clock time of the first run in the task's zone; minutely
and hourly steps are elapsed time. A wall time that does not exist runs shifted forward by the
gap, one that occurs twice runs once, at the first: zoneinfo's ``fold=0`` reading gives both.
Monthly and yearly steps are anchored to the first run and clamped to the month's last day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from croniter.croniter import CroniterBadDateError, CroniterError

from bot.task_kinds import RecurrenceType
from bot.tzdb import zone

_ELAPSED_UNITS = {
    RecurrenceType.MINUTELY: timedelta(minutes=1),
    RecurrenceType.HOURLY: timedelta(hours=1),
}
_DAY_UNITS = {RecurrenceType.DAILY: 1, RecurrenceType.WEEKLY: 7}
_MONTH_UNITS = {RecurrenceType.MONTHLY: 1, RecurrenceType.YEARLY: 12}
WALL_CLOCK_TYPES = frozenset(_DAY_UNITS) | frozenset(_MONTH_UNITS)
# A cron candidate's wall time may map up to one DST gap away from its neighbours.
_DST_SLACK = timedelta(hours=3)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A repetition rule, anchored at a task's first run.

    ``interval`` counts the type's unit (minutes, hours, days, weeks, months, years);
    ``count`` is the total number of runs, ``until`` (aware) the last instant a run may start.
    ``wall_anchor`` (naive) is the wall time daily-and-longer steps keep when it differs from
    the first run's, which happens when the first run fell in a DST gap.
    """

    type: RecurrenceType
    interval: int = 1
    cron: str | None = None
    count: int | None = None
    until: datetime | None = None
    wall_anchor: datetime | None = None

    def __post_init__(self) -> None:
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if (self.type is RecurrenceType.CRON) != (self.cron is not None):
            raise ValueError("a cron expression goes with the cron type, and only with it")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")
        if self.until is not None and self.until.tzinfo is None:
            raise ValueError("until must be aware")
        if self.wall_anchor is not None and self.wall_anchor.tzinfo is not None:
            raise ValueError("wall_anchor is a naive wall-clock time")


def localize(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall-clock time, by the gap and overlap rules."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def wall_clock(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive wall-clock reading of an aware instant in ``tz``."""
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def gap_anchor(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """``wall`` if it does not exist in ``tz`` (a DST gap shifts it), else None."""
    return wall if wall_clock(localize(wall, tz), tz) != wall else None


def add_months(wall: datetime, months: int, anchor_day: int) -> datetime:
    """``wall`` moved by whole months, on ``anchor_day`` clamped to the month's last day."""
    index = wall.year * 12 + (wall.month - 1) + months
    year, month = divmod(index, 12)
    day = min(anchor_day, calendar.monthrange(year, month + 1)[1])
    return wall.replace(year=year, month=month + 1, day=day)


def is_valid_cron(expression: str) -> bool:
    """Five fields that croniter accepts (Sunday = 0, names allowed)."""
    return len(expression.split()) == 5 and croniter.is_valid(expression)


def cron_ever_matches(expression: str) -> bool:
    """False for a valid expression naming a date that never comes (30 February)."""
    return _cron_next(expression, zone("UTC"), datetime(2000, 1, 1, tzinfo=UTC)) is not None


def next_after(
    first_run: datetime, recurrence: Recurrence | None, timezone: str, after: datetime
) -> datetime | None:
    """The earliest occurrence strictly after ``after`` (aware UTC), or None.

    Honours ``until`` but not ``count``: the caller knows how many runs were made.
    """
    first_run = first_run.astimezone(UTC)
    if after < first_run:
        candidate: datetime | None = first_run
    elif recurrence is None or recurrence.type is RecurrenceType.NONE:
        candidate = None
    else:
        candidate = _rule_next(first_run, recurrence, zone(timezone), after)
    if candidate is not None and recurrence is not None and recurrence.until is not None:
        return candidate if candidate <= recurrence.until else None
    return candidate


def iter_runs(
    first_run: datetime, recurrence: Recurrence | None, timezone: str
) -> Iterator[datetime]:
    """Every run from ``first_run`` on, honouring ``count`` and ``until``."""
    count = recurrence.count if recurrence is not None else 1
    made = 0
    run = next_after(first_run, recurrence, timezone, first_run - timedelta(microseconds=1))
    while run is not None and (count is None or made < count):
        yield run
        made += 1
        run = next_after(first_run, recurrence, timezone, run)


def _rule_next(first: datetime, rec: Recurrence, tz: ZoneInfo, after: datetime) -> datetime | None:
    if rec.type in _ELAPSED_UNITS:
        step = _ELAPSED_UNITS[rec.type] * rec.interval
        return first + step * ((after - first) // step + 1)
    if rec.type is RecurrenceType.CRON:
        assert rec.cron is not None
        return _cron_next(rec.cron, tz, after)
    anchor = rec.wall_anchor or wall_clock(first, tz)
    after_wall = wall_clock(after, tz)
    if rec.type in _DAY_UNITS:
        step_days = _DAY_UNITS[rec.type] * rec.interval
        steps = max(0, (after_wall - anchor).days // step_days - 1)
        while True:
            candidate = localize(anchor + timedelta(days=steps * step_days), tz)
            if candidate > after:
                return candidate
            steps += 1
    step_months = _MONTH_UNITS[rec.type] * rec.interval
    elapsed_months = (after_wall.year - anchor.year) * 12 + after_wall.month - anchor.month
    steps = max(0, elapsed_months // step_months - 1)
    while True:
        candidate = localize(add_months(anchor, steps * step_months, anchor.day), tz)
        if candidate > after:
            return candidate
        steps += 1


def _cron_next(expression: str, tz: ZoneInfo, after: datetime) -> datetime | None:
    """The first cron match after ``after``, matching on the zone's wall clock.

    Wall times in a DST gap map forward past their neighbours, so candidates are taken from a
    little before ``after`` and the earliest instant among them wins.
    """
    start = wall_clock(after, tz) - _DST_SLACK
    try:
        matches = croniter(expression, start)
    except CroniterError:
        return None
    best: datetime | None = None
    horizon: datetime | None = None
    while True:
        try:
            wall: datetime = matches.get_next(datetime)
        except CroniterBadDateError:  # a date that never comes, such as 30 February
            return best
        if horizon is not None and wall > horizon:
            assert best is not None
            return best
        instant = localize(wall, tz)
        if instant > after and (best is None or instant < best):
            best = instant
            horizon = wall + _DST_SLACK


def first_run_for(start: datetime, recurrence: Recurrence | None, timezone: str) -> datetime:
    """A new task's first run: ``start`` itself, or for cron the first match at or after it."""
    start = start.astimezone(UTC)
    if recurrence is None or recurrence.type is not RecurrenceType.CRON:
        return start
    assert recurrence.cron is not None
    first = _cron_next(recurrence.cron, zone(timezone), start - timedelta(microseconds=1))
    if first is None:
        raise ValueError(f"the cron expression {recurrence.cron!r} never matches")
    return first
