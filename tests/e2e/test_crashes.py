"""Crashes as they happen: the bot in its own process, killed with SIGKILL and started again.

No shutdown code runs in a kill: what survives is only what the database holds. The first
tests kill a play mid-sound and inside its claim-ahead window; the soak kills a bot running a
hundred recurring recharges three times and counts every run.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.audio.tones import tone
from bot.clock import SystemClock
from bot.config import Config, load_config
from bot.db import Database
from bot.db.migrate import upgrade
from bot.emulator import Emulator
from bot.models.credits import CreditBalance, CreditTransaction
from bot.models.scheduled_task import RecurrenceType, ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome, TaskRun
from bot.services.scheduler import SchedulerService
from bot.services.sounds import SoundService
from tests.support.bot_process import BotProcess
from tests.support.core import RecordingPlayer
from tests.support.e2e import World, build_world

pytestmark = pytest.mark.e2e

LEASE_SECONDS = 15  # DispatcherSettings.lease_seconds: a restart must not wait for it


@dataclass
class Service:
    """A bot service on disk, and the core's services over its database to seed and read it."""

    process: BotProcess
    config: Config
    db: Database
    scheduler: SchedulerService
    world: World

    async def runs(self, task_id: int) -> list[TaskRun]:
        async with self.db() as session:
            result = await session.scalars(
                select(TaskRun).where(TaskRun.task_id == task_id).order_by(TaskRun.id)
            )
            return list(result)

    async def task(self, task_id: int) -> ScheduledTask:
        async with self.db() as session:
            task = await session.get(ScheduledTask, task_id)
            assert task is not None
            return task

    async def wait_for(self, predicate: Any, within: float, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not await predicate():
            if loop.time() > deadline:
                raise AssertionError(f"{what} not seen within {within:g} s:\n{self.process.log()}")
            await asyncio.sleep(0.1)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as running:
        yield running


async def make_service(emulator: Emulator, folder: Path, **sections: Any) -> Service:
    process = BotProcess(emulator, folder, **sections)
    config = load_config(process.config_path)
    await upgrade(config.database.url)
    db = Database(config.database.url)
    scheduler = SchedulerService(db, RecordingPlayer(), config=config, clock=SystemClock())
    return Service(process, config, db, scheduler, build_world(emulator))


@pytest.fixture
async def service(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Service]:
    made = await make_service(emulator, tmp_path, credits={"starting_balance": 10})
    try:
        yield made
    finally:
        await made.process.stop()
        await made.db.dispose()


async def schedule_chime(service: Service, due_in: float, seconds: float) -> ScheduledTask:
    world = service.world
    sounds = SoundService(service.db, service.config, SystemClock())
    sound = await sounds.upload(
        world.guild.id, world.alice.member.id, "chime", tone(440, seconds), cost=3
    )
    return await service.scheduler.create_task(
        "chime",
        TaskType.PLAY_SOUND,
        SystemClock().now() + timedelta(seconds=due_in),
        parameters={
            "sound_id": sound.id,
            "channel_id": world.lounge.id,
            "text_channel_id": world.general.id,
        },
        user_id=world.alice.member.id,
        guild_id=world.guild.id,
    )


async def charges(service: Service, task_id: int) -> list[CreditTransaction]:
    async with service.db() as session:
        result = await session.scalars(
            select(CreditTransaction).where(CreditTransaction.task_id == task_id)
        )
        return list(result)


async def test_a_play_cut_off_by_a_crash_is_played_again_and_charged_once(service, emulator):
    guild = service.world.guild
    task = await schedule_chime(service, due_in=6, seconds=3)
    await service.process.start()
    await emulator.wait_for(lambda: emulator.voice_audio(guild).frames >= 30, timeout=30)
    service.process.kill()
    cut_at = emulator.voice_audio(guild).frames
    assert cut_at < 150
    emulator.voice.clear(guild.id)

    await service.process.start()
    restarted = SystemClock().now()

    async def succeeded() -> bool:
        return any(r.outcome is RunOutcome.SUCCEEDED for r in await service.runs(task.id))

    await service.wait_for(succeeded, 30, "the replay's run record")
    interrupted, replayed = await service.runs(task.id)
    assert (interrupted.outcome, interrupted.attempt) == (RunOutcome.INTERRUPTED, 1)
    assert interrupted.started_at is not None
    assert (replayed.outcome, replayed.attempt) == (RunOutcome.SUCCEEDED, 2)
    assert replayed.details["note"] == "interrupted by a restart; played again"
    assert replayed.details["already_charged"] == 3
    assert replayed.scheduled_for == interrupted.scheduled_for == task.scheduled_at
    # The restart took its own lease back at once instead of waiting for it to expire.
    assert replayed.started_at - restarted < timedelta(seconds=LEASE_SECONDS / 2)

    [charge] = await charges(service, task.id)
    assert (charge.amount, charge.balance_after) == (-3, 7)
    audio = await emulator.wait_for_audio(guild, frames=140, idle=0.5)
    assert audio.frames >= 147  # the whole 3 s sound, heard again from the start
    general = service.world.general

    def first_post_title() -> str:
        return str(emulator.messages_in(general)[0].embeds[0]["title"])

    # The crashed process never ended its play: the restart says a restart cut it short
    # (buttons gone); the replay's post turns "Played".
    await emulator.wait_for(lambda: first_post_title() == "⏹️ Cut short", timeout=10)
    posts = emulator.messages_in(general)
    assert "A restart cut this play short." in posts[0].embeds[0]["description"]
    assert posts[0].custom_ids() == []
    assert posts[1].embeds[0]["title"] in ("🔔 Now playing", "✅ Played")
    assert "Playing again" in posts[1].embeds[0]["description"]
    assert (await service.task(task.id)).status is TaskStatus.COMPLETED


async def test_a_kill_inside_the_claim_ahead_window_costs_no_lease_wait(service, emulator):
    task = await schedule_chime(service, due_in=8, seconds=1)
    await service.process.start()

    async def claimed() -> bool:
        stored = await service.task(task.id)
        return stored.lease_owner is not None

    await service.wait_for(claimed, 20, "the claim ahead")
    claimed_task = await service.task(task.id)
    assert claimed_task.status is TaskStatus.PENDING
    service.process.kill()
    await service.process.start()

    async def ran() -> bool:
        return bool(await service.runs(task.id))

    await service.wait_for(ran, 30, "the run")
    [run] = await service.runs(task.id)
    assert (run.outcome, run.attempt) == (RunOutcome.SUCCEEDED, 1), (run.error, run.details)
    assert run.started_at is not None
    assert run.started_at - task.scheduled_at < timedelta(seconds=LEASE_SECONDS / 2)
    assert len(await charges(service, task.id)) == 1


SOAK_TASKS = 100
SOAK_KILLS = 3
SOAK_SECONDS = 75.0
GRACE_SECONDS = 300
RESTART_LATENESS_SECONDS = 30


async def test_a_hundred_recurring_recharges_survive_three_kills_exactly_once(
    emulator: Emulator, tmp_path: Path
):
    """Every occurrence recharges once: none lost, none doubled, balances exact."""
    service = await make_service(
        emulator, tmp_path, credits={"starting_balance": 0}, scheduler={"max_retries": 3}
    )
    rng = random.Random(20261201)
    clock = SystemClock()
    began = clock.now()
    guild = service.world.guild.id
    tasks = [
        await service.scheduler.create_task(
            f"recharge {i}",
            TaskType.CREDIT_RECHARGE,
            began + timedelta(seconds=8 + i * 0.5),
            parameters={"member_id": 1000 + i, "amount": 1, "cap": 1_000_000},
            guild_id=guild,
            recurrence_type=RecurrenceType.MINUTELY,
            misfire_grace_seconds=GRACE_SECONDS,
        )
        for i in range(SOAK_TASKS)
    ]
    try:
        await service.process.start()
        kill_at = sorted(rng.uniform(12, SOAK_SECONDS - 15) for _ in range(SOAK_KILLS))
        for at in kill_at:
            await asyncio.sleep(max(0.0, at - (clock.now() - began).total_seconds()))
            service.process.kill()
            await service.process.start()
        await asyncio.sleep(max(0.0, SOAK_SECONDS - (clock.now() - began).total_seconds()))
        cutoff = clock.now() - timedelta(seconds=1)
        expected = {t.id: occurrences(t.scheduled_at, cutoff) for t in tasks}

        async def all_recorded() -> bool:
            ran = await succeeded_occurrences(service)
            return all(set(expected[t.id]) <= ran.get(t.id, set()) for t in tasks)

        await service.wait_for(all_recorded, 30, "every occurrence's run")
        await service.process.stop()
    finally:
        await service.process.stop()

    lateness: list[float] = []
    interrupted = 0
    for task in tasks:
        runs = await service.runs(task.id)
        interrupted += sum(1 for r in runs if r.outcome is RunOutcome.INTERRUPTED)
        done = [r for r in runs if r.outcome is RunOutcome.SUCCEEDED]
        ran = [r.scheduled_for for r in done if r.scheduled_for <= cutoff]
        assert ran == expected[task.id], (
            f"task {task.id}: {[(r.outcome, r.scheduled_for) for r in runs]}"
        )
        assert not [r for r in runs if r.outcome in (RunOutcome.MISSED, RunOutcome.FAILED)]
        for run in done:
            assert run.started_at is not None
            lateness.append((run.started_at - run.scheduled_for).total_seconds())
        balance, recharges = await balance_and_recharges(service, guild, 1000 + tasks.index(task))
        assert balance == recharges == len(done), f"task {task.id}"
    # Late only by a restart's own start-up: never by a dead process's lease (60 s before).
    assert max(lateness) < min(GRACE_SECONDS, RESTART_LATENESS_SECONDS)
    assert sum(len(v) for v in expected.values()) >= SOAK_TASKS
    print(
        f"soak: {len(lateness)} runs, {service.process.starts - 1} kills, {interrupted} "
        f"interrupted, lateness p50 {sorted(lateness)[len(lateness) // 2]:.2f} s, "
        f"max {max(lateness):.2f} s"
    )
    await service.db.dispose()


def occurrences(first: datetime, until: datetime) -> list[datetime]:
    runs, at = [], first
    while at <= until:
        runs.append(at)
        at += timedelta(minutes=1)
    return runs


async def succeeded_occurrences(service: Service) -> dict[int, set[datetime]]:
    async with service.db() as session:
        result = await session.execute(
            select(TaskRun.task_id, TaskRun.scheduled_for).where(
                TaskRun.outcome == RunOutcome.SUCCEEDED
            )
        )
        ran: dict[int, set[datetime]] = {}
        for task_id, scheduled_for in result:
            ran.setdefault(task_id, set()).add(scheduled_for)
        return ran


async def balance_and_recharges(service: Service, guild: int, member: int) -> tuple[int, int]:
    async with service.db() as session:
        balance = await session.get(CreditBalance, (guild, member))
        entries = await session.scalars(
            select(CreditTransaction).where(
                CreditTransaction.guild_id == guild,
                CreditTransaction.user_id == member,
                CreditTransaction.reason == "recharge",
            )
        )
        return (balance.balance if balance is not None else 0), len(list(entries))
