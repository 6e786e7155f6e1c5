"""A ``Schedule`` as the JSON of DESIGN.md section 6 (the ``when`` CLI and ``/api/v1/when``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.scheduling.recurrence import Recurrence
from bot.timeparse.schedule import Schedule

DEFAULT_SHOW = 5


def schedule_json(schedule: Schedule, show: int = DEFAULT_SHOW) -> dict[str, Any]:
    return {
        "first_run": _z(schedule.first_run),
        "recurrence": _recurrence_json(schedule.recurrence, schedule.timezone),
        "next_runs": [_z(run) for run in schedule.runs(show)],
        "description": schedule.description,
    }


def _recurrence_json(recurrence: Recurrence | None, timezone: str) -> dict[str, Any] | None:
    if recurrence is None:
        return None
    return {
        "type": str(recurrence.type),
        "interval": recurrence.interval,
        "cron": recurrence.cron,
        "count": recurrence.count,
        "until": _z(recurrence.until) if recurrence.until else None,
        "timezone": timezone,
    }


def _z(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
