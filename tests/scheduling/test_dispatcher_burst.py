"""A thousand runs due at one instant: started together, recorded in a few transactions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from bot.config import Config
from bot.db import Database
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome, TaskRun
from bot.scheduling.handlers import RunContext
from bot.services.scheduler import SchedulerService
from bot.services.task_handlers import TaskHandlerRegistry
from tests.conftest import truncate_all
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


class InTransaction:
    """A handler whose effect commits with its run record, as a recharge's does."""

    in_transaction = True

    def __init__(self) -> None:
        self.open = self.peak = self.ran = 0

    async def prepare(self, task: ScheduledTask) -> None:
        return None

    async def run(self, context: RunContext) -> dict[str, Any]:
        self.open += 1
        self.peak = max(self.peak, self.open)
        await asyncio.sleep(0.02)
        self.open -= 1
        self.ran += 1
        return {}


@pytest.mark.postgres
async def test_a_burst_of_in_transaction_runs_waits_its_turn_not_for_the_pool(
    postgres_url: str, clock
):
    """A burst larger than the connection pool: the runs take turns for a transaction, so
    none waits for a pooled connection (which times out) while holding nothing."""
    await truncate_all(postgres_url)
    database = Database(postgres_url)
    handler = InTransaction()
    scheduler = SchedulerService(
        database,
        RecordingPlayer(),
        config=Config(),
        clock=clock,
        handlers=TaskHandlerRegistry({TaskType.CREDIT_RECHARGE: handler}),
    )
    due = clock.now()
    rows = [
        {
            "name": f"due {i}",
            "task_type": TaskType.CREDIT_RECHARGE,
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
        for i in range(60)
    ]
    try:
        async with database() as session, session.begin():
            await session.execute(insert(ScheduledTask), rows)
        assert await scheduler.dispatcher.run_due() == 60
        async with database() as session:
            recorded = await session.scalar(
                select(func.count())
                .select_from(TaskRun)
                .where(TaskRun.outcome == RunOutcome.SUCCEEDED)
            )
    finally:
        await database.dispose()
    assert handler.ran == recorded == 60
    assert handler.peak <= scheduler.dispatcher.settings.open_transactions
