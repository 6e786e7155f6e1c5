"""How a task repeats, and the instants it runs at, by DESIGN.md section 3.

Daily and longer steps keep the wall-clock time of the first run in the task's zone; minutely
and hourly steps are elapsed time. A wall time that does not exist runs shifted forward by the
gap, one that occurs twice runs once, at the first (zoneinfo's ``fold=0`` reading).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.models.scheduled_task import RecurrenceType


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A repetition rule, anchored at a task's first run.

    ``interval`` counts the type's unit (minutes, hours, days, weeks, months, years);
    ``count`` is the total number of runs, ``until`` (aware) the last instant a run may start.
    """

    type: RecurrenceType
    interval: int = 1
    cron: str | None = None
    count: int | None = None
    until: datetime | None = None


def next_after(
    first_run: datetime, recurrence: Recurrence | None, timezone: str, after: datetime
) -> datetime | None:
    """The earliest occurrence strictly after ``after`` (aware UTC), or None.

    Honours ``until`` but not ``count``: the caller knows how many runs were made.
    """
    raise NotImplementedError


def iter_runs(
    first_run: datetime, recurrence: Recurrence | None, timezone: str
) -> Iterator[datetime]:
    """Every run from ``first_run`` on, honouring ``count`` and ``until``."""
    raise NotImplementedError
