"""``/schedule``: members schedule sounds and playlists, list, inspect, edit and cancel them."""

from __future__ import annotations

from bot.app import CarillonBot
from bot.ui.buttons import DYNAMIC_ITEMS
from cogs.schedule._cog import ScheduleCog


async def setup(bot: CarillonBot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(ScheduleCog(bot.services))
