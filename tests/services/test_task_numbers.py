"""Per-server task numbers: #1, #2 … in each server, never the same number twice, even when
two connections create tasks in one server at the same instant."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.config import Config
from bot.db import Database
from bot.models.scheduled_task import ScheduledTask, TaskType
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.repositories.task_numbers import TaskNumberRepository
from bot.services.scheduler import SchedulerService
from bot.services.settings import SettingsService
from bot.services.task_queries import TaskQueries
from bot.services.task_refs import TaskNumber
from tests.support.core import RecordingPlayer

PLAY = {"sound_id": 1, "channel_id": 10}


def _scheduler(database: Database, clock) -> SchedulerService:
    return SchedulerService(database, RecordingPlayer(), config=Config(), clock=clock)


async def _create(scheduler: SchedulerService, guild_id: int | None, name: str) -> ScheduledTask:
    due = scheduler.clock.now() + timedelta(hours=1)
    return await scheduler.create_task(
        name, TaskType.PLAY_SOUND, due, parameters=PLAY, user_id=7, guild_id=guild_id
    )


async def test_each_server_counts_its_own_tasks_and_system_tasks_have_none(database, clock):
    scheduler = _scheduler(database, clock)
    a1 = await _create(scheduler, 100, "a1")
    b1 = await _create(scheduler, 200, "b1")
    system = await _create(scheduler, None, "system")
    a2 = await _create(scheduler, 100, "a2")
    b2 = await _create(scheduler, 200, "b2")

    assert [a1.number, a2.number, b1.number, b2.number] == [1, 2, 1, 2]
    assert system.number is None
    assert system.ref == "system task"
    assert (a2.ref, b2.ref) == ("#2", "#2")
    async with database() as session:
        repository = ScheduledTaskRepository(session)
        found_a = await repository.get_by_number(100, 2)
        found_b = await repository.get_by_number(200, 2)
        assert await repository.numbers([a1.id, b2.id, system.id]) == {a1.id: 1, b2.id: 2}
    assert (found_a.id, found_b.id) == (a2.id, b2.id)


async def test_a_cancelled_or_purged_task_never_gives_its_number_again(database, clock):
    scheduler = _scheduler(database, clock)
    first = await _create(scheduler, 100, "first")
    await scheduler.cancel_task(first.id)
    async with database() as session, session.begin():
        await ScheduledTaskRepository(session).purge_finished(clock.now() + timedelta(days=1))

    again = await _create(scheduler, 100, "again")

    assert again.number == 2


async def test_two_connections_creating_at_once_never_share_a_number(database_url, clock):
    """Two engines (two real connections) on one database: the first holds its transaction
    open after taking a number; the second's take waits for it, then takes the next one."""
    first_db, second_db = Database(database_url), Database(database_url)
    try:
        taken = asyncio.Event()
        numbers: dict[str, int] = {}

        async def slow() -> None:
            async with first_db() as session, session.begin():
                numbers["slow"] = await TaskNumberRepository(session).take_next(100)
                taken.set()
                await asyncio.sleep(0.3)

        async def fast() -> None:
            await taken.wait()
            async with second_db() as session, session.begin():
                numbers["fast"] = await TaskNumberRepository(session).take_next(100)

        await asyncio.gather(slow(), fast())
        assert numbers == {"slow": 1, "fast": 2}

        many = await asyncio.gather(
            *(
                _create(_scheduler(db, clock), 100, f"t{i}")
                for i in range(20)
                for db in (first_db, second_db)
            )
        )
        assert sorted(task.number for task in many) == list(range(3, 43))
    finally:
        await first_db.dispose()
        await second_db.dispose()


@pytest.mark.parametrize("typed", [1, 2])
async def test_a_number_finds_the_task_of_that_server_only(database, clock, typed):
    scheduler = _scheduler(database, clock)
    mine = [await _create(scheduler, 100, f"mine {i}") for i in (1, 2)]
    await _create(scheduler, 200, "elsewhere")
    queries = TaskQueries(scheduler, SettingsService(database, Config(), clock))

    found = await queries.find(100, TaskNumber(typed))
    elsewhere = await queries.find(200, TaskNumber(typed))

    assert found is not None
    assert found.id == mine[typed - 1].id
    assert (elsewhere is not None) is (typed == 1)
