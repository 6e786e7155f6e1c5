"""Voice benchmark: this player's stored-Opus path against discord.py's ``FFmpegPCMAudio`` path.

Prints, for 1, 10 and 50 concurrent streams into the emulator (one server each):

- CPU time per second of audio and per stream: the audio thread's own CPU time (read,
  encrypt, send; plus Opus encoding for the FFmpeg path) and, for the FFmpeg path, the
  ``ffmpeg`` processes' CPU time; both paths play the same stored sound. The emulator runs in
  a process of its own (``benchmarks/_emulator_process.py``) so that its work is not counted;
- the CPU davey spends encrypting (DAVE) per stream and second of audio;
- due instant to the first frame the emulator's listening member hears (decrypts), p50/p99,
  for scheduled plays through the whole application (scheduler, credits, voice join, DAVE
  handshake, first packet), every stream due at once: as the bot runs (the dispatcher claims
  plays a few seconds ahead, loads them and joins their channels), and with no lead at all,
  which is the handshake time: join to first heard frame.

The FFmpeg path needs what the bot itself never needs, for this benchmark only:
an ``ffmpeg`` executable (``pip install imageio-ffmpeg`` ships one, or pass ``--ffmpeg``;
a system ffmpeg on PATH is used otherwise) and libopus for ``discord.opus`` (loaded from the
copy bundled in PyAV's wheel; no system package needed). Run from the repository root:

    python -m benchmarks.voice [--seconds 5] [--streams 1,10,50] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import logging
import os
import resource
import shutil
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import av
import davey
import discord

from bot.app import CarillonBot
from bot.audio.opus_source import OggOpusSource
from bot.audio.tones import tone
from bot.audio.transcode import AudioLimits, transcode
from bot.config import Config, DatabaseConfig, DiscordConfig, SoundsConfig, VoiceConfig
from bot.container import build_bot
from bot.db.migrate import upgrade
from bot.errors import NotFound
from bot.models import TaskType
from bot.voice.dave import DaveVoiceClient
from bot.voice.pump import PacketPump, seal_packet

FRAME = 0.02
THIS_PLAYER = "stored Opus, shared pump (this player)"
FFMPEG = "FFmpegPCMAudio"
FLOOR = "floor: pre-sealed packets, pace + send only"


@dataclass
class StreamRun:
    path: str
    streams: int
    audio_seconds: float
    thread_cpu: float
    child_cpu: float
    frames: list[int]

    @property
    def cpu_per_stream_second(self) -> float:
        return (self.thread_cpu + self.child_cpu) / (self.streams * self.audio_seconds)


@dataclass(frozen=True)
class Server:
    guild_id: int
    channel_id: int
    owner_id: int


class EmulatorProcess:
    """``benchmarks/_emulator_process.py`` in a child process, driven over its stdin/stdout."""

    def __init__(self, process: asyncio.subprocess.Process, hello: dict[str, Any]) -> None:
        self.process = process
        self.hello = hello
        self.servers = [Server(**s) for s in hello["servers"]]
        self._lock = asyncio.Lock()

    @classmethod
    async def start(cls, count: int) -> EmulatorProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._emulator_process",
            str(count),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        hello = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=60))
        return cls(process, hello)

    async def call(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        async with self._lock:
            self.process.stdin.write(command.encode() + b"\n")
            await self.process.stdin.drain()
            return json.loads(await self.process.stdout.readline())

    async def wait_for_audio(
        self, servers: Sequence[Server], frames: int, idle: float = 0.3
    ) -> dict[int, dict[str, Any]]:
        """Per server: frames received and first arrival, once each got ``frames`` and went idle."""
        deadline = time.monotonic() + 120
        while True:
            audio = {int(k): v for k, v in (await self.call("audio")).items()}
            now = time.monotonic()
            chosen = [audio[s.guild_id] for s in servers]
            if all(a["frames"] >= frames and now - a["last"] >= idle for a in chosen):
                return {s.guild_id: audio[s.guild_id] for s in servers}
            if now > deadline:
                raise TimeoutError(f"audio did not arrive: {chosen}")
            await asyncio.sleep(0.1)

    async def wait_until_left(self, servers: Sequence[Server]) -> None:
        deadline = time.monotonic() + 30
        while True:
            channels = await self.call("voice")
            if not any(channels[str(s.guild_id)] for s in servers):
                return
            if time.monotonic() > deadline:
                stuck = [s.guild_id for s in servers if channels[str(s.guild_id)]]
                raise TimeoutError(f"the bot did not leave the voice channels of {stuck}")
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.call("quit")
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        await self.process.wait()


class GatewayBudget:
    """discord.py sends at most 120 gateway events a minute; each voice join and leave is one.

    Rounds wait for room rather than measure the rate limiter.
    """

    def __init__(self, per_minute: int = 100) -> None:
        self.per_minute = per_minute
        self.sent: list[float] = []

    async def spend(self, events: int) -> None:
        if events > self.per_minute:
            raise ValueError(f"{events} gateway events cannot fit in one minute")
        while True:
            now = time.monotonic()
            self.sent = [t for t in self.sent if now - t < 60]
            if len(self.sent) + events <= self.per_minute:
                self.sent.extend([now] * events)
                return
            await asyncio.sleep(self.sent[0] + 60.5 - now)


def load_libopus() -> None:
    if discord.opus.is_loaded():
        return
    bundled = sorted(glob.glob(str(Path(av.__file__).parent.parent / "av.libs" / "libopus*.so*")))
    for candidate in [*bundled, "opus", "libopus.so.0"]:
        with contextlib.suppress(OSError):
            discord.opus.load_opus(candidate)
            return
    raise SystemExit("libopus not found: PyAV's wheel normally bundles it (av.libs/libopus*.so)")


def find_ffmpeg(explicit: str | None) -> str:
    if explicit:
        return explicit
    with contextlib.suppress(ImportError):
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    found = shutil.which("ffmpeg")
    if found is None:
        raise SystemExit("no ffmpeg: pip install imageio-ffmpeg, or pass --ffmpeg PATH")
    return found


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def dave_microseconds(voices: Sequence[discord.VoiceClient]) -> int:
    """Time davey spent encrypting audio for ``voices`` so far, summed."""
    total = 0
    for voice in voices:
        session = voice._connection.dave_session
        if session is not None:
            total += session.get_encryption_stats(davey.MediaType.audio).duration
    return total


async def pump_all(
    voices: Sequence[discord.VoiceClient], make_source: Callable[[], discord.AudioSource]
) -> float:
    """Play a fresh source on every voice client through one ``PacketPump``; its CPU time."""
    loop = asyncio.get_running_loop()
    pump = PacketPump()
    finished: list[asyncio.Future[None]] = []
    for voice in voices:
        done: asyncio.Future[None] = loop.create_future()
        finished.append(done)

        def after(error: Exception | None, done: asyncio.Future[None] = done) -> None:
            loop.call_soon_threadsafe(done.set_result, None)

        pump.play(voice, make_source(), after)
    await asyncio.gather(*finished)
    cpu = pump.cpu_seconds()
    pump.close()
    return cpu


async def send_only(
    voices: Sequence[discord.VoiceClient], make_source: Callable[[], discord.AudioSource]
) -> float:
    """The floor under any sender: every packet sealed beforehand, one thread that only
    wakes each 20 ms and sends each voice client its next packet; that thread's CPU time."""
    sealed = []
    for voice in voices:
        source = make_source()
        packets = []
        while opus := source.read():
            packets.append(seal_packet(voice, opus))
        source.cleanup()
        sealed.append((voice, packets))
    cpu = [0.0]

    def pace() -> None:
        started = time.thread_time()
        next_tick = time.perf_counter()
        for index in range(max(len(packets) for _, packets in sealed)):
            for voice, packets in sealed:
                if index < len(packets):
                    voice._connection.send_packet(packets[index])
            next_tick += FRAME
            time.sleep(max(0.0, next_tick - time.perf_counter()))
        cpu[0] = time.thread_time() - started

    await asyncio.to_thread(pace)
    return cpu[0]


async def play_all(
    voices: Sequence[discord.VoiceClient], make_source: Callable[[], discord.AudioSource]
) -> float:
    """Play a fresh source on every voice client at once with ``VoiceClient.play`` (a thread
    each); the audio threads' CPU time, summed."""
    loop = asyncio.get_running_loop()
    lock = threading.Lock()
    cpu = [0.0]
    finished: list[asyncio.Future[None]] = []
    for voice in voices:
        done: asyncio.Future[None] = loop.create_future()
        finished.append(done)

        def after(error: Exception | None, done: asyncio.Future[None] = done) -> None:
            with lock:
                cpu[0] += time.thread_time()
            loop.call_soon_threadsafe(done.set_result, None)

        voice.play(make_source(), after=after)
    await asyncio.gather(*finished)
    return cpu[0]


async def cpu_runs(
    emulator: EmulatorProcess,
    bot: CarillonBot,
    sound: Path,
    seconds: float,
    counts: Sequence[int],
    ffmpeg: str,
    budget: GatewayBudget,
) -> list[StreamRun]:
    servers = emulator.servers
    await budget.spend(max(counts))
    voices: list[discord.VoiceClient] = []
    for server in servers[: max(counts)]:
        target = bot.get_channel(server.channel_id)
        assert isinstance(target, discord.VoiceChannel)
        voice = await target.connect(timeout=30, self_deaf=True, cls=DaveVoiceClient)
        await voice.wait_until_encrypting(30)
        voices.append(voice)
    paths = {
        FLOOR: (send_only, lambda: OggOpusSource(sound)),
        THIS_PLAYER: (pump_all, lambda: OggOpusSource(sound)),
        "stored Opus, VoiceClient.play": (play_all, lambda: OggOpusSource(sound)),
        FFMPEG: (play_all, lambda: discord.FFmpegPCMAudio(str(sound), executable=ffmpeg)),
    }
    runs = []
    for count in counts:
        for name, (player, make_source) in paths.items():
            await emulator.call("clear")
            before = children_cpu()
            dave_before = dave_microseconds(voices[:count])
            thread_cpu = await player(voices[:count], make_source)
            if name == THIS_PLAYER:
                dave = (dave_microseconds(voices[:count]) - dave_before) / 1000
                print(
                    f"DAVE encryption, {count} streams: {dave / count / seconds:.3f} ms "
                    "per stream per second of audio",
                    flush=True,
                )
            audio = await emulator.wait_for_audio(servers[:count], frames=1)
            child_cpu = children_cpu() - before
            frames = [a["frames"] for a in audio.values()]
            runs.append(StreamRun(name, count, seconds, thread_cpu, child_cpu, frames))
    await budget.spend(len(voices))
    for voice in voices:
        await voice.disconnect(force=True)
    return runs


async def latency_runs(
    emulator: EmulatorProcess,
    bot: CarillonBot,
    counts: Sequence[int],
    repeat: int,
    budget: GatewayBudget,
    *,
    lead_seconds: float,
) -> dict[int, list[float]]:
    """Plays scheduled in ``counts`` servers, all due at the same instant; the dispatcher
    claims (and prepares) them ``lead_seconds`` ahead of it."""
    services = bot.services
    dispatcher = services.scheduler.dispatcher
    dispatcher.settings = replace(dispatcher.settings, lead_seconds=lead_seconds)
    sound_ids = {}
    short = tone(440, 0.5)
    for server in emulator.servers[: max(counts)]:
        try:
            sound = await services.sounds.find(server.guild_id, "bench")
        except NotFound:
            sound = await services.sounds.upload(server.guild_id, server.owner_id, "bench", short)
        sound_ids[server.guild_id] = sound.id
    latencies: dict[int, list[float]] = {}
    for count in counts:
        chosen = emulator.servers[:count]
        for _ in range(repeat):
            await emulator.wait_until_left(chosen)
            await budget.spend(2 * count)
            await emulator.call("clear")
            due = services.clock.now() + timedelta(seconds=3)
            due_monotonic = time.monotonic() + (due - services.clock.now()).total_seconds()
            for server in chosen:
                await services.scheduler.create_task(
                    "bench",
                    TaskType.PLAY_SOUND,
                    due,
                    parameters={
                        "sound_id": sound_ids[server.guild_id],
                        "channel_id": server.channel_id,
                    },
                    user_id=server.owner_id,
                    guild_id=server.guild_id,
                )
            audio = await emulator.wait_for_audio(chosen, frames=20)
            latencies.setdefault(count, []).extend(
                a["first"] - due_monotonic for a in audio.values()
            )
    return latencies


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report_cpu(runs: Sequence[StreamRun]) -> None:
    print("\nCPU time per second of audio, per stream (sending threads + ffmpeg processes)")
    print(f"{'streams':>7}  {'path':<44} {'ms CPU/s':>9} {'thread':>8} {'ffmpeg':>8}  frames")
    by_count: dict[int, dict[str, StreamRun]] = {}
    for run in runs:
        by_count.setdefault(run.streams, {})[run.path] = run
        per = run.streams * run.audio_seconds
        expected = round(run.audio_seconds / FRAME)
        frames = f"{min(run.frames)}-{max(run.frames)} (expected ~{expected})"
        print(
            f"{run.streams:>7}  {run.path:<44} {1000 * run.cpu_per_stream_second:>9.2f} "
            f"{1000 * run.thread_cpu / per:>8.2f} {1000 * run.child_cpu / per:>8.2f}  {frames}"
        )
    for count, paths in by_count.items():
        ours, theirs = paths[THIS_PLAYER], paths[FFMPEG]
        ratio = theirs.cpu_per_stream_second / max(ours.cpu_per_stream_second, 1e-9)
        floor = paths[FLOOR].cpu_per_stream_second
        above = (theirs.cpu_per_stream_second - floor) / max(
            ours.cpu_per_stream_second - floor, 1e-9
        )
        ceiling = theirs.cpu_per_stream_second / max(floor, 1e-9)
        print(
            f"{count:>7}  FFmpegPCMAudio / this player: {ratio:.1f}x the CPU per stream; "
            f"{above:.1f}x above the floor; FFmpegPCMAudio / floor: {ceiling:.1f}x "
            "(the most any sender pacing 20 ms frames could reach here)"
        )


def report_latency(latencies: dict[int, list[float]], how: str) -> None:
    print(f"\n{how}")
    for count, values in latencies.items():
        print(
            f"{count:>7} streams: p50 {1000 * statistics.median(values):.0f} ms, "
            f"p99 {1000 * percentile(values, 0.99):.0f} ms, max {1000 * max(values):.0f} ms "
            f"({len(values)} plays)"
        )


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the sound played")
    parser.add_argument("--streams", default="1,10,50", help="concurrent streams, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="latency rounds per stream count")
    parser.add_argument("--ffmpeg", help="ffmpeg executable for the FFmpegPCMAudio path")
    parser.add_argument(
        "--measure", default="cpu,latency", help="what to measure: cpu, latency or both"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    counts = [int(c) for c in args.streams.split(",")]
    measures = set(args.measure.split(","))
    load_libopus()
    ffmpeg = find_ffmpeg(args.ffmpeg) if "cpu" in measures else "(not used)"
    workdir = Path(tempfile.mkdtemp(prefix="carillon-bench-"))
    sound = workdir / "tone.ogg"
    sound.write_bytes(transcode(tone(440, args.seconds), AudioLimits(64 << 20, 3600)).data)
    database_url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    await upgrade(database_url)

    emulator = await EmulatorProcess.start(max(counts))
    hello = emulator.hello
    config = Config(
        discord=DiscordConfig(
            token=hello["token"],
            api_base_url=hello["api_base_url"],
            gateway_url=hello["gateway_url"],
        ),
        database=DatabaseConfig(url=database_url),
        sounds=SoundsConfig(directory=str(workdir / "sounds")),
        voice=VoiceConfig(idle_disconnect_seconds=3.0),
    )
    config = replace(config, credits=replace(config.credits, starting_balance=10_000))
    trust = ssl.create_default_context(cafile=hello["ca_pem"])
    bot = build_bot(config, extensions=(), connector=aiohttp.TCPConnector(limit=0, ssl=trust))
    runner = asyncio.create_task(bot.start(hello["token"]))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), timeout=60)
        print(f"sound: {args.seconds:g} s, ffmpeg: {ffmpeg}, cores: {os.cpu_count()}")
        budget = GatewayBudget()
        await budget.spend(len(emulator.servers))  # member chunk requests at start-up
        if "cpu" in measures:
            runs = await cpu_runs(emulator, bot, sound, args.seconds, counts, ffmpeg, budget)
            report_cpu(runs)
        if "latency" in measures:
            lead = bot.services.scheduler.dispatcher.settings.lead_seconds
            ahead = await latency_runs(
                emulator, bot, counts, args.repeat, budget, lead_seconds=lead
            )
            report_latency(
                ahead,
                "Due instant to first heard (DAVE-decrypted) frame, scheduled plays all due at "
                f"once, as the bot runs: claimed, loaded and joined {lead:g} s ahead",
            )
            late = await latency_runs(emulator, bot, counts, args.repeat, budget, lead_seconds=0)
            report_latency(
                late,
                "Handshake: join to first heard frame (voice connect, DAVE group, first "
                "packet), with no lead: claimed and joined at the due instant",
            )
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(runner, timeout=5)
        await bot.services.db.dispose()
        await emulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
