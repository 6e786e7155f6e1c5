"""The dispatcher's wake-ups on the real clock: an injected clock can hide a missed wake-up."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import SystemClock
from bot.config import Config
from bot.errors import TransientTaskFailure
from bot.models.scheduled_task import RecurrenceType, ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome
from bot.scheduling.dispatcher import DispatcherSettings
from bot.services.scheduler import SchedulerService
from tests.support.core import RecordingPlayer, eventually

GUILD = 1 << 22
PLAY = {"sound_id": 1, "channel_id": 10}


def real_scheduler(database, player: RecordingPlayer, **settings: float) -> SchedulerService:
    return SchedulerService(
        database,
        player,
        config=Config(),
        clock=SystemClock(),
        dispatcher_settings=DispatcherSettings(**settings),
    )


async def play_now(scheduler: SchedulerService) -> ScheduledTask:
    return await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        scheduler.clock.now(),
        parameters=PLAY,
        user_id=7,
        guild_id=GUILD,
    )


async def test_a_recurring_task_runs_again_when_its_next_occurrence_comes(database):
    """Nothing else is due: only the run's own record can wake the loop for the next one."""
    player = RecordingPlayer()
    scheduler = real_scheduler(database, player)
    clock = scheduler.clock
    # Every minute, first due 58.5 s ago (within grace): it runs now and again in 1.5 s.
    first = clock.now() - timedelta(seconds=58.5)
    task = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        first,
        parameters=PLAY,
        user_id=7,
        guild_id=GUILD,
        recurrence_type=RecurrenceType.MINUTELY,
    )
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: len(player.requests) == 2, within=6)
        await scheduler.dispatcher.wait_idle()
    finally:
        await scheduler.dispatcher.stop()
    runs = await scheduler.get_task_runs(task.id)
    assert [r.scheduled_for for r in reversed(runs)] == [first, first + timedelta(minutes=1)]
    late = runs[0].started_at - runs[0].scheduled_for
    assert timedelta(0) <= late < timedelta(seconds=1)
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.next_run_at) == (TaskStatus.PENDING, first + timedelta(minutes=2))


async def test_a_retry_runs_when_its_backoff_ends(database):
    player = RecordingPlayer(failures=[TransientTaskFailure("voice connect timed out")])
    scheduler = real_scheduler(database, player, retry_base_seconds=0.5)
    task = await play_now(scheduler)
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: len(player.requests) == 2, within=4)
        await scheduler.dispatcher.wait_idle()
    finally:
        await scheduler.dispatcher.stop()
    runs = await scheduler.get_task_runs(task.id)
    assert [r.outcome for r in reversed(runs)] == [RunOutcome.RETRYING, RunOutcome.SUCCEEDED]


async def test_leases_are_renewed_while_a_run_lasts(database):
    player = RecordingPlayer(gate=asyncio.Event())
    scheduler = real_scheduler(database, player, lease_seconds=0.6)
    task = await play_now(scheduler)
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: len(player.requests) == 1)
        # Three lease lengths later the lease is still ours and still in the future.
        await asyncio.sleep(1.8)
        assert await scheduler.maintenance.release_expired_leases() == 0
        stored = await scheduler.get_task(task.id)
        assert stored.lease_owner == scheduler.dispatcher.owner
        assert stored.lease_expires_at > scheduler.clock.now()
        player.gate.set()
        await scheduler.dispatcher.wait_idle()
    finally:
        await scheduler.dispatcher.stop()
    assert (await scheduler.get_task(task.id)).status is TaskStatus.COMPLETED
