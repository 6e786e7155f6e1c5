"""``/sound`` (the server's sound library, playing one now) and ``/stop`` and ``/skip``."""

from __future__ import annotations

from bot.app import CarillonBot
from bot.ui.deletion import DYNAMIC_ITEMS
from bot.ui.line_pages import LinesButton
from cogs.sounds._library import SoundLibrary
from cogs.sounds._playback import Playback


async def setup(bot: CarillonBot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS, LinesButton)
    await bot.add_cog(Playback(bot.services))
    await bot.add_cog(SoundLibrary(bot.services))
