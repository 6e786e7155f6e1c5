"""One thread that paces every server's stream: each 20 ms it sends each stream's next packet.

discord.py's ``VoiceClient.play`` starts a thread per stream and, each 20 ms, reads, encrypts
and sends one packet. Here one shared thread paces every stream, and packets are sealed (RTP
header, encryption) a batch at a time: work done right after a wake-up runs on cold caches
and costs several times more than the same work done in a row, so a tick mostly just sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import threading
import time
from collections import deque
from collections.abc import Callable

import discord
from discord.enums import SpeakingState
from discord.opus import Encoder
from discord.player import OPUS_SILENCE

from bot.audio.opus_source import FRAME_SECONDS
from bot.voice.dave import can_send, seal_state

log = logging.getLogger(__name__)

SILENCE_FRAMES = 5
MAX_LAG_SECONDS = 0.2
# Packets sealed ahead per stream: 200 ms. Those not sent when a stream stops are dropped,
# which receivers see as a gap in RTP sequence numbers, as after a lost packet.
SEAL_BATCH = 10

After = Callable[[Exception | None], None]


class Stream:
    """One source playing into one voice client; ``stop()`` ends it within a frame.

    ``packets_sent`` counts the source's packets handed to the socket (a resume starts
    there); ``completed`` says the source ran out and all of it was sent.
    """

    def __init__(self, voice: discord.VoiceClient, source: discord.AudioSource, after: After):
        self.voice = voice
        self.source = source
        self.after = after
        self.stopped = False
        self.finished = False
        self.lost_at: float | None = None
        self.packets_sent = 0
        self.source_done = False
        self._pending: deque[tuple[bytes, bytes]] = deque()  # (Opus frame, sealed packet)
        self._sealed_with: object = None

    @property
    def completed(self) -> bool:
        return self.source_done and not self._pending

    def stop(self) -> None:
        self.stopped = True

    def next_packet(self) -> bytes | None:
        """The next sealed packet, sealing a batch when none is left; None at the end.

        Packets sealed under an earlier state (a reconnect's new key, DAVE becoming ready,
        a new DAVE epoch when a member joins) are sealed again with their own sequence
        numbers and timestamps, so no audio is skipped and members hear all of it.
        """
        state = seal_state(self.voice)
        if state != self._sealed_with:
            self._sealed_with = state
            self._pending = deque(self._reseal(opus, packet) for opus, packet in self._pending)
        if not self._pending:
            self._seal_batch()
        return self._pending.popleft()[1] if self._pending else None

    def _reseal(self, opus: bytes, packet: bytes) -> tuple[bytes, bytes]:
        sequence, timestamp = struct.unpack_from(">HI", packet, 2)
        return opus, seal_packet(self.voice, opus, sequence=sequence, timestamp=timestamp)

    def _seal_batch(self) -> None:
        for _ in range(SEAL_BATCH):
            if self.source_done:
                return
            opus = self.source.read()
            if not opus:
                self.source_done = True
                return
            self._pending.append((opus, seal_packet(self.voice, opus)))


class PacketPump:
    """Sends Opus packets for every active ``Stream`` from one thread, 50 times a second.

    A stream whose voice client is disconnected waits up to ``reconnect_wait`` seconds
    (discord.py reconnects on its own) and then ends without error, its source unexhausted.
    """

    def __init__(self, *, reconnect_wait: float = 15.0) -> None:
        self.reconnect_wait = reconnect_wait
        self._streams: tuple[Stream, ...] = ()  # replaced, never mutated: the thread reads it
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def play(self, voice: discord.VoiceClient, source: discord.AudioSource, after: After) -> Stream:
        if not source.is_opus():
            raise ValueError("the pump sends Opus packets only")
        stream = Stream(voice, source, after)
        _speak(voice, SpeakingState.voice)
        with self._lock:
            self._streams = (*self._streams, stream)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="voice-pump", daemon=True)
                self._thread.start()
        self._wake.set()
        return stream

    @property
    def active(self) -> int:
        return len(self._streams)

    def cpu_seconds(self) -> float:
        """CPU time the pump's thread has used so far (Linux; 0 where unsupported)."""
        thread = self._thread
        if thread is None or thread.ident is None:
            return 0.0
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        except (AttributeError, OSError):
            return 0.0

    def close(self) -> None:
        """End every stream and let the thread exit (a later ``play`` starts a new one)."""
        with self._lock:
            streams = self._streams
            self._thread = None
        for stream in streams:
            stream.stopped = True
            self._finish(stream, None)
        self._wake.set()

    def _run(self) -> None:
        me = threading.current_thread()
        next_tick = time.perf_counter()
        while self._thread is me:
            streams = self._streams
            if not streams:
                self._wake.wait()
                self._wake.clear()
                next_tick = time.perf_counter()
                continue
            for stream in streams:
                self._step(stream)
            next_tick += FRAME_SECONDS
            delay = next_tick - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -MAX_LAG_SECONDS:
                next_tick = time.perf_counter()

    def _step(self, stream: Stream) -> None:
        if stream.stopped:
            self._finish(stream, None)
            return
        voice = stream.voice
        if not can_send(voice):
            now = time.monotonic()
            if stream.lost_at is None:
                stream.lost_at = now
            elif now - stream.lost_at > self.reconnect_wait:
                self._finish(stream, None)
            return
        if stream.lost_at is not None:
            stream.lost_at = None
            _speak(voice, SpeakingState.voice)
        try:
            packet = stream.next_packet()
            if packet is None:
                self._finish(stream, None)
                return
            _send(voice, packet)
            stream.packets_sent += 1
        except Exception as exc:
            self._finish(stream, exc)

    def _finish(self, stream: Stream, error: Exception | None) -> None:
        with self._lock:
            if stream.finished:
                return
            stream.finished = True
            self._streams = tuple(s for s in self._streams if s is not stream)
        voice = stream.voice
        if voice.is_connected():
            with contextlib.suppress(Exception):
                for _ in range(SILENCE_FRAMES):
                    voice.send_audio_packet(OPUS_SILENCE, encode=False)
            _speak(voice, SpeakingState.none)
        try:
            stream.after(error)
        except Exception:
            log.exception("a stream's after callback failed")
        finally:
            stream.source.cleanup()


def seal_packet(
    voice: discord.VoiceClient,
    opus: bytes,
    *,
    sequence: int | None = None,
    timestamp: int | None = None,
) -> bytes:
    """The RTP packet ``voice.send_audio_packet(opus, encode=False)`` would send next.

    Uses discord.py 2.7's own packet builder (RTP header, DAVE when the session has it,
    transport encryption), advancing the sequence and timestamp as it does; given a
    ``sequence`` and ``timestamp`` it seals that packet again instead.
    """
    if sequence is not None and timestamp is not None:
        current = voice.sequence, voice.timestamp
        voice.sequence, voice.timestamp = sequence, timestamp
        try:
            return voice._get_voice_packet(opus)
        finally:
            voice.sequence, voice.timestamp = current
    voice.checked_add("sequence", 1, 65535)
    packet: bytes = voice._get_voice_packet(opus)
    voice.checked_add("timestamp", Encoder.SAMPLES_PER_FRAME, 4294967295)
    return packet


def _send(voice: discord.VoiceClient, packet: bytes) -> None:
    try:
        voice._connection.send_packet(packet)
    except OSError:
        log.debug("a voice packet was dropped")


def _speak(voice: discord.VoiceClient, state: SpeakingState) -> None:
    try:
        asyncio.run_coroutine_threadsafe(voice.ws.speak(state), voice.loop)
    except Exception:
        log.debug("speaking update failed", exc_info=True)
