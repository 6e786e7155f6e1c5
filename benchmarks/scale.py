"""Scale-out benchmark: prints a table (run: python benchmarks/scale.py [--pending N]).

Needs PostgreSQL: ``CARILLON_TEST_DATABASE_URL=postgresql+asyncpg://…`` (the database is
emptied). With N pending tasks (default 100,000) far ahead, for 1, 2 and 3 real
``python -m bot run`` processes (``shard_ids = "auto"``) against the emulator serving 6 shards
over 30 guilds: the throughput of a burst (runs due at one instant, per second from the
instant to the last run's record), the lateness (due instant to run start) of a steady
trickle, the database transactions per run (``pg_stat_database``; round trips are at least
that), and how long the survivors take to have a killed process's shards connected again.
``cpu/run`` is the bot processes' CPU time per burst run (claims included) and ``cores`` how
many of the machine's cores were busy during the burst (bots, PostgreSQL and this process
with the emulator): a machine with no core left cannot run more processes faster.
With ``--cpu-per-process C`` each bot process runs in a cgroup of its own allowed C cores (Linux,
as root): as if each ran on a small machine of its own, which a machine with fewer cores than
processes cannot otherwise show.
``doubled`` counts tasks that succeeded more than once, ``retried`` the runs recorded as
retrying (a transient failure), ``missing`` the burst's tasks without a success.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db import Database
from bot.db.migrate import upgrade
from bot.emulator import Emulator
from bot.emulator.model import snowflake
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome, TaskRun
from tests.conftest import truncate_all
from tests.support.bot_process import BotProcess

SHARDS = 6
GUILDS = 30
CGROUP_CPU_V1 = Path("/sys/fs/cgroup/cpu")
# A short period: a capped process waits at most this long for its next share.
CAP_PERIOD_US = 10_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def rows(guilds: list[int], instants: list[datetime], label: str) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [
        {
            "name": f"{label} {i}",
            "task_type": TaskType.CREDIT_RECHARGE,
            "status": TaskStatus.PENDING,
            "scheduled_at": at,
            "next_run_at": at,
            "occurrence_at": at,
            "timezone": "UTC",
            "parameters": {"member_id": 100 + i % 500, "amount": 1, "cap": 10**9},
            "guild_id": guilds[i % len(guilds)],
            "created_at": now,
            "updated_at": now,
            "misfire_grace_seconds": 3600,
        }
        for i, at in enumerate(instants)
    ]


async def insert_rows(db: Database, batch: list[dict[str, object]]) -> set[int]:
    ids: set[int] = set()
    async with db() as session, session.begin():
        for offset in range(0, len(batch), 5000):
            result = await session.execute(
                insert(ScheduledTask).returning(ScheduledTask.id), batch[offset : offset + 5000]
            )
            ids |= set(result.scalars())
        # One wake-up for the whole batch, as a member's change would send one.
        await session.execute(text("SELECT pg_notify('carillon_tasks', '{}')"))
    return ids


async def transactions(db: Database) -> int:
    async with db() as session:
        value = await session.scalar(
            text(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                "WHERE datname = current_database()"
            )
        )
    return int(value or 0)


async def wait_runs(db: Database, ids: set[int], within: float) -> list[TaskRun]:
    """The successful runs of ``ids``, once each has one (or ``within`` has passed)."""
    deadline = time.monotonic() + within
    while True:
        async with db() as session:
            runs = list(
                await session.scalars(
                    select(TaskRun).where(
                        TaskRun.task_id.in_(ids), TaskRun.outcome == RunOutcome.SUCCEEDED
                    )
                )
            )
        if len({r.task_id for r in runs}) >= len(ids) or time.monotonic() > deadline:
            return runs
        await asyncio.sleep(0.5)


class CpuCaps:
    """A cgroup (v1 ``cpu`` controller) per bot process, allowed ``cores`` of CPU time."""

    def __init__(self, cores: float) -> None:
        if not (CGROUP_CPU_V1 / "cpu.cfs_quota_us").exists():
            raise SystemExit(
                f"--cpu-per-process needs the cgroup v1 cpu controller at {CGROUP_CPU_V1}"
            )
        self.quota = round(cores * CAP_PERIOD_US)
        self.groups: list[Path] = []

    def add(self, pid: int) -> None:
        group = CGROUP_CPU_V1 / f"carillon-scale-{pid}"
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text(str(CAP_PERIOD_US))
        (group / "cpu.cfs_quota_us").write_text(str(self.quota))
        (group / "cgroup.procs").write_text(str(pid))
        self.groups.append(group)

    def remove(self) -> None:
        """Once the processes have exited (an empty group can go)."""
        for group in self.groups:
            group.rmdir()
        self.groups.clear()


async def measure(
    emulator: Emulator,
    url: str,
    processes: int,
    pending: int,
    burst: int,
    trickle: int,
    caps: CpuCaps | None = None,
) -> dict[str, float]:
    await truncate_all(url)
    db = Database(url)
    guilds = sorted(emulator.guilds)
    far = datetime.now(UTC) + timedelta(days=2)
    await insert_rows(db, rows(guilds, [far + timedelta(seconds=i) for i in range(pending)], "p"))
    with tempfile.TemporaryDirectory() as folder:
        fleet = [
            BotProcess(emulator, _mkdir(Path(folder) / f"p{i}"), database={"url": url})
            for i in range(processes)
        ]
        try:
            for process in fleet:
                process.launch()
                if caps is not None:
                    assert process.process is not None
                    caps.add(process.process.pid)
            for process in fleet:
                await process.wait_ready(120)

            due = datetime.now(UTC) + timedelta(seconds=5)
            before = await transactions(db)
            bot_cpu = _cpu_seconds(fleet)
            ids = await insert_rows(db, rows(guilds, [due] * burst, "b"))
            await asyncio.sleep((due - datetime.now(UTC)).total_seconds())
            busy, since = _machine_busy_seconds(), time.monotonic()
            runs = await wait_runs(db, ids, 300)
            cores = (_machine_busy_seconds() - busy) / (time.monotonic() - since)
            bot_cpu = _cpu_seconds(fleet) - bot_cpu
            after = await transactions(db)
            last = max(r.finished_at or r.started_at or due for r in runs)
            seconds = (last.replace(tzinfo=UTC) - due).total_seconds()

            start = datetime.now(UTC) + timedelta(seconds=5)
            instants = [start + timedelta(milliseconds=50 * i) for i in range(trickle)]
            trickle_ids = await insert_rows(db, rows(guilds, instants, "t"))
            trickled = await wait_runs(db, trickle_ids, 60 + trickle * 0.05)
            late = [
                (
                    (r.started_at.replace(tzinfo=UTC)) - r.scheduled_for.replace(tzinfo=UTC)
                ).total_seconds()
                * 1000
                for r in trickled
                if r.started_at is not None
            ]

            takeover = float("nan")
            if processes > 1:
                victim = fleet[-1]
                victim.kill()
                killed = time.monotonic()
                await emulator.wait_for(lambda: not _all_live(emulator), timeout=10)
                await emulator.wait_for(lambda: _all_live(emulator), timeout=120)
                takeover = time.monotonic() - killed
        finally:
            await asyncio.gather(*(p.stop() for p in fleet))
            if caps is not None:
                caps.remove()
    async with db() as session:
        doubled = await session.scalar(
            select(func.count()).select_from(
                select(TaskRun.task_id)
                .where(TaskRun.outcome == RunOutcome.SUCCEEDED)
                .group_by(TaskRun.task_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        retried = await session.scalar(
            select(func.count()).where(TaskRun.outcome == RunOutcome.RETRYING)
        )
    await db.dispose()
    return {
        "runs/s": burst / seconds if seconds > 0 else float("inf"),
        "late p50": statistics.median(late),
        "late p99": percentile(late, 99),
        "late max": max(late),
        "over 50 ms": float(sum(1 for value in late if value > 50)),
        "tx/run": (after - before) / max(1, len(runs)),
        "cpu ms/run": bot_cpu * 1000 / max(1, len(runs)),
        "cores busy": cores,
        "takeover": takeover,
        "doubled": float(doubled or 0),
        "retried": float(retried or 0),
        "missing": float(burst - len({r.task_id for r in runs})),
    }


def _cpu_seconds(fleet: list[BotProcess]) -> float:
    """CPU time the bot processes used so far (user and system, from /proc)."""
    ticks = 0
    for process in fleet:
        assert process.process is not None
        stat = Path(f"/proc/{process.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU time every core of the machine spent not idle so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _all_live(emulator: Emulator) -> bool:
    """Every shard has a session whose socket is up (a killed one's drop is seen first)."""
    shards = {s[0] for s, session in emulator.gateway.sessions.items() if session.ws}
    return shards == set(range(SHARDS))


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


async def main(pending: int, burst: int, trickle: int, cpu_per_process: float | None) -> None:
    url = os.environ.get("CARILLON_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("set CARILLON_TEST_DATABASE_URL to a PostgreSQL database (it is emptied)")
    await upgrade(url)
    caps = CpuCaps(cpu_per_process) if cpu_per_process else None
    results: dict[int, dict[str, float]] = {}
    async with Emulator(shard_count=SHARDS) as emulator:
        base = snowflake()
        for i in range(GUILDS):
            emulator.add_guild(f"g{i}", guild_id=base + (i << 22))
        for processes in (1, 2, 3):
            results[processes] = await measure(
                emulator, url, processes, pending, burst, trickle, caps
            )
            print(f"{processes} process(es): {results[processes]}", file=sys.stderr, flush=True)
    print(f"pending tasks: {pending:,}; burst: {burst:,} due at one instant; trickle: {trickle}")
    print(f"trickle: one run due every 50 ms; {SHARDS} shards over {GUILDS} guilds; real processes")
    capped = f"; each bot process capped at {cpu_per_process:g} cores" if caps else ""
    print(f"this machine: {os.cpu_count()} cores{capped}")
    print()
    header = f"{'processes':>10}{'burst runs/s':>14}{'cpu/run':>9}{'cores':>7}"
    header += f"{'late p50':>10}{'p99':>10}{'max':>10}{'>50 ms':>8}{'tx/run':>8}{'takeover':>10}"
    print(f"{header}{'doubled':>9}{'retried':>9}{'missing':>9}")
    print("-" * len(f"{header}{'doubled':>9}{'retried':>9}{'missing':>9}"))
    for processes, r in results.items():
        takeover = f"{r['takeover']:.1f} s" if r["takeover"] == r["takeover"] else "-"
        print(
            f"{processes:>10}{r['runs/s']:>14.0f}{r['cpu ms/run']:>7.1f}ms{r['cores busy']:>7.1f}"
            f"{r['late p50']:>8.1f}ms{r['late p99']:>8.1f}ms"
            f"{r['late max']:>8.1f}ms{r['over 50 ms']:>8.0f}{r['tx/run']:>8.1f}{takeover:>10}"
            f"{r['doubled']:>9.0f}{r['retried']:>9.0f}{r['missing']:>9.0f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=3_000)
    # 600 samples: the p99 is the 7th-latest run, not the 2nd-latest of 200.
    parser.add_argument("--trickle", type=int, default=600)
    parser.add_argument("--cpu-per-process", type=float, default=None, metavar="CORES")
    options = parser.parse_args()
    asyncio.run(main(options.pending, options.burst, options.trickle, options.cpu_per_process))
