"""The run history of tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.task_run import TaskRun


class TaskRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, run: TaskRun) -> TaskRun:
        self.session.add(run)
        await self.session.flush()
        return run

    async def add_all(self, runs: list[dict[str, Any]]) -> None:
        """Insert runs given as column values, in one executemany (their ids not read back)."""
        if runs:
            await self.session.execute(insert(TaskRun), runs)

    async def for_task(self, task_id: int, limit: int = 10) -> list[TaskRun]:
        """The task's most recent runs, newest first."""
        result = await self.session.execute(
            select(TaskRun)
            .where(TaskRun.task_id == task_id)
            .order_by(TaskRun.scheduled_for.desc(), TaskRun.id.desc())
            .limit(limit)
        )
        return list(result.scalars())
