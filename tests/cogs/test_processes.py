"""Several processes on one PostgreSQL database: started together, they sync the commands
once; a change one of them makes is shown in the messages another keeps true."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import AsyncExitStack

import pytest

from bot.clock import FakeClock
from bot.config import Config, DatabaseConfig
from bot.db import Database
from bot.emulator import Emulator, Reply
from bot.services.scheduler import SchedulerService
from tests.cogs.conftest import App
from tests.conftest import truncate_all
from tests.support.app import add_sound, running_bot, task_id_from
from tests.support.core import RecordingPlayer
from tests.support.e2e import World

pytestmark = pytest.mark.postgres


@pytest.fixture
async def postgres_config(app_config: Config, postgres_url: str) -> Config:
    """The app's config on a freshly emptied PostgreSQL database."""
    await truncate_all(postgres_url)
    return dataclasses.replace(app_config, database=DatabaseConfig(url=postgres_url))


async def test_processes_starting_together_sync_the_commands_once(
    emulator: Emulator,
    world: World,
    postgres_config: Config,
    clock: FakeClock,
    extensions: tuple[str, ...],
) -> None:
    async with AsyncExitStack() as stack:
        # Both start at once: before, both found no record, both synced, and the second
        # record's INSERT failed its start with a duplicate key.
        bots = await asyncio.gather(
            *(
                stack.enter_async_context(
                    running_bot(emulator, world, postgres_config, clock, extensions)
                )
                for _ in range(2)
            )
        )
        assert all(bot.is_ready() for bot in bots)
        assert (
            len(emulator.requests_to("PUT", f"*/applications/{emulator.application_id}/commands"))
            == 1
        )
        assert len(emulator.commands[None]) == len(bots[0].tree.get_commands())


def _next_run(reply: Reply) -> str:
    return next(f["value"] for f in reply.embeds[0]["fields"] if f["name"] == "Next run")


async def test_a_confirmation_shows_what_another_process_did_to_its_task(
    emulator: Emulator,
    world: World,
    postgres_config: Config,
    clock: FakeClock,
    extensions: tuple[str, ...],
) -> None:
    db = Database(postgres_config.database.url)
    # Another process on the database (its HTTP API, say), without the message.
    elsewhere = SchedulerService(db, RecordingPlayer(), config=postgres_config, clock=clock)
    try:
        async with running_bot(emulator, world, postgres_config, clock, extensions) as bot:
            app = App(bot, bot.services, emulator, world, clock, postgres_config)
            await add_sound(app)
            reply = await world.alice.slash(
                "schedule sound",
                sound="bell",
                when="every day at 13:00",
                options={"channel": world.lounge},
            )
            task_id = task_id_from(reply)
            assert "paused" not in _next_run(reply)

            assert await elsewhere.pause_task(task_id)
            await reply.wait_for_edit(10)
            assert "paused" in _next_run(reply)

            await elsewhere.resume_task(task_id)
            await reply.wait_for_edit(10)
            assert "paused" not in _next_run(reply)
    finally:
        await db.dispose()
