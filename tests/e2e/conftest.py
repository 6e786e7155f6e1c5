"""End-to-end fixtures: the emulator, the standard guild and the bot with the probe cog."""

from __future__ import annotations

import pytest

from bot.app import DiscordBot
from tests.support.e2e import BotRunner, World, bots, emulator, world

__all__ = ["bots", "emulator", "world"]

PROBE = "tests.e2e.probe_cog"


@pytest.fixture
async def bot(bots: BotRunner, world: World) -> DiscordBot:
    return await bots.start([PROBE])
