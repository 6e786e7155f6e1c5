"""The ``PlayerService`` the scheduler and the cogs use: a ``GuildPlayer`` per server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import discord

from bot.audio.store import PlayableSound
from bot.config import VoiceConfig
from bot.errors import InsufficientCredits, NotPermitted, TaskFailure
from bot.metrics import Metrics
from bot.voice.channel import VoiceChannel, voice_channel_for
from bot.voice.guild_player import GuildPlayer, PlayerDeps
from bot.voice.play import PlayRequest, PlayResult
from bot.voice.ports import (
    Balance,
    ChargeCredits,
    LoadPlaylist,
    LoadSound,
    NowPlaying,
    OnPlayEnd,
    OnPlayStart,
    PlaybackLimit,
)
from bot.voice.pump import PacketPump

log = logging.getLogger(__name__)

# How long a play from a command is waited for before it is answered as queued.
START_WAIT_SECONDS = 2.0
POLL_SECONDS = 0.02
UNEXPECTED_PLAY_FAILURE = "The play failed unexpectedly; it was logged."


@dataclass(frozen=True, slots=True)
class Started:
    """How a play from a command is going when the command answers."""

    state: Literal["played", "playing", "queued"]
    waiting: int


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
        on_end: OnPlayEnd | None = None,
        balance: Balance | None = None,
        connect_timeout: float = 15.0,
        stall_seconds: float | None = None,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
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
            on_end=on_end,
            idle_disconnect_seconds=config.idle_disconnect_seconds,
            connect_timeout=connect_timeout,
            stall_seconds=stall,
            rng=rng or random.Random(),
            pump=self.pump,
            metrics=metrics or Metrics(),
        )
        self._players: dict[int, GuildPlayer] = {}
        self._balance = balance
        self._load_sound = load_sound
        self._tasks: set[asyncio.Task[Any]] = set()

    def player(self, guild_id: int) -> GuildPlayer:
        player = self._players.get(guild_id)
        if player is None:
            player = self._players[guild_id] = GuildPlayer(guild_id, self._deps)
        return player

    async def play(self, request: PlayRequest) -> PlayResult:
        return await self.player(request.guild_id).play(request)

    async def check_play_now(
        self, request: PlayRequest, member: discord.Member | discord.User
    ) -> PlayableSound:
        """A sound played from a command, checked before the command answers: ``member``
        could join the channel themselves, the bot can play there, the balance covers it."""
        assert request.sound_id is not None
        guild = self._deps.client.get_guild(request.guild_id)
        chosen = guild.get_channel(request.voice_channel_id) if guild is not None else None
        if isinstance(chosen, discord.VoiceChannel | discord.StageChannel):
            _check_member_may_join(member, chosen)
        self.check_channel(request.guild_id, request.voice_channel_id)
        sound = await self._load_sound(request.guild_id, request.sound_id)
        if self._balance is not None and request.payer_id is not None:
            balance = await self._balance(request.guild_id, request.payer_id)
            if balance < sound.cost:
                raise InsufficientCredits(
                    f"this costs {sound.cost} and the balance is {balance}",
                    balance=balance,
                    cost=sound.cost,
                )
        return sound

    async def play_now(
        self, request: PlayRequest, on_failure: Callable[[str], Awaitable[None]]
    ) -> Started:
        """Start ``request`` in the background and say how it goes after a short wait.

        A failure before the answer raises; a later one goes to ``on_failure`` (the member).
        """
        play = self.start(request)
        state = await self._progress(play, request)
        if play.done():
            play.result()
            return Started("played", 0)
        self._keep(_report(play, on_failure), f"play-report:{request.guild_id}")
        return Started(state, self.queued(request.guild_id))

    def start(self, request: PlayRequest) -> asyncio.Task[PlayResult]:
        """Queue a play without waiting for it; the service keeps the task (failures are
        logged; a caller that wants them awaits it)."""
        task = self._keep(self.play(request), f"play:{request.guild_id}")
        task.add_done_callback(_log_failure)
        return task

    def _keep(self, work: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _progress(
        self, play: asyncio.Task[PlayResult], request: PlayRequest
    ) -> Literal["playing", "queued"]:
        """Wait until the play starts, ends, or is found waiting behind another one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_WAIT_SECONDS
        while not play.done() and loop.time() < deadline:
            await asyncio.wait({play}, timeout=POLL_SECONDS)
            now = self.now_playing(request.guild_id)
            if now is not None:
                return "playing" if now.request is request else "queued"
        return "queued"

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

    async def stop(self, guild_id: int, by: int | None = None) -> bool:
        """``/stop``: end what is playing in the server (``by``: the member who stopped it);
        False when nothing was."""
        return self.player(guild_id).stop(by)

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


def _check_member_may_join(user: discord.Member | discord.User, channel: VoiceChannel) -> None:
    """Members play only where they could be heard themselves."""
    if not isinstance(user, discord.Member):
        return
    permissions = channel.permissions_for(user)
    if not (permissions.view_channel and permissions.connect):
        raise NotPermitted(
            f"You cannot join {channel.mention}, so you cannot play sounds there. "
            "Pick a voice channel you can join."
        )


async def _report(
    play: asyncio.Task[PlayResult], on_failure: Callable[[str], Awaitable[None]]
) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        try:
            await play
        except TaskFailure as exc:
            await on_failure(str(exc))
        except Exception:
            log.exception("a play started from a command failed")
            await on_failure(UNEXPECTED_PLAY_FAILURE)


def _log_failure(task: asyncio.Task[PlayResult]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.info("play in guild failed: %s", task.exception())
