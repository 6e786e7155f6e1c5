"""The real application through the emulator: ``build_bot`` with the real cogs, a FakeClock and
a migrated SQLite file per test. Fixtures are generic; add to this file rather than replace it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import CarillonBot
from bot.clock import FakeClock
from bot.config import Config, DatabaseConfig, SoundsConfig, VoiceConfig
from bot.container import DEFAULT_EXTENSIONS, build_bot
from bot.emulator import Emulator
from bot.services.bundle import Services
from tests.support.e2e import GUILD_READY_TIMEOUT, World, bot_config, emulator, world

__all__ = ["emulator", "world"]

READY_TIMEOUT = 10.0


@dataclass
class App:
    """The running application as a test sees it: the bot, its services, the world, the clock."""

    bot: CarillonBot
    services: Services
    emulator: Emulator
    world: World
    clock: FakeClock
    config: Config


def available_extensions(names: Sequence[str] = DEFAULT_EXTENSIONS) -> tuple[str, ...]:
    """The default extensions that exist in the tree (cogs land one by one)."""
    return tuple(name for name in names if importlib.util.find_spec(name) is not None)


@pytest.fixture
def extensions() -> tuple[str, ...]:
    """Override in a test module to load fewer cogs."""
    return available_extensions()


@pytest.fixture
def app_config(emulator: Emulator, world: World, sqlite_url: str, tmp_path: Path) -> Config:
    """Small limits so rejection tests stay fast; the world's admin role is a config admin role."""
    config = bot_config(
        emulator,
        database=DatabaseConfig(url=sqlite_url),
        sounds=SoundsConfig(
            directory=str(tmp_path / "sounds"), max_upload_mb=1.0, max_duration_seconds=5.0
        ),
        voice=VoiceConfig(idle_disconnect_seconds=30.0, max_playback_seconds=60.0),
    )
    discord_config = dataclasses.replace(config.discord, admin_role_ids=(world.admin_role.id,))
    return dataclasses.replace(config, discord=discord_config)


@pytest.fixture
async def app(
    emulator: Emulator,
    world: World,
    app_config: Config,
    clock: FakeClock,
    extensions: tuple[str, ...],
) -> AsyncIterator[App]:
    """The real bot, started against the emulator and ready (commands synced)."""
    bot = build_bot(
        app_config,
        clock=clock,
        extensions=extensions,
        connector=emulator.connector(),
        guild_ready_timeout=GUILD_READY_TIMEOUT,
    )
    runner = asyncio.create_task(bot.start(app_config.discord.token or ""), name="carillon-app")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {ready, runner}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    try:
        if ready not in done:
            ready.cancel()
            if runner in done:
                runner.result()
            raise TimeoutError(f"the bot was not ready after {READY_TIMEOUT}s")
        yield App(bot, bot.services, emulator, world, clock, app_config)
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(runner, timeout=5)
