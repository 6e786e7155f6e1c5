"""End-to-end harness: the emulator, a standard guild, and the real bot running against them.

Import the fixtures into a ``conftest.py`` (``from tests.support.e2e import *``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import DiscordBot
from bot.config import Config, DiscordConfig
from bot.emulator import Actor, Channel, Emulator, Guild, Overwrite, Permission, Role

_log = logging.getLogger(__name__)

READY_TIMEOUT = 10.0
# discord.py waits this long after the last GUILD_CREATE before on_ready (default 2 s).
GUILD_READY_TIMEOUT = 0.05


@dataclass
class World:
    """The standard guild: an owner, an admin, two members, a text and three voice channels."""

    emulator: Emulator
    guild: Guild
    admin_role: Role
    general: Channel
    lounge: Channel
    tiny: Channel
    locked: Channel
    owner: Actor
    admin: Actor
    alice: Actor
    bob: Actor


def build_world(emulator: Emulator) -> World:
    guild = emulator.add_guild("Carillon Test")
    admin_role = emulator.add_role(guild, "Carillon Admin")
    general = emulator.add_text_channel(guild, "general")
    lounge = emulator.add_voice_channel(guild, "Lounge")
    tiny = emulator.add_voice_channel(guild, "Tiny", user_limit=1)
    locked = emulator.add_voice_channel(
        guild,
        "Locked",
        overwrites=[Overwrite.for_role(guild.everyone, deny=int(Permission.CONNECT))],
    )
    return World(
        emulator=emulator,
        guild=guild,
        admin_role=admin_role,
        general=general,
        lounge=lounge,
        tiny=tiny,
        locked=locked,
        owner=Actor(emulator, emulator.owner(guild), channel=general),
        admin=Actor(
            emulator, emulator.add_member(guild, "ada", roles=[admin_role]), channel=general
        ),
        alice=Actor(emulator, emulator.add_member(guild, "alice"), channel=general),
        bob=Actor(emulator, emulator.add_member(guild, "bob"), channel=general),
    )


def bot_config(emulator: Emulator, **sections: Any) -> Config:
    """A config pointing at ``emulator``; ``sections`` replace other sections (``database=...``)."""
    discord_config = DiscordConfig(
        token=emulator.token,
        api_base_url=emulator.api_base_url,
        gateway_url=emulator.gateway_url,
        cdn_url=emulator.cdn_url,
    )
    return Config(discord=discord_config, **sections)


class BotRunner:
    """Starts real ``DiscordBot``s (no services) against an emulator; stops them at the end."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._running: list[tuple[DiscordBot, asyncio.Task[None]]] = []

    async def start(
        self,
        extensions: Sequence[str],
        *,
        config: Config | None = None,
        **options: Any,
    ) -> DiscordBot:
        """Start a bot and return it once it is ready (READY, guilds, commands synced)."""
        bot = DiscordBot(
            config or bot_config(self.emulator),
            extensions,
            connector=self.emulator.connector(),
            guild_ready_timeout=GUILD_READY_TIMEOUT,
            **options,
        )
        task = asyncio.create_task(bot.start(self.emulator.token), name="carillon-bot")
        self._running.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, task}, timeout=READY_TIMEOUT, return_when="FIRST_COMPLETED"
        )
        if ready not in done:
            ready.cancel()
            if task in done:
                task.result()
            raise TimeoutError(f"the bot was not ready after {READY_TIMEOUT}s")
        return bot

    async def stop(self, bot: DiscordBot) -> None:
        """Close ``bot`` as a shutdown would."""
        for entry in list(self._running):
            if entry[0] is bot:
                self._running.remove(entry)
                await self._close(*entry)

    async def restart(
        self, bot: DiscordBot, extensions: Sequence[str], **kwargs: Any
    ) -> DiscordBot:
        await self.stop(bot)
        return await self.start(extensions, **kwargs)

    async def stop_all(self) -> None:
        while self._running:
            await self._close(*self._running.pop())

    @staticmethod
    async def _close(bot: DiscordBot, task: asyncio.Task[None]) -> None:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=5)


@pytest.fixture
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    """Options from ``@pytest.mark.emulator(...)``; Discord's limits hold in every test: each
    429 the bot got was retried and got through."""
    marker = request.node.get_closest_marker("emulator")
    async with Emulator(**(marker.kwargs if marker else {})) as running:
        yield running
    limited = [r for r in running.unretried_429s() if r.limited is not None]
    assert not limited, f"429s the bot never got past: {[str(r) for r in limited]}"


@pytest.fixture
def world(emulator: Emulator) -> World:
    return build_world(emulator)


@pytest.fixture
async def bots(emulator: Emulator) -> AsyncIterator[BotRunner]:
    runner = BotRunner(emulator)
    yield runner
    await runner.stop_all()


StartBot = Callable[..., Awaitable[DiscordBot]]

__all__ = [
    "GUILD_READY_TIMEOUT",
    "BotRunner",
    "StartBot",
    "World",
    "bot_config",
    "bots",
    "build_world",
    "emulator",
    "world",
]
