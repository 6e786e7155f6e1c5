"""``/stop`` and ``/skip`` of what plays in the server."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.services.bundle import Services
from bot.ui.formatting import safe
from bot.ui.playback_control import NOTHING_PLAYING, controlled_play

log = logging.getLogger(__name__)


class Playback(commands.Cog):
    """Stop and skip (who may: ``bot.ui.playback_control``)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="stop", description="Stop what is playing in this server")
    @app_commands.guild_only()
    async def stop(self, interaction: discord.Interaction) -> None:
        now = await controlled_play(interaction, "stop")
        assert interaction.guild_id is not None
        if not await self.services.player.stop(interaction.guild_id, interaction.user.id):
            raise InvalidInput(NOTHING_PLAYING)
        await interaction.response.send_message(
            f"⏹️ {interaction.user.mention} stopped **{safe(now.sound.name)}**"
            f" in <#{now.voice_channel_id}>."
        )

    @app_commands.command(name="skip", description="Skip to the next sound of what is playing")
    @app_commands.guild_only()
    async def skip(self, interaction: discord.Interaction) -> None:
        now = await controlled_play(interaction, "skip")
        assert interaction.guild_id is not None
        if not await self.services.player.skip(interaction.guild_id):
            raise InvalidInput(NOTHING_PLAYING)
        await interaction.response.send_message(
            f"⏭️ {interaction.user.mention} skipped **{safe(now.sound.name)}**"
            f" in <#{now.voice_channel_id}>."
        )
