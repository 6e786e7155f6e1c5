"""Soundboard benchmark: prints a table (not a test).

Against the emulator with the real bot: importing a 5 s soundboard sound (CDN download,
validation, transcode, insert), preparing an export (MP3 encode), and how late a scheduled
play starts: a native one (the send-soundboard-sound request) against a streamed one (the
first RTP packet), each timed from the task's instant. Run: ``python benchmarks/soundboard.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.audio.tones import tone
from bot.config import Config, DatabaseConfig, DiscordConfig, SoundsConfig, VoiceConfig
from bot.container import build_bot
from bot.db.migrate import upgrade
from bot.emulator import Emulator
from bot.models import TaskType
from bot.ui.soundboard import source_of

ROUNDS = 15
PLAYS = 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(action: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="carillon-bench-"))
    async with Emulator() as emulator:
        guild = emulator.add_guild("Bench")
        lounge = emulator.add_voice_channel(guild, "Lounge")
        owner = emulator.owner(guild)
        config = Config(
            discord=DiscordConfig(
                token=emulator.token,
                api_base_url=emulator.api_base_url,
                gateway_url=emulator.gateway_url,
                cdn_url=emulator.cdn_url,
            ),
            database=DatabaseConfig(url=f"sqlite+aiosqlite:///{scratch / 'bench.db'}"),
            sounds=SoundsConfig(directory=str(scratch / "sounds")),
            voice=VoiceConfig(idle_disconnect_seconds=60),
        )
        await upgrade(config.database.url)
        bot = build_bot(config, extensions=(), connector=emulator.connector())
        runner = asyncio.create_task(bot.start(emulator.token))
        await asyncio.wait_for(bot.wait_until_ready(), 15)
        try:
            rows = await measure(bot, emulator, guild.id, lounge.id, owner.id)
        finally:
            await bot.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(runner, 5)
    print(f"{'':<44}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for label, samples in rows:
        print(
            f"{label:<44}{len(samples):>5}{statistics.median(samples):>9.1f}"
            f"{percentile(samples, 0.99):>9.1f}{max(samples):>9.1f}"
        )


async def measure(
    bot: object, emulator: Emulator, guild_id: int, channel_id: int, owner_id: int
) -> list[tuple[str, list[float]]]:
    services = bot.services  # type: ignore[attr-defined]
    discord_guild = bot.get_guild(guild_id)  # type: ignore[attr-defined]
    for index in range(ROUNDS):
        emulator.soundboard.add(
            emulator.guilds[guild_id], f"s{index}", tone(300 + index, 5.0, "mp3")
        )
    await emulator.wait_for(lambda: len(discord_guild.soundboard_sounds) == ROUNDS, timeout=10)
    queue = iter(discord_guild.soundboard_sounds)

    async def import_one() -> object:
        return await services.soundboard.import_sound(guild_id, owner_id, source_of(next(queue)))

    imports = await timed(import_one, ROUNDS)
    first = await services.sounds.find(guild_id, "s0")
    exports = await timed(lambda: services.soundboard.prepare_export(guild_id, first.id), ROUNDS)
    short = emulator.soundboard.add(emulator.guilds[guild_id], "tick", tone(900, 0.3, "mp3"))
    await emulator.wait_for(lambda: discord_guild.get_soundboard_sound(short.id) is not None)
    tick = await services.soundboard.import_sound(
        guild_id, owner_id, source_of(discord_guild.get_soundboard_sound(short.id))
    )
    native_late, stream_late = [], []
    for native in [True] * PLAYS + [False] * PLAYS:
        emulator.voice.clear(guild_id)
        sent_before = len(emulator.soundboard.sent)
        due = services.clock.now() + timedelta(seconds=0.5)
        due_monotonic = time.monotonic() + 0.5
        await services.scheduler.create_task(
            "bench",
            TaskType.PLAY_SOUND,
            due,
            parameters={"sound_id": tick.sound.id, "channel_id": channel_id, "native": native},
            user_id=owner_id,
            guild_id=guild_id,
        )
        if native:
            await emulator.wait_for(
                lambda count=sent_before: len(emulator.soundboard.sent) > count, timeout=10
            )
            native_late.append((emulator.soundboard.sent[-1].at - due_monotonic) * 1000)
        else:
            audio = await emulator.wait_for_audio(guild_id, frames=10, idle=0.4, timeout=10)
            stream_late.append((audio.packets[0].arrival - due_monotonic) * 1000)
        await asyncio.sleep(0.5)
    return [
        ("import a 5 s soundboard sound", imports),
        ("prepare an export (MP3 of 5 s)", exports),
        ("native play: late from its instant", native_late),
        ("streamed play: first packet late", stream_late),
    ]


if __name__ == "__main__":
    asyncio.run(main())
