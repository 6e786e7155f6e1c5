"""Playing now from a command, and ``/stop`` and ``/skip`` of what plays in the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput, NotPermitted, TaskFailure
from bot.services.bundle import Services
from bot.ui.checks import is_admin
from bot.ui.errors import reply_error
from bot.ui.formatting import safe
from bot.voice.play import PlayRequest, PlayResult
from bot.voice.ports import NowPlaying

log = logging.getLogger(__name__)

# How long a command waits for its play to start before answering "queued".
START_WAIT_SECONDS = 2.0
POLL_SECONDS = 0.02


class Playback(commands.Cog):
    """Plays requested from commands run in the background; their failures reach the member."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._plays: set[asyncio.Task[Any]] = set()

    async def cog_unload(self) -> None:
        for task in list(self._plays):
            task.cancel()

    async def play_now(self, interaction: discord.Interaction, request: PlayRequest) -> str:
        """Start ``request``: "played", "playing" or "queued" (its failures raise or follow up)."""
        player = self.services.player
        play = asyncio.create_task(player.play(request), name=f"play-now:{request.guild_id}")
        self._track(play)
        state = await self._progress(play, request)
        if play.done():
            play.result()
            return "played"
        self._track(asyncio.create_task(self._report_failure(interaction, play)))
        return state

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._plays.add(task)
        task.add_done_callback(self._plays.discard)

    async def _progress(self, play: asyncio.Task[PlayResult], request: PlayRequest) -> str:
        """Wait until the play starts, ends, or is found waiting behind another one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_WAIT_SECONDS
        while not play.done() and loop.time() < deadline:
            await asyncio.wait({play}, timeout=POLL_SECONDS)
            now = self.services.player.now_playing(request.guild_id)
            if now is not None:
                return "playing" if now.request is request else "queued"
        return "queued"

    @staticmethod
    async def _report_failure(
        interaction: discord.Interaction, play: asyncio.Task[PlayResult]
    ) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            try:
                await play
            except TaskFailure as exc:
                await reply_error(interaction, str(exc))
            except Exception:
                log.exception("a play started by /sound play failed")
                await reply_error(interaction, "The play failed unexpectedly; it was logged.")

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
