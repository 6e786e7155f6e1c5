"""Raw five-field cron expressions: recognise, validate and find the first run."""

from __future__ import annotations

import re
from datetime import datetime

from bot.scheduling.recurrence import Recurrence, is_valid_cron, next_after
from bot.task_kinds import RecurrenceType
from bot.timeparse.context import ParseContext
from bot.timeparse.errors import TimeParseError

CRON_EXAMPLES = ("0 9 * * 1-5", "*/15 * * * *", "30 18 * * fri", "0 12 1 * *")
_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_CLOCK_FIELD = re.compile(r"^[\d*/,-]+$")
_FIELD = re.compile(r"^[\w*/,#?-]+$")
# croniter's hashed ("H") and random ("R") fields are not reproducible schedules.
_UNSTABLE = re.compile(r"(?:^|,)[hr](?:\(|/|,|$)")


def looks_like_cron(text: str) -> bool:
    """Whether a (normalized) phrase is meant as cron: five fields, numeric minute and hour."""
    if text in _ALIASES:
        return True
    fields = text.split()
    return (
        len(fields) in (5, 6, 7)
        and all(_FIELD.match(field) for field in fields)
        and bool(_CLOCK_FIELD.match(fields[0]) and _CLOCK_FIELD.match(fields[1]))
    )


def parse_cron(text: str) -> str:
    """The canonical form of a cron expression, or a ``TimeParseError`` saying what is wrong."""
    expression = _ALIASES.get(text.strip().lower(), " ".join(text.split()).upper())
    fields = expression.split()
    if len(fields) != 5:
        raise TimeParseError(
            f"A cron expression has five fields (minute hour day month weekday); "
            f"{expression!r} has {len(fields)}.",
            CRON_EXAMPLES,
        )
    if any(_UNSTABLE.search(field.lower()) for field in fields) or not _valid(expression):
        raise TimeParseError(f"{expression!r} is not a valid cron expression.", CRON_EXAMPLES)
    return expression


def first_cron_run(expression: str, ctx: ParseContext, after: datetime) -> datetime:
    """The first match strictly after ``after`` on the zone's wall clock, within the horizon."""
    recurrence = Recurrence(RecurrenceType.CRON, cron=expression)
    try:
        run = next_after(after, recurrence, ctx.zone_name, after)
    except Exception:  # croniter signals "no such date" with several exception types
        run = None
    if run is None or run > ctx.horizon:
        raise TimeParseError(
            f"The cron expression {expression!r} never runs in the next {ctx.horizon_years} years.",
            CRON_EXAMPLES,
        )
    return run


def _valid(expression: str) -> bool:
    try:
        return is_valid_cron(expression)
    except Exception:  # croniter raises more than its own error types on odd input
        return False
