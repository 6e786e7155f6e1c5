"""``/playlist``: ordered lists of the server's sounds."""

from __future__ import annotations

from bot.app import CarillonBot
from bot.ui.deletion import DYNAMIC_ITEMS
from bot.ui.line_pages import LinesButton
from cogs.playlists._cog import Playlists


async def setup(bot: CarillonBot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS, LinesButton)
    await bot.add_cog(Playlists(bot.services))
