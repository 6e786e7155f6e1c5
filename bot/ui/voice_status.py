"""The voice channel's status while a scheduled play runs ("▶ Morning bell"), cleared when it
ends. Only with Set Voice Channel Status; without it, nothing is tried (a refused request
counts against the bot's invalid-request budget)."""

from __future__ import annotations

import logging

import discord

from bot.permissions import VOICE_STATUS, missing
from bot.voice.play import PlayResult
from bot.voice.ports import NowPlaying

log = logging.getLogger(__name__)

STATUS_LIMIT = 500


class VoiceStatus:
    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._shown: set[int] = set()

    def _channel(self, now: NowPlaying) -> discord.VoiceChannel | None:
        channel = self.client.get_channel(now.voice_channel_id)
        if not isinstance(channel, discord.VoiceChannel):
            return None
        if missing(channel.permissions_for(channel.guild.me), VOICE_STATUS):
            return None
        return channel

    async def started(self, now: NowPlaying) -> None:
        if now.request.task_id is None:
            return
        channel = self._channel(now)
        if channel is None:
            return
        name = now.request.task_name or now.sound.name
        try:
            await channel.edit(status=f"▶ {name}"[:STATUS_LIMIT])
        except discord.HTTPException as exc:
            log.info("voice status: could not set it in %s: %s", channel.id, exc)
            return
        self._shown.add(channel.id)

    async def ended(self, now: NowPlaying, result: PlayResult) -> None:
        if now.voice_channel_id not in self._shown:
            return
        self._shown.discard(now.voice_channel_id)
        channel = self._channel(now)
        if channel is None:
            return
        try:
            await channel.edit(status=None)
        except discord.HTTPException as exc:
            log.info("voice status: could not clear it in %s: %s", channel.id, exc)
