"""A thousand runs due at one instant: started together, recorded in a few transactions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, insert, select

from bot.config import Config
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome, TaskRun
from bot.scheduling.handlers import RunContext
from bot.services.scheduler import SchedulerService
from bot.services.task_handlers import TaskHandlerRegistry
from tests.support.core import RecordingPlayer

BURST = 1000
GUILD = 1 << 22


class Starts:
    in_transaction = False

    def __init__(self) -> None:
        self.started: list[Any] = []

    async def prepare(self, task: ScheduledTask) -> None:
        return None

    async def run(self, context: RunContext) -> dict[str, Any]:
        self.started.append(context.started_at)
        return {}


async def test_a_burst_is_started_and_recorded_in_a_handful_of_transactions(database, clock):
    handler = Starts()
    scheduler = SchedulerService(
        database,
        RecordingPlayer(),
        config=Config(),
        clock=clock,
        handlers=TaskHandlerRegistry({TaskType.PLAY_SOUND: handler}),
    )
    due = clock.now()
    rows = [
        {
            "name": f"due {i}",
            "task_type": TaskType.PLAY_SOUND,
            "status": TaskStatus.PENDING,
            "scheduled_at": due,
            "next_run_at": due,
            "occurrence_at": due,
            "timezone": "UTC",
            "parameters": {},
            "guild_id": GUILD,
            "created_at": due,
            "updated_at": due,
        }
        for i in range(BURST)
    ]
    async with database() as session, session.begin():
        await session.execute(insert(ScheduledTask), rows)
    commits: list[None] = []

    def count(_connection: object) -> None:
        commits.append(None)

    event.listen(database.engine.sync_engine, "commit", count)
    try:
        assert await scheduler.dispatcher.run_due() == BURST
    finally:
        event.remove(database.engine.sync_engine, "commit", count)
    assert len(handler.started) == BURST
    # Claims, starts and records each go in batches: a transaction per run would be 2,000.
    assert len(commits) <= 20, len(commits)
    async with database() as session:
        recorded = await session.scalar(
            select(func.count()).select_from(TaskRun).where(TaskRun.outcome == RunOutcome.SUCCEEDED)
        )
        left = await session.scalar(
            select(func.count())
            .select_from(ScheduledTask)
            .where(ScheduledTask.status != TaskStatus.COMPLETED)
        )
    assert (recorded, left) == (BURST, 0)
