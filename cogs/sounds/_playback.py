"""``/stop`` and ``/skip`` of what plays in the server."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput, NotPermitted
from bot.services.bundle import Services
from bot.ui.checks import is_admin
from bot.ui.formatting import safe
from bot.voice.ports import NowPlaying

log = logging.getLogger(__name__)


class Playback(commands.Cog):
    """Stop and skip; who may control what plays."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def _check_control(self, interaction: discord.Interaction, verb: str) -> NowPlaying:
        """What plays now, if this member may stop or skip it; else ``NotPermitted``."""
        guild = interaction.guild
        if guild is None:
            raise app_commands.NoPrivateMessage
        now = self.services.player.now_playing(guild.id)
        if now is None:
            raise InvalidInput("Nothing is playing in this server right now.")
        member = interaction.user
        voice = member.voice if isinstance(member, discord.Member) else None
        channel = voice.channel if voice is not None else None
        in_channel = channel is not None and channel.id == now.voice_channel_id
        started_it = now.request.payer_id == member.id
        if not (in_channel or started_it or await is_admin(interaction)):
            raise NotPermitted(
                f"Only members in <#{now.voice_channel_id}>, the member who started this play "
                f"or an admin can {verb} it. Join the voice channel first."
            )
        return now

    @app_commands.command(name="stop", description="Stop what is playing in this server")
    @app_commands.guild_only()
    async def stop(self, interaction: discord.Interaction) -> None:
        now = await self._check_control(interaction, "stop")
        assert interaction.guild_id is not None
        if not await self.services.player.stop(interaction.guild_id):
            raise InvalidInput("Nothing is playing in this server right now.")
        await interaction.response.send_message(
            f"⏹️ {interaction.user.mention} stopped **{safe(now.sound.name)}**"
            f" in <#{now.voice_channel_id}>."
        )

    @app_commands.command(name="skip", description="Skip to the next sound of what is playing")
    @app_commands.guild_only()
    async def skip(self, interaction: discord.Interaction) -> None:
        now = await self._check_control(interaction, "skip")
        assert interaction.guild_id is not None
        if not await self.services.player.skip(interaction.guild_id):
            raise InvalidInput("Nothing is playing in this server right now.")
        await interaction.response.send_message(
            f"⏭️ {interaction.user.mention} skipped **{safe(now.sound.name)}**"
            f" in <#{now.voice_channel_id}>."
        )
