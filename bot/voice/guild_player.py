"""One server's player: its voice connection, its FIFO queue and what it is playing."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import discord

from bot.audio.opus_source import FRAME_SECONDS, OggOpusSource
from bot.audio.order import play_order
from bot.audio.store import PlayableSound
from bot.errors import (
    CarillonError,
    NotFound,
    PermanentTaskFailure,
    RunSkipped,
    TaskFailure,
    TransientTaskFailure,
)
from bot.metrics import Metrics
from bot.voice.channel import VoiceChannel, voice_channel_for
from bot.voice.client import CarillonVoiceClient
from bot.voice.dave import DaveNotReady
from bot.voice.native import (
    NativeUnavailable,
    join_for_native,
    leave_voice_state,
    soundboard_sound_for,
)
from bot.voice.play import PlaylistMode, PlayRequest, PlayResult
from bot.voice.ports import (
    ChargeCredits,
    LoadPlaylist,
    LoadSound,
    NowPlaying,
    OnPlayEnd,
    OnPlayStart,
    PlaybackLimit,
)
from bot.voice.pump import PacketPump, Stream

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# Voice close codes: one client disconnected (kicked, moved, its session dropped); the call ended.
DISCONNECTED = 4014
CALL_TERMINATED = 4022
MAX_RESUMES = 2
# What ``prepare`` loaded is used by a play that starts within this long; later it is reloaded.
PREPARED_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class PlayerDeps:
    """Everything a server's player needs, shared by all servers' players."""

    client: discord.Client
    load_sound: LoadSound
    load_playlist: LoadPlaylist
    charge: ChargeCredits
    playback_limit: PlaybackLimit
    on_start: OnPlayStart | None
    on_end: OnPlayEnd | None
    idle_disconnect_seconds: float
    connect_timeout: float
    stall_seconds: float
    rng: random.Random
    pump: PacketPump
    metrics: Metrics


@dataclass(frozen=True, slots=True)
class _Prepared:
    sounds: Sequence[PlayableSound]
    limit: float
    at: float

    def fresh(self, now: float) -> bool:
        return now - self.at < PREPARED_SECONDS


class GuildPlayer:
    def __init__(self, guild_id: int, deps: PlayerDeps) -> None:
        self.guild_id = guild_id
        self._deps = deps
        self._lock = asyncio.Lock()
        self._connecting = asyncio.Lock()
        self._waiting = 0
        self._voice: CarillonVoiceClient | None = None
        self._idle: asyncio.Task[None] | None = None
        self._stop_requested = False
        self._skip_requested = False
        self._stopped_by: int | None = None
        self._current_stream: Stream | None = None
        self._interrupted = asyncio.Event()
        self._prepared: dict[PlayRequest, _Prepared] = {}
        self.now_playing: NowPlaying | None = None

    @property
    def queued(self) -> int:
        """Requests waiting for the one that is playing."""
        return self._waiting

    async def play(self, request: PlayRequest) -> PlayResult:
        """Wait for this server's earlier requests, then play; raises ``TaskFailure``."""
        loop = asyncio.get_running_loop()
        enqueued = loop.time()
        self._waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        try:
            self._cancel_idle()
            queued = loop.time() - enqueued
            result = await self._run(request)
            result.queued_seconds = queued
            return result
        finally:
            self.now_playing = None
            self._lock.release()
            self._arm_idle()

    async def prepare(self, request: PlayRequest) -> bool:
        """Get ready for ``request``, due in a few seconds: load what it plays and, unless
        another play is under way, join its channel. False if it could not join now."""
        now = asyncio.get_running_loop().time()
        self._prepared = {r: p for r, p in self._prepared.items() if p.fresh(now)}
        try:
            prepared = self._prepared[request] = await self._load_play(request)
            if self._lock.locked() or self._waiting:
                return False
            channel = voice_channel_for(self._deps.client, self.guild_id, request.voice_channel_id)
            if self._native(request, channel, prepared.sounds[0] if prepared.sounds else None):
                assert isinstance(channel, discord.VoiceChannel)
                await join_for_native(channel, self._deps.connect_timeout)
            else:
                await self._connect(channel)
        except NativeUnavailable as exc:
            log.info("guild %s: could not get ready for a native play: %s", self.guild_id, exc)
            return False
        except TaskFailure as exc:
            log.info("guild %s: could not get ready for a play: %s", self.guild_id, exc)
            return False
        self._arm_idle()
        return True

    def stop(self, by: int | None = None) -> bool:
        """Stop the current request (later ones in the queue still play); ``by``: who."""
        if self.now_playing is None:
            return False
        self._stop_requested = True
        self._stopped_by = by
        self._interrupted.set()
        if self._current_stream is not None:
            self._current_stream.stop()
        return True

    def skip(self) -> bool:
        """Skip to the playlist's next sound (a single sound just ends)."""
        if self.now_playing is None:
            return False
        self._skip_requested = True
        self._interrupted.set()
        if self._current_stream is not None:
            self._current_stream.stop()
        return True

    async def close(self) -> None:
        self._cancel_idle()
        self.stop()
        await self._disconnect()

    async def _run(self, request: PlayRequest) -> PlayResult:
        prepared = self._prepared.pop(request, None)
        now = asyncio.get_running_loop().time()
        if prepared is None or not prepared.fresh(now):
            prepared = await self._load_play(request)
        sounds, limit = prepared.sounds, prepared.limit
        channel = voice_channel_for(self._deps.client, self.guild_id, request.voice_channel_id)
        if request.skip_if_empty and not any(not member.bot for member in channel.members):
            raise RunSkipped("nobody was in the voice channel")
        order = self._order(request, sounds)
        first = next(order, None)
        if first is None:
            raise PermanentTaskFailure(
                "The playlist is empty. Add sounds with `/playlist add`.", ends_task=False
            )
        if not self._native(request, channel, first):
            await self._connect(channel)
        result = PlayResult()
        try:
            await self._charge(request, sounds, first, result)
        except TaskFailure:
            if not self._waiting:
                await self._disconnect()
            raise
        self._stop_requested = self._skip_requested = False
        self._stopped_by = None
        played_names: list[str] = []
        announced: NowPlaying | None = None
        how = _HowPlayed()
        for index, sound in enumerate(itertools.chain([first], order)):
            remaining = limit - result.played_seconds
            if self._stop_requested or remaining < FRAME_SECONDS:
                break
            self.now_playing = NowPlaying(request, sound, index, channel.id)
            if index == 0:
                announced = self.now_playing
                await self._announce(announced)
            played = await self._play_one(request, channel, sound, remaining, how)
            result.played_seconds += played
            result.sounds_played += 1
            if len(played_names) < 50:
                played_names.append(sound.name)
            if played <= 0:
                break
        result.stopped = self._stop_requested
        result.details |= {
            "voice_channel_id": channel.id,
            "sounds": played_names,
            "limit_reached": result.played_seconds >= limit - FRAME_SECONDS,
        } | how.details()
        if result.stopped and self._stopped_by is not None:
            result.details["stopped_by"] = self._stopped_by
        if announced is not None:
            await self._ended(announced, result)
        return result

    def _native(
        self, request: PlayRequest, channel: VoiceChannel, sound: PlayableSound | None
    ) -> bool:
        """Whether ``sound`` of ``request`` would be sent natively now (no voice connection)."""
        if not request.native or sound is None:
            return False
        try:
            soundboard_sound_for(channel, sound)
        except NativeUnavailable:
            return False
        return True

    async def _play_one(
        self,
        request: PlayRequest,
        channel: VoiceChannel,
        sound: PlayableSound,
        remaining: float,
        how: _HowPlayed,
    ) -> float:
        """Send ``sound`` natively where the request asks and the bot may, else stream it."""
        if request.native:
            try:
                board = soundboard_sound_for(channel, sound)
                assert isinstance(channel, discord.VoiceChannel)
                await join_for_native(channel, self._deps.connect_timeout)
                await _send_sound(channel, board)
            except NativeUnavailable as exc:
                how.fell_back(sound, str(exc))
            else:
                how.natively += 1
                return await self._hold(min(sound.duration_seconds, remaining))
        how.streamed += 1
        await self._connect(channel)
        return await self._play_sound(channel, sound, remaining)

    async def _hold(self, seconds: float) -> float:
        """Keep the server's queue while members' clients play a native sound (or until
        ``/stop`` or ``/skip``); the seconds it held."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        self._interrupted.clear()
        self._skip_requested = False
        try:
            await asyncio.wait_for(self._interrupted.wait(), timeout=seconds)
        except TimeoutError:
            return seconds
        return min(seconds, loop.time() - started)

    async def _load_play(self, request: PlayRequest) -> _Prepared:
        sounds = await self._load(request)
        limit = await self._deps.playback_limit(self.guild_id)
        return _Prepared(sounds, limit, asyncio.get_running_loop().time())

    async def _load(self, request: PlayRequest) -> Sequence[PlayableSound]:
        try:
            if request.sound_id is not None:
                return [await self._deps.load_sound(self.guild_id, request.sound_id)]
            if request.playlist_id is not None:
                return await self._deps.load_playlist(self.guild_id, request.playlist_id)
        except NotFound as exc:
            raise PermanentTaskFailure(str(exc)) from None
        raise PermanentTaskFailure("Nothing to play: the request names no sound or playlist.")

    def _order(
        self, request: PlayRequest, sounds: Sequence[PlayableSound]
    ) -> Iterator[PlayableSound]:
        if request.playlist_id is None:
            return iter(sounds[:1])
        return play_order(sounds, request.mode, shuffle=request.shuffle, rng=self._deps.rng)

    async def _charge(
        self,
        request: PlayRequest,
        sounds: Sequence[PlayableSound],
        first: PlayableSound,
        result: PlayResult,
    ) -> None:
        """Charge the payer: a sound's cost; a playlist's sounds that its mode plays, once.

        A scheduled play's occurrence is charged once: a re-run after a crash pays nothing.
        """
        once = request.playlist_id is None or request.mode in (
            PlaylistMode.SINGLE,
            PlaylistMode.LOOP_ONE,
        )
        cost = first.cost if once else sum(s.cost for s in sounds)
        if request.payer_id is None or cost <= 0:
            return
        reason = (
            f"played {first.name!r}"
            if request.playlist_id is None
            else f"played playlist #{request.playlist_id} ({request.mode.value})"
        )
        try:
            receipt = await self._deps.charge(
                self.guild_id,
                request.payer_id,
                cost,
                reason,
                task_id=request.task_id,
                key=request.charge_key,
            )
        except TaskFailure:
            raise
        except CarillonError as exc:
            raise PermanentTaskFailure(str(exc)) from None
        result.credits_charged = receipt.charged
        if receipt.repeated:
            result.details["already_charged"] = cost

    async def _announce(self, now: NowPlaying) -> None:
        if self._deps.on_start is None:
            return
        try:
            await self._deps.on_start(now)
        except Exception:
            log.exception("now-playing hook failed in guild %s", self.guild_id)

    async def _ended(self, now: NowPlaying, result: PlayResult) -> None:
        if self._deps.on_end is None:
            return
        try:
            await self._deps.on_end(now, result)
        except Exception:
            log.exception("play-ended hook failed in guild %s", self.guild_id)

    async def _play_sound(
        self, channel: VoiceChannel, sound: PlayableSound, remaining: float
    ) -> float:
        """Stream one sound, resuming where it stopped if the voice connection drops."""
        max_packets = int(remaining / FRAME_SECONDS + 1e-9)
        sent = 0
        resumes = 0
        self._skip_requested = False
        self._stopped_by: int | None = None
        while True:
            try:
                source = OggOpusSource(
                    sound.path, start_packet=sent, max_packets=max_packets - sent
                )
            except FileNotFoundError:
                raise PermanentTaskFailure(
                    f"The file of {sound.name!r} is missing. Upload the sound again."
                ) from None
            stream, problem = await self._stream(source)
            if stream is not None:
                sent += stream.packets_sent
                if stream.completed:
                    return sent * FRAME_SECONDS
            if self._stop_requested or self._skip_requested:
                return sent * FRAME_SECONDS
            where = f"after {sent * FRAME_SECONDS:.1f} s of {sound.name!r}"
            voice = self._voice
            if voice is not None and voice.removed:
                self._voice = None
                raise self._removed(channel, voice, where)
            if resumes >= MAX_RESUMES:
                raise PermanentTaskFailure(
                    f"The voice connection dropped {where} and playback could not resume "
                    f"({problem}).",
                    ends_task=False,
                )
            resumes += 1
            log.warning(
                "guild %s: voice dropped %s (%s); reconnecting", self.guild_id, where, problem
            )
            try:
                if voice is not None and voice.stale:
                    channel = await self._channel_after_new_session(channel.id)
                await self._connect(channel, fresh=True)
            except TaskFailure as exc:
                raise PermanentTaskFailure(
                    f"The voice connection dropped {where} and reconnecting failed: {exc}",
                    ends_task=False,
                ) from None

    async def _stream(self, source: OggOpusSource) -> tuple[Stream | None, str]:
        """Play ``source`` until it ends, is stopped or stalls; the stream (None if it could
        not start) and what went wrong, or ""."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Exception | None] = loop.create_future()

        def after(error: Exception | None) -> None:
            loop.call_soon_threadsafe(_resolve, done, error)

        voice = self._voice
        if voice is None or not voice.is_connected():
            source.cleanup()
            return None, "not connected"
        try:
            await voice.wait_until_encrypting(self._deps.connect_timeout)
        except DaveNotReady as exc:
            source.cleanup()
            return None, str(exc)
        stream = self._current_stream = self._deps.pump.play(voice, source, after)
        progress, still_since = -1, loop.time()
        try:
            while not done.done():
                await asyncio.wait({done}, timeout=POLL_SECONDS)
                if lost := _lost(voice):
                    stream.stop()
                    await done
                    return stream, lost
                if stream.packets_sent != progress:
                    progress, still_since = stream.packets_sent, loop.time()
                elif loop.time() - still_since > self._deps.stall_seconds:
                    stream.stop()
                    await done
                    return stream, f"no audio sent for {self._deps.stall_seconds:g} s"
            error = done.result()
        finally:
            stream.stop()
            self._current_stream = None
        if error is not None:
            return stream, f"{type(error).__name__}: {error}"
        return stream, "" if stream.completed else "the voice connection was lost"

    async def _connect(self, channel: VoiceChannel, *, fresh: bool = False) -> None:
        async with self._connecting:
            await self._connect_now(channel, fresh=fresh)

    async def _connect_now(self, channel: VoiceChannel, *, fresh: bool) -> None:
        await self._abandon_stale()
        voice = channel.guild.voice_client
        if voice is not None and (fresh or not voice.is_connected()):
            await _quietly_disconnect(voice)
            voice = None
        timeout = self._deps.connect_timeout
        joining = voice is None or voice.channel.id != channel.id
        started = time.perf_counter()
        result = "failed"
        try:
            if voice is None:
                voice = await channel.connect(
                    timeout=timeout, reconnect=True, self_deaf=True, cls=CarillonVoiceClient
                )
            assert isinstance(voice, CarillonVoiceClient)
            if voice.channel.id != channel.id:
                await voice.move_to(channel, timeout=timeout)
            self._voice = voice
            await voice.wait_until_encrypting(timeout)
            result = "ok"
        except DaveNotReady as exc:
            raise TransientTaskFailure(f"Joined #{channel.name}, but {exc}.") from None
        except TimeoutError:
            raise TransientTaskFailure(
                f"Could not connect to #{channel.name} within {timeout:g} s."
            ) from None
        except (discord.DiscordException, OSError) as exc:
            raise TransientTaskFailure(f"Could not connect to #{channel.name}: {exc}") from None
        finally:
            if joining:
                seconds = time.perf_counter() - started
                self._deps.metrics.voice_connect.labels(result).observe(seconds)

    def _arm_idle(self) -> None:
        if self._waiting or self._lock.locked():
            return
        self._cancel_idle()
        self._idle = asyncio.get_running_loop().create_task(
            self._leave_when_idle(), name=f"voice-idle:{self.guild_id}"
        )

    def _cancel_idle(self) -> None:
        if self._idle is not None and not self._idle.done():
            self._idle.cancel()
        self._idle = None

    async def _leave_when_idle(self) -> None:
        await asyncio.sleep(self._deps.idle_disconnect_seconds)
        if not self._lock.locked() and not self._waiting:
            await self._disconnect()

    async def _abandon_stale(self) -> None:
        voice = self._voice
        if voice is not None and voice.stale:
            self._voice = None
            await voice.abandon()

    async def _channel_after_new_session(self, channel_id: int) -> VoiceChannel:
        """The channel to rejoin once the new gateway session has its server (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._deps.connect_timeout
        while loop.time() < deadline:
            guild = self._deps.client.get_guild(self.guild_id)
            if guild is not None and not guild.unavailable:
                break
            await asyncio.sleep(POLL_SECONDS)
        return voice_channel_for(self._deps.client, self.guild_id, channel_id)

    def _removed(
        self, channel: VoiceChannel, voice: CarillonVoiceClient, where: str
    ) -> PermanentTaskFailure:
        """Someone took the bot out of voice: this run fails and the bot does not rejoin."""
        code = voice.close_code
        if self._deps.client.get_channel(channel.id) is None:
            return PermanentTaskFailure(f"The voice channel #{channel.name} was deleted {where}.")
        if code == CALL_TERMINATED:
            message = f"The call in #{channel.name} was ended ({code}) {where}."
        else:
            shown = f" ({code})" if code == DISCONNECTED else ""
            message = f"The bot was disconnected from #{channel.name}{shown} {where}."
        return PermanentTaskFailure(message, ends_task=False)

    async def _disconnect(self) -> None:
        await self._abandon_stale()
        guild = self._deps.client.get_guild(self.guild_id)
        voice = guild.voice_client if guild is not None else self._voice
        self._voice = None
        if voice is not None:
            await _quietly_disconnect(voice)
        elif guild is not None:
            try:
                await leave_voice_state(guild)
            except Exception:
                log.exception("leaving voice after native plays failed")


class _HowPlayed:
    """How a request's sounds played, for its run record."""

    def __init__(self) -> None:
        self.natively = 0
        self.streamed = 0
        self.notes: list[str] = []

    def fell_back(self, sound: PlayableSound, reason: str) -> None:
        if reason and len(self.notes) < 10:
            self.notes.append(f"{sound.name!r} was streamed: {reason}")

    def details(self) -> dict[str, object]:
        if self.natively and self.streamed:
            played_as = "native and stream"
        else:
            played_as = "native" if self.natively else "stream"
        details: dict[str, object] = {"played_as": played_as, "native_sounds": self.natively}
        if self.notes:
            details["native_fallback"] = self.notes
        return details


async def _send_sound(channel: discord.VoiceChannel, board: discord.SoundboardSound) -> None:
    try:
        await channel.send_sound(board)
    except discord.HTTPException as exc:
        raise NativeUnavailable(f"Discord refused the soundboard sound ({exc})") from None


def _lost(voice: CarillonVoiceClient) -> str:
    """Why ``voice`` will not carry this stream on, or "" while it may reconnect."""
    if voice.removed:
        return "removed from the voice channel"
    if voice.stale and not voice.is_connected():
        return "discord.py dropped the voice client"
    return ""


async def _quietly_disconnect(voice: discord.VoiceProtocol) -> None:
    try:
        await voice.disconnect(force=True)
    except Exception:
        log.exception("voice disconnect failed")


def _resolve(future: asyncio.Future[Exception | None], error: Exception | None) -> None:
    if not future.done():
        future.set_result(error)
