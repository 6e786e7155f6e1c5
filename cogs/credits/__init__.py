"""``/credits``: a member's balance and recent transactions."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CarillonBot
from bot.errors import InvalidInput
from bot.services.bundle import Services
from bot.ui import credits as ui
from bot.ui.checks import is_admin

HISTORY_SHOWN = 10


class Credits(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="credits", description="A balance and its recent transactions")
    @app_commands.describe(member="Whose credits (default: yours)")
    @app_commands.guild_only()
    async def credits(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise app_commands.NoPrivateMessage
        target = member or interaction.user
        if target.bot:
            raise InvalidInput("Bots have no credits. Pick a member.")
        own = target.id == interaction.user.id
        balance = await self.services.credits.balance(guild_id, target.id)
        history = None
        numbers: dict[int, int] = {}
        if own or await is_admin(interaction):
            history = await self.services.credits.history(guild_id, target.id, HISTORY_SHOWN)
            task_ids = [entry.task_id for entry in history if entry.task_id is not None]
            numbers = await self.services.task_queries.numbers(task_ids)
        embed = ui.balance_embed(target, balance, history, own=own, task_numbers=numbers)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: CarillonBot) -> None:
    await bot.add_cog(Credits(bot.services))
