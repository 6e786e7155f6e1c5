"""One thread that paces every server's stream: each 20 ms it sends each stream's next packet.

discord.py's ``VoiceClient.play`` starts a thread per stream; for already-encoded Opus the
per-wake-up cost of that thread is most of the CPU a stream costs, so one shared thread makes
each extra concurrent stream much cheaper.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable

import discord
from discord.enums import SpeakingState
from discord.player import OPUS_SILENCE

from bot.audio.opus_source import FRAME_SECONDS

log = logging.getLogger(__name__)

SILENCE_FRAMES = 5
MAX_LAG_SECONDS = 0.2

After = Callable[[Exception | None], None]


class Stream:
    """One source playing into one voice client; ``stop()`` ends it within a frame."""

    def __init__(self, voice: discord.VoiceClient, source: discord.AudioSource, after: After):
        self.voice = voice
        self.source = source
        self.after = after
        self.stopped = False
        self.finished = False
        self.lost_at: float | None = None

    def stop(self) -> None:
        self.stopped = True


class PacketPump:
    """Sends Opus packets for every active ``Stream`` from one thread, 50 times a second.

    A stream whose voice client is disconnected waits up to ``reconnect_wait`` seconds
    (discord.py reconnects on its own) and then ends without error, its source unexhausted.
    """

    def __init__(self, *, reconnect_wait: float = 15.0) -> None:
        self.reconnect_wait = reconnect_wait
        self._streams: list[Stream] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def play(self, voice: discord.VoiceClient, source: discord.AudioSource, after: After) -> Stream:
        if not source.is_opus():
            raise ValueError("the pump sends Opus packets only")
        stream = Stream(voice, source, after)
        _speak(voice, SpeakingState.voice)
        with self._lock:
            self._streams.append(stream)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="voice-pump", daemon=True)
                self._thread.start()
        self._wake.set()
        return stream

    @property
    def active(self) -> int:
        with self._lock:
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
            streams = list(self._streams)
            self._thread = None
        for stream in streams:
            stream.stopped = True
            self._finish(stream, None)
        self._wake.set()

    def _run(self) -> None:
        me = threading.current_thread()
        next_tick = time.perf_counter()
        while self._thread is me:
            with self._lock:
                streams = list(self._streams)
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
        if not voice.is_connected():
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
            data = stream.source.read()
            if not data:
                self._finish(stream, None)
                return
            voice.send_audio_packet(data, encode=False)
        except Exception as exc:
            self._finish(stream, exc)

    def _finish(self, stream: Stream, error: Exception | None) -> None:
        with self._lock:
            if stream.finished:
                return
            stream.finished = True
            self._streams.remove(stream)
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


def _speak(voice: discord.VoiceClient, state: SpeakingState) -> None:
    try:
        asyncio.run_coroutine_threadsafe(voice.ws.speak(state), voice.loop)
    except Exception:
        log.debug("speaking update failed", exc_info=True)
