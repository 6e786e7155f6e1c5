"""``/admin``: gated by ``admin_only()`` and ``default_member_permissions=manage_guild``."""

from __future__ import annotations

from bot.app import CarillonBot
from bot.ui.buttons import DYNAMIC_ITEMS
from cogs.admin._cog import AdminCog


async def setup(bot: CarillonBot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(AdminCog(bot.services))
