"""``python -m bot run --shard-ids 0,1 --shard-count 6``: an ``AutoShardedBot`` connected on
exactly those shards, whose dispatcher runs only the tasks of the guilds they hold; and a
second process on one SQLite database refuses to start."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import SystemClock
from bot.config import load_config
from bot.db import Database
from bot.db.migrate import upgrade
from bot.emulator import Emulator
from bot.emulator.model import snowflake
from bot.errors import EXIT_NEEDS_OPERATOR
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.services.scheduler import SchedulerService
from tests.support.bot_process import BotProcess
from tests.support.core import RecordingPlayer

pytestmark = pytest.mark.e2e

SHARDS = 6


async def test_a_process_runs_its_shards_and_only_their_guilds_tasks(
    emulator: Emulator, tmp_path: Path
) -> None:
    base = snowflake()
    guilds = [emulator.add_guild(f"g{i}", guild_id=base + (i << 22)) for i in range(SHARDS)]
    shard_of = {g.id: (g.id >> 22) % SHARDS for g in guilds}
    process = BotProcess(emulator, tmp_path, args=["--shard-ids", "0,1", "--shard-count", "6"])
    config = load_config(process.config_path)
    await upgrade(config.database.url)
    db = Database(config.database.url)
    scheduler = SchedulerService(db, RecordingPlayer(), config=config, clock=SystemClock())
    due = SystemClock().now() + timedelta(seconds=4)
    tasks = {
        guild.id: await scheduler.create_task(
            f"recharge {guild.name}",
            TaskType.CREDIT_RECHARGE,
            due,
            parameters={"member_id": 1000 + i, "amount": 1, "cap": 10},
            guild_id=guild.id,
        )
        for i, guild in enumerate(guilds)
    }
    system = await scheduler.create_task(
        "system recharge",
        TaskType.CREDIT_RECHARGE,
        due,
        parameters={"member_id": 999, "amount": 1, "cap": 10},
    )
    try:
        await process.start()
        assert sorted(emulator.gateway.sessions) == [(0, SHARDS), (1, SHARDS)]
        held = {g for g, s in shard_of.items() if s in (0, 1)} | {None}

        async def statuses() -> dict[int | None, TaskStatus]:
            async with db() as session:
                rows = await session.scalars(select(ScheduledTask))
                return {t.guild_id: t.status for t in rows if t.id in ids}

        ids = {t.id for t in tasks.values()} | {system.id}
        for _ in range(150):
            now = await statuses()
            if all(now[g] is TaskStatus.COMPLETED for g in held):
                break
            await asyncio.sleep(0.1)
        now = await statuses()
        assert {g for g, s in now.items() if s is TaskStatus.COMPLETED} == held, now
        assert all(s is TaskStatus.PENDING for g, s in now.items() if g not in held)
        assert "running shards [0, 1] of 6" in process.log()
    finally:
        await process.stop()
        await db.dispose()


async def test_a_second_process_on_one_sqlite_database_refuses_to_start(
    emulator: Emulator, tmp_path: Path
) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    first = BotProcess(emulator, tmp_path / "a")
    second = BotProcess(emulator, tmp_path / "b", database={"url": first.database_url})
    try:
        await first.start()
        second.launch()
        assert await second.exit_code() == EXIT_NEEDS_OPERATOR
        log = second.log()
        assert "Traceback" not in log, log
        assert f"already running on the SQLite database {tmp_path / 'a' / 'carillon.db'}" in log
        assert "PostgreSQL" in log
    finally:
        await first.stop()
