"""``/playlist``: ordered lists of the server's sounds."""

from __future__ import annotations

from discord.ext import commands

from bot.ui.sounds import DYNAMIC_ITEMS
from cogs.playlists._cog import Playlists


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(Playlists(bot.services))  # type: ignore[attr-defined]
