"""Declarative gating: ``@admin_only()`` on a command or group."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from bot.services.bundle import services_of
from bot.ui.task_input import actor_of

T = TypeVar("T")

NOT_ADMIN = (
    "Only Carillon admins can do this: the server owner, and members with an admin role "
    "(an admin adds roles with /admin roles add)."
)


class NotAdmin(app_commands.CheckFailure):
    """Raised by ``admin_only``; the error handler shows its message."""


async def is_admin(interaction: discord.Interaction) -> bool:
    """Server owner, configured owners, and holders of a config or server admin role."""
    if interaction.guild is None:
        return False
    return await services_of(interaction.client).settings.is_admin(actor_of(interaction))


def admin_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage
        if not await is_admin(interaction):
            raise NotAdmin(NOT_ADMIN)
        return True

    return app_commands.check(predicate)
