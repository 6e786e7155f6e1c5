"""Dispatcher benchmark: prints a table (run: python benchmarks/dispatch.py [--pending N]).

With N pending tasks (default 100,000) in a SQLite file: dispatcher start time, process RSS,
task-creation throughput, and for a steady trickle and for 1,000 tasks due at one instant:
lateness (due instant to handler start), when each run's record was committed (after the
instant), and the event loop's longest pause while they ran. Real clock, real database, a
handler that prepares (as a play does) and only records.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import insert

from bot.app import freeze_startup_objects
from bot.clock import SystemClock
from bot.config import Config
from bot.db import Database
from bot.db.migrate import upgrade
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.scheduling.handlers import RunContext
from bot.services.scheduler import SchedulerService
from bot.services.task_handlers import TaskHandlerRegistry

GUILD = 1 << 22


class LatenessHandler:
    """Records how late each run started, against its occurrence."""

    in_transaction = False

    def __init__(self, clock: SystemClock) -> None:
        self.clock = clock
        self.lateness_ms: list[float] = []
        self.prepared = 0
        self._expected = 0
        self._done = asyncio.Event()

    async def prepare(self, task: ScheduledTask) -> None:
        self.prepared += 1

    async def run(self, context: RunContext) -> dict[str, Any]:
        late = (self.clock.now() - context.scheduled_for).total_seconds() * 1000
        self.lateness_ms.append(late)
        if len(self.lateness_ms) >= self._expected:
            self._done.set()
        return {}

    async def collect(self, expected: int) -> list[float]:
        """Wait for ``expected`` runs (counted from now) and hand back their lateness."""
        self.lateness_ms.clear()
        self._expected = expected
        self._done.clear()
        await self._done.wait()
        return list(self.lateness_ms)


class RecordTimes:
    """How long after its start each run's record was committed."""

    def __init__(self) -> None:
        self.after_ms: list[float] = []

    def __call__(self, task: ScheduledTask, recorded_at: datetime) -> None:
        assert task.last_run_at is not None
        self.after_ms.append((recorded_at - task.last_run_at).total_seconds() * 1000)


class LoopPauses:
    """The event loop's longest pause: a 1 ms ticker, and how late each tick came."""

    def __init__(self) -> None:
        self.longest_ms = 0.0
        self._task: asyncio.Task[None] | None = None

    def __enter__(self) -> LoopPauses:
        self.longest_ms = 0.0
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            pause = (time.perf_counter() - before - 0.001) * 1000
            self.longest_ms = max(self.longest_ms, pause)


class NoPlayer:
    async def play(self, request: Any) -> Any:
        raise AssertionError("not used")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def seed(db: Database, count: int, start: datetime) -> float:
    """Bulk-insert ``count`` pending tasks due from a day ahead; returns rows per second."""
    rows = [
        {
            "name": f"seed {i}",
            "task_type": TaskType.PLAY_SOUND,
            "status": TaskStatus.PENDING,
            "scheduled_at": start + timedelta(days=1, seconds=i),
            "next_run_at": start + timedelta(days=1, seconds=i),
            "occurrence_at": start + timedelta(days=1, seconds=i),
            "timezone": "UTC",
            "parameters": {"sound_id": 1, "channel_id": 2},
            "user_id": i,
            "guild_id": GUILD,
            "created_at": start,
            "updated_at": start,
        }
        for i in range(count)
    ]
    began = time.perf_counter()
    async with db() as session, session.begin():
        for offset in range(0, count, 5000):
            await session.execute(insert(ScheduledTask), rows[offset : offset + 5000])
    return count / (time.perf_counter() - began)


async def insert_due(db: Database, instants: list[datetime]) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "name": f"due {i}",
            "task_type": TaskType.PLAY_SOUND,
            "status": TaskStatus.PENDING,
            "scheduled_at": at,
            "next_run_at": at,
            "occurrence_at": at,
            "timezone": "UTC",
            "parameters": {"sound_id": 1, "channel_id": 2},
            "user_id": i,
            "guild_id": GUILD,
            "created_at": now,
            "updated_at": now,
        }
        for i, at in enumerate(instants)
    ]
    async with db() as session, session.begin():
        await session.execute(insert(ScheduledTask), rows)


async def main(pending: int, trickle: int, burst: int, *, freeze: bool = True) -> None:
    process = psutil.Process()
    rss_before = process.memory_info().rss
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url)
        db = Database(url)
        clock = SystemClock()
        bulk_rate = await seed(db, pending, clock.now())
        # Seeding leaves a WAL of the whole table; a running bot's WAL stays small.
        async with db.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        handler = LatenessHandler(clock)
        registry = TaskHandlerRegistry({TaskType.PLAY_SOUND: handler})
        scheduler = SchedulerService(
            db, NoPlayer(), config=Config(), clock=clock, handlers=registry
        )

        began = time.perf_counter()
        create_count = 2000
        for i in range(create_count):
            await scheduler.create_task(
                f"created {i}",
                TaskType.PLAY_SOUND,
                clock.now() + timedelta(days=2),
                parameters={"sound_id": 1, "channel_id": 2},
                user_id=i,
                guild_id=GUILD,
            )
        create_rate = create_count / (time.perf_counter() - began)

        rss_before_start = process.memory_info().rss
        began = time.perf_counter()
        await scheduler.start()
        await scheduler.dispatcher.ready.wait()
        start_ms = (time.perf_counter() - began) * 1000
        # As the bot does once it is ready (or not, with --no-freeze, to see what it saves).
        if freeze:
            freeze_startup_objects()
        rss_after = process.memory_info().rss

        records = RecordTimes()
        scheduler.dispatcher.on_run_recorded = records
        results: dict[str, tuple[list[float], list[float], float]] = {}

        # A steady trickle: one task due every 20 ms, stored ahead of time.
        first = clock.now() + timedelta(seconds=1)
        await insert_due(db, [first + timedelta(milliseconds=20 * i) for i in range(trickle)])
        scheduler.dispatcher.wake()
        with LoopPauses() as pauses:
            trickle_ms = await handler.collect(trickle)
            await scheduler.dispatcher.wait_idle()
        results["steady trickle (1 per 20 ms)"] = (
            trickle_ms,
            list(records.after_ms),
            pauses.longest_ms,
        )

        # A burst: ``burst`` tasks due in the same instant, claimed (and prepared) 3 s ahead.
        records.after_ms.clear()
        due = clock.now() + timedelta(seconds=4)
        await insert_due(db, [due] * burst)
        scheduler.dispatcher.wake()
        with LoopPauses() as pauses:
            burst_ms = await handler.collect(burst)
            await scheduler.dispatcher.wait_idle()
        results[f"burst ({burst} due at once)"] = (
            burst_ms,
            list(records.after_ms),
            pauses.longest_ms,
        )
        prepared = handler.prepared
        await scheduler.stop()
        await db.dispose()

    print(f"pending tasks in the table: {pending:,} (SQLite file, WAL)")
    print()
    print(f"{'measure':<44}{'value':>14}")
    print("-" * 58)
    print(f"{'dispatcher start (start() to first sleep)':<44}{start_ms:>11.1f} ms")
    mib = 2**20
    print(f"{'RSS after start (whole process)':<44}{rss_after / mib:>11.1f} MB")
    print(f"{'RSS growth from start()':<44}{(rss_after - rss_before_start) / mib:>11.1f} MB")
    print(f"{'RSS growth from process start':<44}{(rss_after - rss_before) / mib:>11.1f} MB")
    print(f"{'create_task throughput (one per transaction)':<44}{create_rate:>10.0f} /s")
    print(f"{'bulk insert throughput (seeding)':<44}{bulk_rate:>10.0f} /s")
    print(f"{'runs prepared ahead':<44}{prepared:>14}")
    print()
    print("lateness: due instant -> handler start; recorded: handler start -> record committed;")
    print("pause: the event loop's longest pause while the runs started and were recorded")
    header = f"{'':<30}{'n':>6}{'late p50':>10}{'p99':>8}{'max':>8}"
    print(f"{header}{'recorded p50':>14}{'p99':>8}{'max':>8}{'pause':>8}  (ms)")
    print("-" * 102)
    for label, (late, recorded, pause) in results.items():
        print(
            f"{label:<30}{len(late):>6}{statistics.median(late):>10.1f}"
            f"{percentile(late, 99):>8.1f}{max(late):>8.1f}"
            f"{statistics.median(recorded):>14.1f}{percentile(recorded, 99):>8.1f}"
            f"{max(recorded):>8.1f}{pause:>8.1f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--trickle", type=int, default=500)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument(
        "--no-freeze", action="store_true", help="leave start-up objects to the collector"
    )
    args = parser.parse_args()
    asyncio.run(main(args.pending, args.trickle, args.burst, freeze=not args.no_freeze))
