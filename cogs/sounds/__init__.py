"""``/sound`` (the server's sound library, playing one now) and ``/stop`` and ``/skip``."""

from __future__ import annotations

from discord.ext import commands

from bot.ui.sounds import DYNAMIC_ITEMS
from cogs.sounds._library import SoundLibrary
from cogs.sounds._playback import Playback


async def setup(bot: commands.Bot) -> None:
    services = bot.services  # type: ignore[attr-defined]
    playback = Playback(services)
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(playback)
    await bot.add_cog(SoundLibrary(services, playback))
