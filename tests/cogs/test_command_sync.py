"""Processes started together on one PostgreSQL database sync the commands once."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import AsyncExitStack

import pytest

from bot.clock import FakeClock
from bot.config import Config, DatabaseConfig
from bot.emulator import Emulator
from tests.conftest import truncate_all
from tests.support.app import running_bot
from tests.support.e2e import World

pytestmark = pytest.mark.postgres


def global_command_puts(emulator: Emulator) -> int:
    return sum(
        1
        for r in emulator.requests
        if r.method == "PUT" and r.path.endswith("/commands") and "/guilds/" not in r.path
    )


async def test_processes_starting_together_sync_the_commands_once(
    emulator: Emulator,
    world: World,
    app_config: Config,
    clock: FakeClock,
    extensions: tuple[str, ...],
    postgres_url: str,
) -> None:
    await truncate_all(postgres_url)
    config = dataclasses.replace(app_config, database=DatabaseConfig(url=postgres_url))
    async with AsyncExitStack() as stack:
        # Both start at once: before, both found no record, both synced, and the second
        # record's INSERT failed its start with a duplicate key.
        bots = await asyncio.gather(
            *(
                stack.enter_async_context(running_bot(emulator, world, config, clock, extensions))
                for _ in range(2)
            )
        )
        assert all(bot.is_ready() for bot in bots)
        assert global_command_puts(emulator) == 1
        assert len(emulator.commands[None]) == len(bots[0].tree.get_commands())
