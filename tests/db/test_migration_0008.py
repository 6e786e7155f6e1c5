"""Migration 0008 on a database that has tasks: each server's tasks numbered 1, 2 … in id
order, the counters set so the next task follows on, and a downgrade back to 0007."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.clock import FakeClock
from bot.config import Config
from bot.db import Database
from bot.db.migrate import alembic_config, upgrade_sync
from bot.models.scheduled_task import TaskType
from bot.services.scheduler import SchedulerService
from tests.conftest import POSTGRES_URL_ENV
from tests.support.core import RecordingPlayer

A, B = 100, 200
# (id, guild): ids interleave the servers; 5 is the system task of no server.
ROWS = [(1, A), (2, A), (3, B), (4, A), (5, None), (6, B)]


async def _recreate_postgres(url: str) -> None:
    parsed = make_url(url)
    admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (the session's shared ones are already at head)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    base = os.environ.get(POSTGRES_URL_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    parsed = make_url(base)
    url = parsed.set(database=f"{parsed.database}_migration").render_as_string(False)
    asyncio.run(_recreate_postgres(url))
    yield url


async def _insert_0007_rows(url: str) -> None:
    db = Database(url)
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    async with db.engine.begin() as connection:
        for task_id, guild_id in ROWS:
            await connection.execute(
                text(
                    "INSERT INTO scheduled_tasks (id, name, task_type, status, scheduled_at,"
                    " timezone, recurrence_type, recurrence_interval, executions_count,"
                    " parameters, user_id, guild_id, created_at, updated_at, retry_count,"
                    " misfire_grace_seconds) VALUES (:id, :name, 'play_sound', 'pending', :at,"
                    " 'UTC', 'none', 1, 0, '{}', 7, :guild, :at, :at, 0, 300)"
                ),
                {"id": task_id, "name": f"task {task_id}", "at": now, "guild": guild_id},
            )
        if db.dialect == "postgresql":
            # Rows given their ids leave the sequence behind: as if the bot had made them.
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('scheduled_tasks', 'id'), :last)"),
                {"last": len(ROWS)},
            )
    await db.dispose()


async def _numbers(url: str) -> dict[int, int | None]:
    db = Database(url)
    async with db.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT id, number FROM scheduled_tasks"))).all()
        counters = (
            await connection.execute(text("SELECT guild_id, last_number FROM guild_task_counters"))
        ).all()
    await db.dispose()
    return {int(r[0]): r[1] for r in rows} | {-int(g): n for g, n in counters}


async def _tables_and_columns(url: str) -> tuple[set[str], set[str]]:
    db = Database(url)
    async with db.engine.connect() as connection:

        def read(sync_connection):  # type: ignore[no-untyped-def]
            inspector = inspect(sync_connection)
            columns = {c["name"] for c in inspector.get_columns("scheduled_tasks")}
            return set(inspector.get_table_names()), columns

        found = await connection.run_sync(read)
    await db.dispose()
    return found


def test_existing_tasks_are_numbered_per_server_in_id_order(empty_url: str) -> None:
    upgrade_sync(empty_url, "0007")
    asyncio.run(_insert_0007_rows(empty_url))

    upgrade_sync(empty_url, "0008")

    numbers = asyncio.run(_numbers(empty_url))
    assert numbers == {1: 1, 2: 2, 3: 1, 4: 3, 5: None, 6: 2, -A: 3, -B: 2}


def test_a_task_created_after_the_migration_follows_its_servers_last(empty_url: str) -> None:
    upgrade_sync(empty_url, "0007")
    asyncio.run(_insert_0007_rows(empty_url))
    upgrade_sync(empty_url)

    async def create() -> tuple[int | None, int | None]:
        db = Database(empty_url)
        clock = FakeClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
        scheduler = SchedulerService(db, RecordingPlayer(), config=Config(), clock=clock)
        due = clock.now() + timedelta(hours=1)
        made = [
            await scheduler.create_task("new", TaskType.PLAY_SOUND, due, guild_id=g, user_id=7)
            for g in (A, 300)
        ]
        await db.dispose()
        return made[0].number, made[1].number

    assert asyncio.run(create()) == (4, 1)


def test_downgrade_to_0007_keeps_the_tasks_and_drops_the_numbers(empty_url: str) -> None:
    upgrade_sync(empty_url, "0007")
    asyncio.run(_insert_0007_rows(empty_url))
    upgrade_sync(empty_url)

    command.downgrade(alembic_config(empty_url), "0007")

    tables, columns = asyncio.run(_tables_and_columns(empty_url))
    assert "number" not in columns
    assert not {"guild_task_counters", "tracked_messages"} & tables
    upgrade_sync(empty_url)
    assert asyncio.run(_numbers(empty_url))[4] == 3
