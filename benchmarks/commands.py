"""Slash-command latency benchmark: prints a table (not a test).

The real bot (``build_bot``, real cogs, a migrated SQLite file, the system clock) against the
emulator, driven as members. Each figure is the time from the emulator dispatching the
interaction to the emulator holding the bot's first response (so it includes the gateway hop
and the callback request, with the emulator sharing the bot's event loop: an upper bound on
"interaction received to first response sent"). Run: ``python benchmarks/commands.py``.
Target: p99 under 50 ms for each command.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tables import print_table
from bot.audio.tones import tone
from bot.clock import SystemClock
from bot.config import DatabaseConfig, SoundsConfig
from bot.container import DEFAULT_EXTENSIONS, build_bot
from bot.db import Database
from bot.db.migrate import upgrade
from bot.emulator import Emulator
from bot.models.scheduled_task import TaskType
from bot.timeparse import warm_up
from tests.support.e2e import GUILD_READY_TIMEOUT, bot_config, build_world

TASKS_IN_SERVER = 1000
# Members do not send commands back to back: the bot's own work after an answer (the
# dispatcher re-arming after a new task) finishes before the next interaction.
PAUSE_SECONDS = 0.02
WHEN_PHRASES = (
    "in 90 minutes",
    "tomorrow at 9am",
    "next friday 18:30",
    "every weekday at 9am",
    "every monday at 8pm",
    "every month on the 1st at noon",
    "every 2 weeks on friday",
    "2026-12-24 20:00",
)
TYPED = ("t", "to", "tom", "tomorrow", "tomorrow 9", "every", "every week", "every weekday at 9am")


async def _measure(
    runs: int, warmup: int, action: Callable[[int], Awaitable[Any]], pause: float
) -> list[float]:
    for index in range(warmup):
        await action(index)
    samples = []
    for index in range(runs):
        await asyncio.sleep(pause)
        started = time.perf_counter()
        await action(warmup + index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def _seed(bot: Any, guild_id: int, user_id: int, channel_id: int, sound_id: int) -> None:
    scheduler = bot.services.scheduler
    now = SystemClock().now()
    for index in range(TASKS_IN_SERVER):
        await scheduler.create_task(
            f"seeded {index}",
            TaskType.PLAY_SOUND,
            now + timedelta(days=1, minutes=index),
            parameters={"sound_id": sound_id, "channel_id": channel_id},
            user_id=user_id,
            guild_id=guild_id,
        )


async def run(
    runs: int, warmup: int, pause: float = PAUSE_SECONDS
) -> list[tuple[str, list[float]]]:
    directory = Path(tempfile.mkdtemp(prefix="carillon-bench-"))
    url = f"sqlite+aiosqlite:///{directory / 'carillon.db'}"
    await upgrade(url)
    warm_up()
    async with Emulator() as emulator:
        world = build_world(emulator)
        config = bot_config(
            emulator,
            database=DatabaseConfig(url=url),
            sounds=SoundsConfig(directory=str(directory / "sounds")),
        )
        extensions = [name for name in DEFAULT_EXTENSIONS if _exists(name)]
        bot = build_bot(
            config,
            extensions=extensions,
            connector=emulator.connector(),
            guild_ready_timeout=GUILD_READY_TIMEOUT,
        )
        runner = asyncio.create_task(bot.start(emulator.token))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 15)
            services: Any = bot.services
            guild = world.guild.id
            sound = await services.sounds.upload(guild, world.admin.id, "bell", tone(440, 0.3))
            await services.settings.update_guild(guild, max_active_tasks=1000)
            await _seed(bot, guild, world.alice.id, world.lounge.id, sound.id)
            await world.bob.join_voice(world.lounge)

            async def schedule(index: int) -> None:
                reply = await world.bob.slash(
                    "schedule sound",
                    sound="bell",
                    when=WHEN_PHRASES[index % len(WHEN_PHRASES)],
                )
                assert not reply.ephemeral, reply.content

            async def listing(_index: int) -> None:
                reply = await world.alice.slash("schedule list")
                assert f"({TASKS_IN_SERVER})" in reply.text, reply.text[:200]

            async def admin_listing(_index: int) -> None:
                await world.admin.slash("admin tasks")

            async def when(index: int) -> None:
                choices = await world.alice.autocomplete(
                    "schedule sound", focused="when", when=TYPED[index % len(TYPED)]
                )
                assert choices

            results = [
                ("/schedule sound (with parsing)", await _measure(runs, warmup, schedule, pause)),
                (
                    f"/schedule list ({TASKS_IN_SERVER} tasks in the server)",
                    await _measure(runs, warmup, listing, pause),
                ),
                (
                    f"/admin tasks ({TASKS_IN_SERVER + runs + warmup} tasks)",
                    await _measure(runs, warmup, admin_listing, pause),
                ),
                ("when autocomplete", await _measure(runs, warmup, when, pause)),
            ]
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(runner, 5)
    await Database(url).dispose()
    return results


def _exists(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--pause",
        type=float,
        default=PAUSE_SECONDS,
        help="seconds between commands (0: back to back)",
    )
    args = parser.parse_args()
    results = asyncio.run(run(args.runs, args.warmup, args.pause))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{os.cpu_count()} CPUs, load average {load}, {args.pause * 1000:.0f} ms between "
        "commands (emulator and bot share one event loop)"
    )
    print_table("command", results)


if __name__ == "__main__":
    main()
