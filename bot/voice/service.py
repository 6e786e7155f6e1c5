"""The ``PlayerService`` the scheduler and the cogs use: a ``GuildPlayer`` per server."""

from __future__ import annotations

import asyncio
import logging
import random

import discord

from bot.config import VoiceConfig
from bot.voice.channel import voice_channel_for
from bot.voice.guild_player import GuildPlayer, PlayerDeps
from bot.voice.play import PlayRequest, PlayResult
from bot.voice.ports import (
    ChargeCredits,
    LoadPlaylist,
    LoadSound,
    NowPlaying,
    OnPlayStart,
    PlaybackLimit,
)
from bot.voice.pump import PacketPump

log = logging.getLogger(__name__)


class VoicePlayerService:
    """Plays requests one at a time per server and in parallel across servers."""

    def __init__(
        self,
        client: discord.Client,
        config: VoiceConfig,
        *,
        load_sound: LoadSound,
        load_playlist: LoadPlaylist,
        charge: ChargeCredits,
        playback_limit: PlaybackLimit | None = None,
        on_start: OnPlayStart | None = None,
        connect_timeout: float = 15.0,
        stall_seconds: float | None = None,
        rng: random.Random | None = None,
    ) -> None:
        async def default_limit(_guild_id: int) -> float:
            return config.max_playback_seconds

        stall = stall_seconds if stall_seconds is not None else connect_timeout + 5
        self.pump = PacketPump(reconnect_wait=connect_timeout)
        self._deps = PlayerDeps(
            client=client,
            load_sound=load_sound,
            load_playlist=load_playlist,
            charge=charge,
            playback_limit=playback_limit or default_limit,
            on_start=on_start,
            idle_disconnect_seconds=config.idle_disconnect_seconds,
            connect_timeout=connect_timeout,
            stall_seconds=stall,
            rng=rng or random.Random(),
            pump=self.pump,
        )
        self._players: dict[int, GuildPlayer] = {}
        self._tasks: set[asyncio.Task[PlayResult]] = set()

    def player(self, guild_id: int) -> GuildPlayer:
        player = self._players.get(guild_id)
        if player is None:
            player = self._players[guild_id] = GuildPlayer(guild_id, self._deps)
        return player

    async def play(self, request: PlayRequest) -> PlayResult:
        return await self.player(request.guild_id).play(request)

    def start(self, request: PlayRequest) -> asyncio.Task[PlayResult]:
        """``/sound play``: queue a play without waiting for it; the service keeps the task.

        Failures are logged; a caller that wants them (to tell the member) awaits the task,
        for example ``asyncio.wait({task}, timeout=2)`` to catch the immediate ones.
        """
        task = asyncio.get_running_loop().create_task(
            self.play(request), name=f"play:{request.guild_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[PlayResult]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("play in guild failed: %s", task.exception())

    async def prepare(self, request: PlayRequest) -> bool:
        """Get ready for a play due in a few seconds: load its sounds and join its channel,
        so that its first packet is not late.

        Joins nothing (False) while the server's player is busy or if the channel is
        unusable; the bot leaves again after ``idle_disconnect_seconds`` if no play comes.
        """
        return await self.player(request.guild_id).prepare(request)

    def check_channel(self, guild_id: int, channel_id: int) -> None:
        """Raise ``PermanentTaskFailure`` now if the bot could not play there (for scheduling)."""
        voice_channel_for(self._deps.client, guild_id, channel_id)

    async def stop(self, guild_id: int) -> bool:
        """``/stop``: end what is playing in the server; False when nothing was."""
        return self.player(guild_id).stop()

    async def skip(self, guild_id: int) -> bool:
        """``/skip``: go to the next sound of the playlist; False when nothing was playing."""
        return self.player(guild_id).skip()

    def now_playing(self, guild_id: int) -> NowPlaying | None:
        player = self._players.get(guild_id)
        return player.now_playing if player is not None else None

    def queued(self, guild_id: int) -> int:
        player = self._players.get(guild_id)
        return player.queued if player is not None else 0

    async def close(self) -> None:
        """Stop everything and leave every voice channel (at shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        for player in list(self._players.values()):
            await player.close()
        self.pump.close()
