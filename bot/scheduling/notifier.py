"""Telling a task's owner what went wrong: the engine calls this, the Discord side delivers it."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.models.scheduled_task import ScheduledTask

log = logging.getLogger(__name__)


class TaskNotifier(Protocol):
    async def task_failed(self, task: ScheduledTask, reason: str) -> None:
        """A run failed for good, or a one-shot was missed while the bot was offline."""
        ...


class LogNotifier:
    """Used where no Discord client is attached (the CLI, tests of the core)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def task_failed(self, task: ScheduledTask, reason: str) -> None:
        self.sent.append((task.id, reason))
        log.warning("task %s (%s) of user %s: %s", task.id, task.name, task.user_id, reason)
