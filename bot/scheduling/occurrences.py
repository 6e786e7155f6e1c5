"""A task's occurrences: the next one after a run, and what was missed while offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from bot.models.scheduled_task import RecurrenceType, ScheduledTask
from bot.scheduling.recurrence import Recurrence, next_after

# Counting missed occurrences stops here (a minutely task offline for a month).
MAX_MISSED_COUNTED = 10_000
_EPSILON = timedelta(microseconds=1)


def recurrence_of(task: ScheduledTask) -> Recurrence | None:
    if task.recurrence_type is RecurrenceType.NONE:
        return None
    return Recurrence(
        type=task.recurrence_type,
        interval=task.recurrence_interval,
        cron=task.cron_expression,
        count=task.recurrence_count,
        until=task.until,
        wall_anchor=task.wall_anchor,
    )


class RecurrenceColumns(TypedDict):
    """A recurrence as the task's six columns (and the scheduler's keyword arguments)."""

    recurrence_type: RecurrenceType
    recurrence_interval: int
    cron_expression: str | None
    recurrence_count: int | None
    until: datetime | None
    wall_anchor: datetime | None


def recurrence_columns(recurrence: Recurrence | None) -> RecurrenceColumns:
    """The inverse of ``recurrence_of``; None is a one-shot task."""
    if recurrence is None:
        return RecurrenceColumns(
            recurrence_type=RecurrenceType.NONE,
            recurrence_interval=1,
            cron_expression=None,
            recurrence_count=None,
            until=None,
            wall_anchor=None,
        )
    return RecurrenceColumns(
        recurrence_type=recurrence.type,
        recurrence_interval=recurrence.interval,
        cron_expression=recurrence.cron,
        recurrence_count=recurrence.count,
        until=recurrence.until,
        wall_anchor=recurrence.wall_anchor,
    )


def remaining_after(task: ScheduledTask, occurrence: datetime, executions: int) -> datetime | None:
    """The occurrence after ``occurrence`` if the task has runs left, else None."""
    recurrence = recurrence_of(task)
    if recurrence is None:
        return None
    if recurrence.count is not None and executions >= recurrence.count:
        return None
    return next_after(task.scheduled_at, recurrence, task.timezone, occurrence)


@dataclass(frozen=True, slots=True)
class MissedRuns:
    """Occurrences that passed beyond the grace while nobody ran them.

    ``run_now``: a later occurrence still within grace, to run instead; else ``resume_at``:
    the next future occurrence (None: nothing is left, or a one-shot was missed).
    """

    count: int
    first: datetime
    last: datetime | None
    run_now: datetime | None
    resume_at: datetime | None

    @property
    def last_iso(self) -> str | None:
        return self.last.isoformat() if self.last is not None else None


def resolve_misfire(task: ScheduledTask, now: datetime) -> MissedRuns | None:
    """None when the due attempt is within its grace; else what was missed and what follows."""
    assert task.next_run_at is not None
    assert task.occurrence_at is not None
    grace = timedelta(seconds=task.misfire_grace_seconds)
    if now - task.next_run_at <= grace:
        return None
    occurrence = task.occurrence_at
    recurrence = recurrence_of(task)
    if recurrence is None:
        return MissedRuns(1, occurrence, occurrence, None, None)
    runs_left = recurrence.count is None or task.executions_count < recurrence.count
    first, zone = task.scheduled_at, task.timezone
    run_now: datetime | None = None
    if runs_left:
        candidate = next_after(first, recurrence, zone, now - grace - _EPSILON)
        while candidate is not None and candidate <= now:
            run_now = candidate
            candidate = next_after(first, recurrence, zone, candidate)
    resume_at = None
    if run_now is None and runs_left:
        resume_at = next_after(first, recurrence, zone, now)
    stop = run_now or resume_at
    count, last = 0, None
    missed: datetime | None = occurrence
    while missed is not None and (stop is None or missed < stop) and missed <= now:
        count, last = count + 1, missed
        if count >= MAX_MISSED_COUNTED:
            break
        missed = next_after(first, recurrence, zone, missed)
    return MissedRuns(count, occurrence, last, run_now, resume_at)
