"""``/help``, and the same words once when the bot joins a server."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CarillonBot
from bot.ui.first_run import SetTimezoneButton, help_embed, welcome_channel

log = logging.getLogger(__name__)


# Welcomes go out one at a time, at most five a second: a burst of joins (a bot listed somewhere)
# never competes with scheduled plays' posts for the global rate limit.
WELCOME_SPACING_SECONDS = 0.2


class Help(commands.Cog):
    def __init__(self) -> None:
        self._welcomes = asyncio.Lock()

    @app_commands.command(name="help", description="What Carillon does and how to start")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=help_embed(), ephemeral=True)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        channel = welcome_channel(guild)
        if channel is None:
            log.info("joined guild %s: no channel I may post in", guild.id)
            return
        async with self._welcomes:
            try:
                await channel.send(embed=help_embed())
            except discord.HTTPException as exc:
                log.info("joined guild %s: could not post the welcome: %s", guild.id, exc)
            await asyncio.sleep(WELCOME_SPACING_SECONDS)


async def setup(bot: CarillonBot) -> None:
    bot.add_dynamic_items(SetTimezoneButton)
    await bot.add_cog(Help())
