"""What a parsed ``when`` becomes: a first run, an optional recurrence and a description."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from bot.scheduling.recurrence import Recurrence, iter_runs


@dataclass(frozen=True, slots=True)
class Schedule:
    """``first_run`` is aware UTC; ``timezone`` is the IANA zone whose wall clock it keeps."""

    first_run: datetime
    recurrence: Recurrence | None
    timezone: str
    description: str
    reading: str = ""
    """How a one-off time was read ("Saturday, 9 in the morning"); empty for a repeat."""

    @property
    def is_recurring(self) -> bool:
        return self.recurrence is not None

    def runs(self, limit: int) -> list[datetime]:
        """The first ``limit`` runs, starting with ``first_run``; fewer if the schedule ends."""
        return list(islice(iter_runs(self.first_run, self.recurrence, self.timezone), limit))
