"""``/api/v1/when``: the ``when`` CLI's JSON for a phrase, read as the slash commands read it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from bot.scheduling.recurrence import localize
from bot.services.task_requests import WhenInput
from bot.timeparse import TimeParseError
from bot.timeparse.context import load_zone
from bot.timeparse.document import schedule_json
from bot.web.access import CallerDep

router = APIRouter(prefix="/api/v1", tags=["time"])


@router.get("/when")
async def when(
    caller: CallerDep,
    phrase: Annotated[str, Query(max_length=200)] = "",
    tz: str | None = None,
    now: datetime | None = None,
    repeat: str | None = None,
    cron: str | None = None,
    count: Annotated[int | None, Query(ge=1)] = None,
    until: str | None = None,
    show: Annotated[int, Query(ge=0, le=1000)] = 5,
) -> dict[str, Any]:
    """``tz`` defaults to the caller's zone (``/timezone``), else ``[time] default_timezone``."""
    services = caller.services
    timezone = tz or await services.settings.member_timezone(caller.user_id)
    timezone = timezone or services.config.time.default_timezone
    zone = load_zone(timezone)
    instant = services.clock.now()
    if now is not None:
        instant = localize(now, zone) if now.tzinfo is None else now.astimezone(UTC)
    if not phrase.strip() and not repeat and not cron:
        raise TimeParseError("phrase: say when, such as 'tomorrow 9am'.", ("in 2 hours",))
    schedule = services.member_tasks.parse_in(
        timezone, WhenInput(phrase, repeat, cron, count, until), instant
    )
    return schedule_json(schedule, show)
