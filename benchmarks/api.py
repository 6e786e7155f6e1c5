"""HTTP API benchmark: prints a table (not a test; run: python benchmarks/api.py).

The real bot with ``[web] enabled`` (uvicorn in the bot's event loop) against the emulator,
a migrated SQLite file and the system clock; httpx over loopback. With 1,000 tasks in the
server: ``GET /api/v1/scheduler/tasks``, ``POST`` create (with a ``when`` to parse) and the
week view page, each while the dispatcher runs a trickle of credit recharges; then the
trickle's dispatch lateness (due instant to the run's start) without and with API load:
four clients sending ``GET`` back to back, in their own process as real clients are
(``--load loop`` runs them in the bot's loop instead, their CPU then added to the bot's).
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

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tables import print_table
from bot.audio.tones import tone
from bot.clock import SystemClock
from bot.config import DatabaseConfig, SoundsConfig, WebConfig
from bot.container import DEFAULT_EXTENSIONS, build_bot
from bot.db.migrate import upgrade
from bot.emulator import Emulator
from bot.models.scheduled_task import TaskType
from bot.timeparse import warm_up
from tests.support.e2e import GUILD_READY_TIMEOUT, bot_config, build_world

TASKS_IN_SERVER = 1000
TRICKLE_EVERY = 0.2
LOAD_CLIENTS = 4
LISTING = "/api/v1/scheduler/tasks?limit=100"
SECRET = "benchmark-secret-0123456789abcdef-0123"


async def _measure(runs: int, action: Callable[[int], Awaitable[Any]]) -> list[float]:
    for index in range(10):
        await action(index)
    samples = []
    for index in range(runs):
        started = time.perf_counter()
        await action(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def _trickle(services: Any, guild: int, member: int, count: int) -> list[int]:
    """``count`` recharges due one after another from two seconds on; their ids."""
    now = SystemClock().now()
    ids = []
    for index in range(count):
        task = await services.scheduler.create_task(
            f"trickle {index}",
            TaskType.CREDIT_RECHARGE,
            now + timedelta(seconds=2 + index * TRICKLE_EVERY),
            parameters={"amount": 1, "member_id": member},
            guild_id=guild,
        )
        ids.append(task.id)
    return ids


async def _lateness(services: Any, ids: list[int]) -> list[float]:
    late = []
    for task_id in ids:
        for _ in range(200):
            runs = await services.scheduler.get_task_runs(task_id, 1)
            if runs and runs[0].started_at is not None:
                break
            await asyncio.sleep(0.05)
        run = runs[0]
        late.append((run.started_at - run.scheduled_for).total_seconds() * 1000)
    return late


async def _lateness_with_load_in_loop(
    services: Any, ids: list[int], listing: Callable[[int], Awaitable[None]]
) -> list[float]:
    stop = asyncio.Event()

    async def hammer() -> None:
        while not stop.is_set():
            await listing(0)

    load = [asyncio.create_task(hammer()) for _ in range(LOAD_CLIENTS)]
    try:
        return await _lateness(services, ids)
    finally:
        stop.set()
        await asyncio.gather(*load)


async def _lateness_with_load_process(
    services: Any, ids: list[int], base: str, token: Any
) -> list[float]:
    script = Path(__file__).with_name("_load_clients.py")
    clients = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        base,
        token.token,
        str(LOAD_CLIENTS),
        LISTING,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert clients.stdout is not None
    assert clients.stdin is not None
    try:
        await clients.stdout.readline()  # "started"
        return await _lateness(services, ids)
    finally:
        clients.stdin.close()
        await asyncio.wait_for(clients.wait(), 30)


async def run(
    runs: int, load_in: str = "process"
) -> tuple[list[tuple[str, list[float]]], list[tuple[str, list[float]]]]:
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
            web=WebConfig(enabled=True, port=0, secret=SECRET),
        )
        extensions = [n for n in DEFAULT_EXTENSIONS if importlib_find(n)]
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
            now = SystemClock().now()
            for index in range(TASKS_IN_SERVER):
                await services.scheduler.create_task(
                    f"seeded {index}",
                    TaskType.PLAY_SOUND,
                    now + timedelta(days=1, minutes=index * 7),
                    parameters={"sound_id": sound.id, "channel_id": world.lounge.id},
                    user_id=world.alice.id,
                    guild_id=guild,
                )
            script = await services.api_tokens.mint(world.alice.id)
            creator = await services.api_tokens.mint(world.bob.id)
            session = await services.api_tokens.mint(world.alice.id, kind="session")
            base = bot.web.url
            api = httpx.AsyncClient(base_url=base, cookies={"access_token": script.token})
            page = httpx.AsyncClient(base_url=base, cookies={"access_token": session.token})
            bob = httpx.AsyncClient(base_url=base, cookies={"access_token": creator.token})
            body = {
                "task_type": "play_sound",
                "when": "tomorrow at 9am",
                "parameters": {"sound_id": sound.id},
                "guild_id": guild,
                "channel_id": world.lounge.id,
            }

            async def listing(_: int) -> None:
                answer = await api.get(LISTING)
                assert answer.status_code == 200

            async def create(_: int) -> None:
                answer = await bob.post("/api/v1/scheduler/tasks", json=body)
                assert answer.status_code == 201, answer.text

            async def week(_: int) -> None:
                answer = await page.get(f"/servers/{guild}")
                assert answer.status_code == 200

            trickle = await _trickle(services, guild, world.bob.id, 600)
            requests = [
                (f"GET tasks?limit=100 ({TASKS_IN_SERVER} tasks)", await _measure(runs, listing)),
                ("POST tasks (when: tomorrow at 9am)", await _measure(runs, create)),
                (f"week view page ({TASKS_IN_SERVER}+ tasks)", await _measure(runs // 3, week)),
            ]
            for task_id in trickle:
                await services.scheduler.cancel_task(task_id)

            quiet_ids = await _trickle(services, guild, world.bob.id, 50)
            quiet = await _lateness(services, quiet_ids)
            loaded_ids = await _trickle(services, guild, world.bob.id, 50)
            if load_in == "loop":
                loaded = await _lateness_with_load_in_loop(services, loaded_ids, listing)
            else:
                loaded = await _lateness_with_load_process(services, loaded_ids, base, script)
            await api.aclose()
            await page.aclose()
            await bob.aclose()
            where = "another process" if load_in == "process" else "the bot's loop"
            lateness = [
                ("without API load", quiet),
                (f"{LOAD_CLIENTS} clients' GET back to back ({where})", loaded),
            ]
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(runner, 5)
    return requests, lateness


def importlib_find(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--load",
        choices=("process", "loop"),
        default="process",
        help="where the load clients run: their own process, or the bot's event loop",
    )
    args = parser.parse_args()
    requests, lateness = asyncio.run(run(args.runs, args.load))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; bot, API and emulator share one loop")
    print_table("request", requests)
    print_table("dispatch lateness of a trickle", lateness, target_ms=None)


if __name__ == "__main__":
    main()
