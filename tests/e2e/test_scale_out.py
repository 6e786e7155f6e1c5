"""Several ``python -m bot run`` processes on one PostgreSQL database, Discord's shards owned
through it (``shard_ids = "auto"``): each runs its fair share of shards and only their guilds'
tasks, a change made elsewhere wakes the owner at once, a killed process's shards and claimed
runs are taken over, and nothing runs twice.

CI runs these with ``CARILLON_TEST_DATABASE_URL``. The burst is the issue's: 3,000 tasks due
over a minute, with a process killed in the middle of it."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.config import Config, DatabaseConfig
from bot.db import Database
from bot.emulator import Emulator, Guild
from bot.emulator.model import Message, snowflake
from bot.models.credits import CreditBalance, CreditTransaction
from bot.models.scheduled_task import RecurrenceType, ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome, TaskRun
from bot.models.tracked_message import MessageKind
from bot.services.scheduler import SchedulerService
from bot.services.tracked_messages import TrackedMessageService
from bot.ui.now_playing import CUT_SHORT_TITLE, NOW_PLAYING_TITLE
from tests.conftest import truncate_all
from tests.support.bot_process import BotProcess
from tests.support.core import RecordingPlayer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SHARDS = 6
GUILDS = 30
PROCESSES = 3
BURST = 3000
BURST_SECONDS = 60
TAKEOVER_LIMIT = 30.0


class Fleet:
    """Bot processes sharing one database, and a scheduler over it (another process)."""

    def __init__(self, emulator: Emulator, folder: Path, url: str) -> None:
        self.emulator = emulator
        self.url = url
        self.processes = [
            BotProcess(emulator, _folder(folder / f"p{i}"), database={"url": url})
            for i in range(PROCESSES)
        ]
        self.db = Database(url)
        config = Config(database=DatabaseConfig(url=url))
        self.scheduler = SchedulerService(
            self.db, RecordingPlayer(), config=config, clock=SystemClock()
        )
        base = snowflake()
        self.guilds: list[Guild] = [
            emulator.add_guild(f"g{i}", guild_id=base + (i << 22)) for i in range(GUILDS)
        ]

    async def start(self) -> None:
        for process in self.processes:
            process.launch()
        for process in self.processes:
            await process.wait_ready(90)
        # Discord's IDENTIFY limit (one per 5 s, max_concurrency 1): the processes took turns
        # through PostgreSQL, so none was refused.
        stats = self.emulator.gateway.stats
        assert (stats.identifies, stats.refused_identifies) == (SHARDS, 0)

    def shards_of(self, process: BotProcess) -> list[int]:
        taken = re.findall(r"took shards \[([\d, ]*)\] of \d+", process.log())
        over = re.findall(r"taking over shards \[([\d, ]*)\]", process.log())
        return sorted(int(s) for group in taken[-1:] + over for s in group.split(","))

    def runner_of(self, process: BotProcess) -> str:
        """The identity ``process`` records its runs as (its ready line names it)."""
        named = re.findall(r"records its runs as (\S+)", process.log())
        assert named, process.log()[-2000:]
        return named[-1]

    def live_shards(self) -> set[int]:
        return {s[0] for s, session in self.emulator.gateway.sessions.items() if session.ws}

    async def recharge(
        self, at: datetime, guild: Guild | None, member_id: int, name: str = "r"
    ) -> ScheduledTask:
        return await self.scheduler.create_task(
            name,
            TaskType.CREDIT_RECHARGE,
            at,
            parameters={"member_id": member_id, "amount": 1, "cap": 1_000_000},
            guild_id=guild.id if guild is not None else None,
        )

    async def runs_by_task(self) -> Counter[int]:
        async with self.db() as session:
            rows = await session.execute(
                select(TaskRun.task_id, func.count())
                .where(TaskRun.outcome == RunOutcome.SUCCEEDED)
                .group_by(TaskRun.task_id)
            )
            return Counter(dict(rows.all()))

    async def ledger_by_task(self) -> Counter[int]:
        async with self.db() as session:
            rows = await session.execute(
                select(CreditTransaction.task_id, func.count()).group_by(CreditTransaction.task_id)
            )
            return Counter({t: n for t, n in rows.all() if t is not None})

    async def wait_until(self, predicate, within: float, what: str) -> None:  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not await predicate():
            if loop.time() > deadline:
                logs = "\n".join(p.log()[-3000:] for p in self.processes)
                raise AssertionError(f"{what} not seen within {within:g} s:\n{logs}")
            await asyncio.sleep(0.2)

    async def close(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes))
        await self.db.dispose()


def _folder(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


@pytest.fixture
async def fleet(emulator: Emulator, tmp_path: Path, postgres_url: str) -> AsyncIterator[Fleet]:
    await truncate_all(postgres_url)
    made = Fleet(emulator, tmp_path, postgres_url)
    try:
        yield made
    finally:
        await made.close()


@pytest.mark.emulator(shard_count=SHARDS)
async def test_a_fleet_shares_the_shards_and_survives_a_kill(fleet: Fleet) -> None:
    await fleet.start()
    held = [fleet.shards_of(p) for p in fleet.processes]
    assert sorted(s for shards in held for s in shards) == list(range(SHARDS)), held
    assert [len(shards) for shards in held] == [SHARDS // PROCESSES] * PROCESSES, held
    assert fleet.live_shards() == set(range(SHARDS))

    began = SystemClock().now() + timedelta(seconds=3)
    tasks = [
        await fleet.recharge(
            began + timedelta(seconds=BURST_SECONDS * i / BURST),
            fleet.guilds[i % GUILDS],
            member_id=10_000 + i,
        )
        for i in range(BURST)
    ]
    ids = {t.id for t in tasks}
    runners = {fleet.runner_of(p): p for p in fleet.processes}
    assert len(runners) == PROCESSES

    async def some_ran() -> bool:
        return sum((await fleet.runs_by_task()).values()) >= BURST // 3

    await fleet.wait_until(some_ran, 60, "a third of the burst")
    victim = fleet.processes[1]
    orphaned = set(fleet.shards_of(victim))
    victim.kill()
    killed_at = asyncio.get_running_loop().time()
    killed_wall = SystemClock().now()

    async def taken_over() -> bool:
        return (
            fleet.live_shards() >= orphaned
            and all(fleet.emulator.gateway.sessions[(s, SHARDS)].ws is not None for s in orphaned)
            and sum(len(fleet.shards_of(p)) for p in fleet.processes if p is not victim) == SHARDS
        )

    await fleet.wait_until(taken_over, TAKEOVER_LIMIT + 15, "the takeover")
    takeover = asyncio.get_running_loop().time() - killed_at

    async def all_ran() -> bool:
        return set(await fleet.runs_by_task()) >= ids

    await fleet.wait_until(all_ran, 90, "every run of the burst")
    await asyncio.sleep(1)
    runs, ledger = await fleet.runs_by_task(), await fleet.ledger_by_task()
    assert {t: n for t, n in runs.items() if t in ids and n != 1} == {}
    assert {t: n for t, n in ledger.items() if t in ids and n != 1} == {}
    assert set(ledger) >= ids
    assert takeover < TAKEOVER_LIMIT
    async with fleet.db() as session:
        statuses = Counter(
            await session.scalars(select(ScheduledTask.status).where(ScheduledTask.id.in_(ids)))
        )
    assert statuses == Counter({TaskStatus.COMPLETED: BURST})
    await _each_run_came_from_its_shards_holder(fleet, ids, runners, held, victim, killed_wall)


async def _each_run_came_from_its_shards_holder(
    fleet: Fleet,
    ids: set[int],
    runners: dict[str, BotProcess],
    held_at_start: list[list[int]],
    victim: BotProcess,
    killed: datetime,
) -> None:
    """Every successful run was recorded by a process holding its guild's shard then: its
    shards from the start, and the victim's only after the kill (taken over)."""
    first = {p.log_path: set(s) for p, s in zip(fleet.processes, held_at_start, strict=True)}
    orphaned = first[victim.log_path]
    async with fleet.db() as session:
        rows = (
            await session.execute(
                select(TaskRun.runner, TaskRun.shard_id, TaskRun.started_at, ScheduledTask.guild_id)
                .join(ScheduledTask, ScheduledTask.id == TaskRun.task_id)
                .where(TaskRun.task_id.in_(ids), TaskRun.outcome == RunOutcome.SUCCEEDED)
            )
        ).all()
    assert len(rows) == BURST
    wrong = []
    by_runner: Counter[str] = Counter()
    for runner, shard_id, started_at, guild_id in rows:
        shard = (guild_id >> 22) % SHARDS
        process = runners.get(runner)
        by_runner[runner] += 1
        ok = process is not None and shard_id == shard
        if ok and process is victim:
            ok = shard in orphaned and started_at < killed
        elif ok:
            later = set(fleet.shards_of(process)) - first[process.log_path]
            ok = shard in first[process.log_path] or (shard in later and started_at > killed)
        if not ok:
            wrong.append((runner, shard_id, shard, started_at))
    assert wrong == [], wrong[:10]
    assert set(by_runner) == set(runners), by_runner


@pytest.mark.emulator(shard_count=SHARDS)
async def test_changes_made_elsewhere_reach_the_owner_at_once(fleet: Fleet) -> None:
    await fleet.start()
    guild = fleet.guilds[4]
    due = SystemClock().now() + timedelta(seconds=2)
    task = await fleet.recharge(due, guild, member_id=1)
    doomed = await fleet.recharge(due + timedelta(seconds=2), guild, member_id=2)
    await asyncio.sleep(2.5)
    assert await fleet.scheduler.cancel_task(doomed.id)

    async def ran() -> bool:
        return task.id in await fleet.runs_by_task()

    await fleet.wait_until(ran, 5, "the task created elsewhere")
    async with fleet.db() as session:
        run = await session.scalar(select(TaskRun).where(TaskRun.task_id == task.id))
    assert run is not None
    assert run.started_at is not None
    assert run.started_at - due < timedelta(seconds=1)
    await asyncio.sleep(3)
    assert doomed.id not in await fleet.runs_by_task()
    assert doomed.id not in await fleet.ledger_by_task()

    # Paused elsewhere before its claim, the owner's look finds nothing due for an hour;
    # resumed elsewhere, the owner is woken for it and runs it on time.
    due = SystemClock().now() + timedelta(seconds=6)
    resumed = await fleet.recharge(due, guild, member_id=3)
    assert await fleet.scheduler.pause_task(resumed.id)
    await asyncio.sleep(4)
    await fleet.scheduler.resume_task(resumed.id)

    async def resumed_ran() -> bool:
        return resumed.id in await fleet.runs_by_task()

    await fleet.wait_until(resumed_ran, 5, "the task resumed elsewhere")
    async with fleet.db() as session:
        run = await session.scalar(select(TaskRun).where(TaskRun.task_id == resumed.id))
    assert run is not None
    assert run.started_at is not None
    assert run.started_at - due < timedelta(seconds=1)


@pytest.mark.emulator(shard_count=SHARDS)
async def test_processes_charging_one_member_at_once_keep_an_exact_balance(
    fleet: Fleet,
) -> None:
    guild, member_id, count = fleet.guilds[0], 424242, 150
    async with fleet.db() as session, session.begin():
        session.add(
            CreditBalance(
                guild_id=guild.id, user_id=member_id, balance=0, updated_at=SystemClock().now()
            )
        )
    await fleet.start()
    due = SystemClock().now() + timedelta(seconds=4)
    tasks = [await fleet.recharge(due, None, member_id, name=f"s{i}") for i in range(count)]

    async def all_ran() -> bool:
        return set(await fleet.runs_by_task()) >= {t.id for t in tasks}

    await fleet.wait_until(all_ran, 60, "every recharge")
    async with fleet.db() as session:
        balance = await session.get(CreditBalance, (guild.id, member_id))
        ledger = await session.scalar(
            select(func.count()).where(CreditTransaction.user_id == member_id)
        )
    assert balance is not None
    assert balance.balance == count
    assert ledger == count


@pytest.mark.emulator(shard_count=SHARDS)
async def test_a_taken_over_shard_brings_its_missed_runs_recorded_and_told(fleet: Fleet) -> None:
    """Runs due on a killed process's shards while nobody held them: within their grace they
    run late on the survivor; beyond it a one-shot fails as missed and its owner is told, a
    recurring task is moved to its next occurrence; none runs twice. The victim's messages come
    along: its "now playing" is turned "cut short", the survivors' own are left alone."""
    orphan_guild = fleet.guilds[0]
    owner = fleet.emulator.add_member(orphan_guild, "owner")
    await fleet.start()
    victim = next(p for p in fleet.processes if _shard(orphan_guild) in fleet.shards_of(p))
    # A "now playing" the victim posted, and one each survivor posted and still plays.
    orphan_play = await _now_playing(fleet, orphan_guild)
    kept_plays = [
        await _now_playing(fleet, next(g for g in fleet.guilds if _shard(g) in fleet.shards_of(p)))
        for p in fleet.processes
        if p is not victim
    ]
    victim.kill()
    killed = SystemClock().now()
    due = killed + timedelta(seconds=1)
    scheduler = fleet.scheduler
    params = {"member_id": owner.id, "amount": 1, "cap": 1_000_000}
    one_shot = await scheduler.create_task(
        "morning",
        TaskType.CREDIT_RECHARGE,
        due,
        parameters=params,
        user_id=owner.id,
        guild_id=orphan_guild.id,
        misfire_grace_seconds=1,
    )
    hourly = await scheduler.create_task(
        "hourly",
        TaskType.CREDIT_RECHARGE,
        due,
        parameters=params,
        user_id=owner.id,
        guild_id=orphan_guild.id,
        recurrence_type=RecurrenceType.HOURLY,
        misfire_grace_seconds=1,
    )
    patient = await scheduler.create_task(
        "patient",
        TaskType.CREDIT_RECHARGE,
        due,
        parameters=params,
        user_id=owner.id,
        guild_id=orphan_guild.id,
        misfire_grace_seconds=300,
    )
    ids = {one_shot.id, hourly.id, patient.id}

    async def settled() -> bool:
        async with fleet.db() as session:
            outcomes = set(
                await session.scalars(select(TaskRun.task_id).where(TaskRun.task_id.in_(ids)))
            )
        told = any("**morning**" in m.content for m in fleet.emulator.dms_to(owner))
        return outcomes == ids and told

    await fleet.wait_until(settled, TAKEOVER_LIMIT + 30, "the taken-over shard's runs")
    await asyncio.sleep(2)
    async with fleet.db() as session:
        runs = list(await session.scalars(select(TaskRun).where(TaskRun.task_id.in_(ids))))
        tasks = {
            t.id: t
            for t in await session.scalars(select(ScheduledTask).where(ScheduledTask.id.in_(ids)))
        }
    outcomes = Counter((r.task_id, r.outcome) for r in runs)
    assert outcomes == Counter(
        {
            (one_shot.id, RunOutcome.MISSED): 1,
            (hourly.id, RunOutcome.MISSED): 1,
            (patient.id, RunOutcome.SUCCEEDED): 1,
        }
    )
    survivors = {fleet.runner_of(p) for p in fleet.processes if p is not victim}
    assert {r.runner for r in runs} <= survivors
    assert {r.shard_id for r in runs} == {_shard(orphan_guild)}
    late = next(r for r in runs if r.task_id == patient.id)
    assert late.started_at is not None
    assert late.started_at > due + timedelta(seconds=1)  # ran late: after the takeover
    assert tasks[one_shot.id].status is TaskStatus.FAILED
    assert tasks[one_shot.id].error_message == "missed while the bot was offline"
    assert tasks[hourly.id].status is TaskStatus.PENDING
    assert tasks[hourly.id].next_run_at == hourly.next_run_at + timedelta(hours=1)
    assert tasks[hourly.id].executions_count == 0
    assert tasks[patient.id].status is TaskStatus.COMPLETED
    ledger = await fleet.ledger_by_task()
    assert {t: n for t, n in ledger.items() if t in ids} == {patient.id: 1}
    told = [m.content for m in fleet.emulator.dms_to(owner)]
    assert one_shot.number is not None
    # A survivor took the victim's messages back: its play was cut short; the survivors'
    # own plays were left alone.
    assert orphan_play.embeds[0]["title"] == CUT_SHORT_TITLE
    assert [(m.embeds[0]["title"], m.version) for m in kept_plays] == [(NOW_PLAYING_TITLE, 0)] * 2
    assert told == [
        f"⚠️ <@{owner.id}> your task {one_shot.ref} **morning** failed: "
        "missed while the bot was offline"
    ]


def _shard(guild: Guild) -> int:
    return (guild.id >> 22) % SHARDS


async def _now_playing(fleet: Fleet, guild: Guild) -> Message:
    """A "now playing" message of the bot in ``guild``, kept true as a play's is."""
    channel = fleet.emulator.add_text_channel(guild, "plays")
    message = fleet.emulator.new_message(channel, {"embeds": [{"title": NOW_PLAYING_TITLE}]}, [])
    await TrackedMessageService(fleet.db, SystemClock()).add(
        0, guild.id, channel.id, message.id, NOW_PLAYING_TITLE, kind=MessageKind.NOW_PLAYING
    )
    return message
