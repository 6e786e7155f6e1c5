"""The checks every schedule passes: nothing in the past, nothing beyond the horizon."""

from __future__ import annotations

from datetime import datetime

from bot.scheduling.recurrence import Recurrence
from bot.timeparse.context import ParseContext
from bot.timeparse.describe import format_clock, format_day
from bot.timeparse.errors import INSTANT_EXAMPLES, TimeParseError

MAX_COUNT = 100_000


def check_schedule(ctx: ParseContext, first_run: datetime, recurrence: Recurrence | None) -> None:
    if first_run < ctx.now:
        raise TimeParseError(
            f"That is in the past ({_local(ctx, first_run)}): I can only schedule ahead.",
            INSTANT_EXAMPLES,
        )
    if first_run > ctx.horizon:
        raise TimeParseError(
            f"That is more than {ctx.horizon_years} years ahead ({_local(ctx, first_run)}).",
            INSTANT_EXAMPLES,
        )
    if recurrence is None:
        return
    if recurrence.count is not None and not 1 <= recurrence.count <= MAX_COUNT:
        raise TimeParseError(
            f"The number of runs must be from 1 to {MAX_COUNT}.", ("every day at 9am for 5 times",)
        )
    until = recurrence.until
    if until is not None and until < first_run:
        raise TimeParseError(
            f"The end ({_local(ctx, until)}) comes before the first run "
            f"({_local(ctx, first_run)}).",
            ("every day at 9am until dec 31",),
        )
    if until is not None and until > ctx.horizon:
        raise TimeParseError(
            f"The end ({_local(ctx, until)}) is more than {ctx.horizon_years} years ahead.",
            ("every day at 9am until dec 31",),
        )


def _local(ctx: ParseContext, instant: datetime) -> str:
    local = instant.astimezone(ctx.zone)
    return f"{format_day(local)} {format_clock(local)} {ctx.zone_name}"
