"""What the engine asks of a task type: its handler, the context of one run, the registry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PermanentTaskFailure
from bot.models.scheduled_task import ScheduledTask, TaskType


@dataclass(frozen=True, slots=True)
class RunContext:
    """One attempt at one occurrence; ``session`` and ``run_id`` only for in-transaction work.

    ``interrupted``: an earlier attempt at this occurrence was cut off by a crash.
    """

    task: ScheduledTask
    scheduled_for: datetime
    started_at: datetime
    attempt: int
    interrupted: bool = False
    session: AsyncSession | None = None
    run_id: int | None = None


class TaskHandler(Protocol):
    # True: run inside the transaction that records the run, so its effect happens exactly once.
    in_transaction: bool

    async def prepare(self, task: ScheduledTask) -> None:
        """Get ready for a run due in a few seconds (join voice); failures are the run's."""
        ...

    async def run(self, context: RunContext) -> dict[str, Any]:
        """Do the task; return facts for the run record, or raise ``TaskFailure``."""
        ...


class HandlerRegistry:
    """Maps each ``TaskType`` to its handler."""

    def __init__(self, handlers: Mapping[TaskType, TaskHandler] | None = None) -> None:
        self._handlers: dict[TaskType, TaskHandler] = dict(handlers or {})

    def get(self, task_type: TaskType) -> TaskHandler:
        try:
            return self._handlers[task_type]
        except KeyError:
            raise PermanentTaskFailure(f"no handler for tasks of type {task_type}") from None
