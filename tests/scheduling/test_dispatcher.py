"""The dispatcher against real databases, with the clock moved by the test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.config import Config
from bot.db import Database
from bot.errors import InsufficientCredits, PermanentTaskFailure, TransientTaskFailure
from bot.models.scheduled_task import RecurrenceType, TaskStatus, TaskType
from bot.models.task_run import RunOutcome
from bot.repositories.scheduled_task import ScheduledTaskRepository, ShardFilter
from bot.scheduling.notifier import LogNotifier
from bot.services.scheduler import SchedulerService
from tests.support.core import RecordingPlayer, eventually

GUILD = 1 << 22
PLAY = {"sound_id": 1, "channel_id": 10, "text_channel_id": 11}
LEAD = 3.0  # DispatcherSettings.lead_seconds


@pytest.fixture
def player() -> RecordingPlayer:
    return RecordingPlayer()


@pytest.fixture
def notifier() -> LogNotifier:
    return LogNotifier()


@pytest.fixture
def scheduler(
    database: Database, player: RecordingPlayer, clock: FakeClock, notifier: LogNotifier
) -> SchedulerService:
    return SchedulerService(database, player, config=Config(), clock=clock, notifier=notifier)


async def play_task(scheduler: SchedulerService, at: datetime, **kwargs: object):
    return await scheduler.create_task(
        "bell", TaskType.PLAY_SOUND, at, parameters=PLAY, user_id=7, guild_id=GUILD, **kwargs
    )


async def test_one_shot_runs_when_due_and_completes(scheduler, player, clock):
    task = await play_task(scheduler, clock.now() + timedelta(minutes=1))
    assert await scheduler.dispatcher.run_due() == 0
    clock.advance(minutes=1)
    assert await scheduler.dispatcher.run_due() == 1
    assert [r.sound_id for r in player.requests] == [1]
    assert player.requests[0].payer_id == 7
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.COMPLETED
    assert stored.executions_count == 1
    assert stored.next_run_at is None
    runs = await scheduler.get_task_runs(task.id)
    assert [(r.outcome, r.scheduled_for) for r in runs] == [
        (RunOutcome.SUCCEEDED, task.scheduled_at)
    ]


async def test_recurring_task_moves_to_its_next_occurrence(scheduler, clock):
    task = await play_task(
        scheduler, clock.now(), recurrence_type=RecurrenceType.DAILY, recurrence_count=2
    )
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.PENDING
    assert stored.next_run_at == task.scheduled_at + timedelta(days=1)
    clock.advance(days=1)
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.executions_count) == (TaskStatus.COMPLETED, 2)


async def test_until_ends_a_recurrence(scheduler, clock):
    start = clock.now()
    task = await play_task(
        scheduler, start, recurrence_type=RecurrenceType.HOURLY, until=start + timedelta(hours=1)
    )
    await scheduler.dispatcher.run_due()
    clock.advance(hours=1)
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.executions_count) == (TaskStatus.COMPLETED, 2)


async def test_transient_failures_retry_with_exponential_backoff(scheduler, player, clock):
    player.failures = [TransientTaskFailure("voice connect timed out")] * 2
    task = await play_task(scheduler, clock.now())
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.PENDING
    assert stored.next_run_at == clock.now() + timedelta(seconds=30)
    assert stored.occurrence_at == task.scheduled_at
    clock.advance(seconds=30)
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert stored.next_run_at == clock.now() + timedelta(seconds=60)
    clock.advance(seconds=60)
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.COMPLETED
    runs = await scheduler.get_task_runs(task.id)
    outcomes = [(r.attempt, r.outcome) for r in reversed(runs)]
    assert outcomes == [
        (1, RunOutcome.RETRYING),
        (2, RunOutcome.RETRYING),
        (3, RunOutcome.SUCCEEDED),
    ]
    assert all(r.scheduled_for == task.scheduled_at for r in runs)


async def test_retries_stop_at_max_retries(scheduler, player, clock, notifier):
    player.failures = [TransientTaskFailure("Discord answered 503")] * 10
    task = await play_task(scheduler, clock.now())
    delays = []
    for _ in range(4):
        await scheduler.dispatcher.run_due()
        stored = await scheduler.get_task(task.id)
        if stored.next_run_at is not None:
            delays.append((stored.next_run_at - clock.now()).total_seconds())
            clock.set(stored.next_run_at)
    assert delays == [30, 60, 120]
    assert stored.status is TaskStatus.FAILED
    assert "gave up after 4 attempts" in stored.error_message
    assert len(player.requests) == 4
    assert notifier.sent == [(task.id, stored.error_message)]


async def test_permanent_failure_fails_at_once_with_the_reason(scheduler, player, clock, notifier):
    player.failures = [PermanentTaskFailure("the sound 'bell' was deleted")]
    task = await play_task(scheduler, clock.now(), recurrence_type=RecurrenceType.DAILY)
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.FAILED
    assert stored.error_message == "the sound 'bell' was deleted"
    assert notifier.sent == [(task.id, "the sound 'bell' was deleted")]
    runs = await scheduler.get_task_runs(task.id)
    assert [(r.outcome, r.error) for r in runs] == [
        (RunOutcome.FAILED, "the sound 'bell' was deleted")
    ]


async def test_short_of_credits_fails_the_run_but_keeps_a_recurrence(
    scheduler, player, clock, notifier
):
    player.failures = [InsufficientCredits("not enough credits", balance=0, cost=1)]
    task = await play_task(scheduler, clock.now(), recurrence_type=RecurrenceType.DAILY)
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.PENDING
    assert stored.next_run_at == task.scheduled_at + timedelta(days=1)
    assert stored.error_message == "not enough credits"
    assert notifier.sent == [(task.id, "not enough credits")]


async def test_one_shot_late_within_grace_still_runs(scheduler, player, clock):
    await play_task(scheduler, clock.now())
    clock.advance(seconds=299)
    await scheduler.dispatcher.run_due()
    assert len(player.requests) == 1


async def test_one_shot_missed_beyond_grace_fails_and_tells_the_owner(
    scheduler, player, clock, notifier
):
    task = await play_task(scheduler, clock.now())
    clock.advance(seconds=301)
    await scheduler.dispatcher.run_due()
    assert player.requests == []
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.FAILED
    assert stored.error_message == "missed while the bot was offline"
    assert notifier.sent == [(task.id, "missed while the bot was offline")]
    runs = await scheduler.get_task_runs(task.id)
    assert [r.outcome for r in runs] == [RunOutcome.MISSED]


async def test_recurring_missed_runs_are_recorded_and_skipped(scheduler, player, clock):
    start = clock.now()
    task = await play_task(scheduler, start, recurrence_type=RecurrenceType.HOURLY)
    clock.advance(hours=5, minutes=30)
    await scheduler.dispatcher.run_due()
    assert player.requests == []
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.PENDING
    assert stored.next_run_at == start + timedelta(hours=6)
    [missed] = await scheduler.get_task_runs(task.id)
    assert missed.outcome is RunOutcome.MISSED
    assert missed.scheduled_for == start
    assert missed.details == {
        "missed_runs": 6,
        "last_missed": (start + timedelta(hours=5)).isoformat(),
    }


async def test_recurring_missed_but_latest_within_grace_runs_that_one(scheduler, player, clock):
    start = clock.now()
    task = await play_task(scheduler, start, recurrence_type=RecurrenceType.HOURLY)
    clock.advance(hours=3, minutes=2)
    await scheduler.dispatcher.run_due()
    assert len(player.requests) == 1
    runs = await scheduler.get_task_runs(task.id)
    assert [(r.outcome, r.scheduled_for) for r in runs] == [
        (RunOutcome.SUCCEEDED, start + timedelta(hours=3)),
        (RunOutcome.MISSED, start),
    ]
    assert runs[1].details["missed_runs"] == 3
    stored = await scheduler.get_task(task.id)
    assert stored.next_run_at == start + timedelta(hours=4)
    assert stored.executions_count == 1


async def crash_while_running(database, task, now: datetime, owner: str = "crashed") -> None:
    """What a process that claimed and started ``task``, then died, leaves behind."""
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        claimed = await repo.claim_due(now, now, 10, owner, now + timedelta(seconds=15))
        assert [t.id for t in claimed] == [task.id]
        assert await repo.start([task.id], owner, now, now + timedelta(seconds=15)) == {task.id}


async def test_a_crash_while_running_is_replayed_once_after_the_lease_expires(
    scheduler, player, clock, database
):
    task = await play_task(scheduler, clock.now())
    await crash_while_running(database, task, clock.now())
    assert await scheduler.dispatcher.run_due() == 0
    clock.advance(seconds=14)
    assert await scheduler.maintenance.release_expired_leases() == 0
    clock.advance(seconds=2)
    assert await scheduler.maintenance.release_expired_leases() == 1
    stored = await scheduler.get_task(task.id)
    # The attempt keeps its own instant: its misfire grace decides whether it runs again.
    assert (stored.status, stored.next_run_at) == (TaskStatus.PENDING, task.scheduled_at)
    assert await scheduler.dispatcher.run_due() == 1
    assert await scheduler.dispatcher.run_due() == 0
    assert len(player.requests) == 1
    assert player.requests[0].replay
    runs = await scheduler.get_task_runs(task.id)
    assert [(r.attempt, r.outcome) for r in reversed(runs)] == [
        (1, RunOutcome.INTERRUPTED),
        (2, RunOutcome.SUCCEEDED),
    ]
    assert runs[0].details["note"] == "interrupted by a restart; played again"
    assert all(r.scheduled_for == task.scheduled_at for r in runs)
    assert (await scheduler.get_task(task.id)).status is TaskStatus.COMPLETED


async def test_an_interrupted_one_shot_beyond_its_grace_is_missed_not_replayed(
    scheduler, player, clock, database, notifier
):
    task = await play_task(scheduler, clock.now())
    await crash_while_running(database, task, clock.now())
    clock.advance(minutes=10)
    assert await scheduler.maintenance.release_expired_leases() == 1
    await scheduler.dispatcher.run_due()
    assert player.requests == []
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.error_message) == (
        TaskStatus.FAILED,
        "missed while the bot was offline",
    )
    assert notifier.sent == [(task.id, "missed while the bot was offline")]
    outcomes = [r.outcome for r in reversed(await scheduler.get_task_runs(task.id))]
    assert outcomes == [RunOutcome.INTERRUPTED, RunOutcome.MISSED]


async def test_a_task_that_does_not_replay_moves_on_after_an_interruption(
    scheduler, player, clock, database
):
    task = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        clock.now(),
        parameters={**PLAY, "replay_interrupted": False},
        user_id=7,
        guild_id=GUILD,
        recurrence_type=RecurrenceType.DAILY,
    )
    await crash_while_running(database, task, clock.now())
    clock.advance(seconds=20)
    assert await scheduler.maintenance.release_expired_leases() == 1
    await scheduler.dispatcher.run_due()
    assert player.requests == []
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.next_run_at) == (
        TaskStatus.PENDING,
        task.scheduled_at + timedelta(days=1),
    )
    latest = (await scheduler.get_task_runs(task.id))[0]
    assert (latest.outcome, latest.error) == (
        RunOutcome.FAILED,
        "interrupted by a restart; not played again (the task does not replay)",
    )


async def test_a_restart_takes_back_its_own_leases_at_once(database, player, clock, notifier):
    first = SchedulerService(
        database, player, config=Config(), clock=clock, notifier=notifier, owner="host-a-0"
    )
    task = await play_task(first, clock.now())
    await crash_while_running(database, task, clock.now(), owner="host-a-0")
    other = await play_task(first, clock.now())
    await crash_while_running(database, other, clock.now(), owner="host-b-0")
    restarted = SchedulerService(
        database, player, config=Config(), clock=clock, notifier=notifier, owner="host-a-0"
    )
    assert await restarted.maintenance.release_own_leases() == 1
    await restarted.dispatcher.run_due()
    assert [r.task_id for r in player.requests] == [task.id]
    assert (await restarted.get_task(other.id)).lease_owner == "host-b-0"


async def test_two_dispatchers_never_run_one_occurrence_twice(database_url, clock):
    players = [RecordingPlayer(), RecordingPlayer()]
    databases = [Database(database_url), Database(database_url)]
    services = [
        SchedulerService(db, p, config=Config(), clock=clock)
        for db, p in zip(databases, players, strict=True)
    ]
    try:
        tasks = [
            await play_task(services[i % 2], clock.now(), recurrence_type=RecurrenceType.HOURLY)
            for i in range(40)
        ]
        for _ in range(3):
            await asyncio.gather(*(s.dispatcher.run_due() for s in services))
            clock.advance(hours=1)
        played = [r.task_id for p in players for r in p.requests]
        assert sorted(played) == sorted([t.id for t in tasks] * 3)
        for task in tasks:
            stored = await services[0].get_task(task.id)
            assert stored.executions_count == 3
    finally:
        for db in databases:
            await db.dispose()


async def test_cancelled_while_running_keeps_the_run_and_the_cancellation(scheduler, player, clock):
    player.gate = asyncio.Event()
    task = await play_task(scheduler, clock.now(), recurrence_type=RecurrenceType.DAILY)
    running = asyncio.create_task(scheduler.dispatcher.run_due())
    await eventually(lambda: len(player.requests) == 1)
    assert await scheduler.cancel_task(task.id)
    player.gate.set()
    await running
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.executions_count, stored.next_run_at) == (
        TaskStatus.CANCELLED,
        1,
        None,
    )
    assert stored.lease_owner is None
    assert [r.outcome for r in await scheduler.get_task_runs(task.id)] == [RunOutcome.SUCCEEDED]


async def test_the_loop_sleeps_until_due_and_wakes_early_for_a_sooner_task(
    scheduler, player, clock
):
    await play_task(scheduler, clock.now() + timedelta(hours=2))
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1)
        await play_task(scheduler, clock.now() + timedelta(seconds=5))
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
        clock.advance(seconds=4)
        await asyncio.sleep(0.02)
        assert player.requests == []
        clock.advance(seconds=1)
        await eventually(lambda: len(player.requests) == 1)
    finally:
        await scheduler.dispatcher.stop()


async def test_the_loop_rechecks_at_least_hourly(scheduler, clock):
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1)
        assert _deadline(clock) == 3600
    finally:
        await scheduler.dispatcher.stop()


def _deadline(clock: FakeClock) -> float:
    deadlines = [d for d, f in clock._sleepers if not f.done()]
    return round((min(deadlines) - clock.now()).total_seconds(), 3)


async def test_cancel_wakes_the_loop_and_the_task_never_runs(scheduler, player, clock):
    task = await play_task(scheduler, clock.now() + timedelta(seconds=5))
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
        assert await scheduler.cancel_task(task.id)
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 3600)
        clock.advance(seconds=10)
        await asyncio.sleep(0.02)
        assert player.requests == []
    finally:
        await scheduler.dispatcher.stop()


def test_fake_clock_refuses_naive_start():
    with pytest.raises(ValueError, match="aware"):
        FakeClock(datetime(2026, 1, 1))


def test_utc_fixture_is_aware(clock):
    assert clock.now().tzinfo is UTC


async def test_a_task_is_claimed_ahead_prepared_and_started_at_its_exact_instant(
    scheduler, player, clock
):
    assert scheduler.dispatcher.settings.lead_seconds == LEAD
    task = await play_task(scheduler, clock.now() + timedelta(seconds=5))
    started: list = []
    scheduler.dispatcher.on_run_start = lambda t, at: started.append(at)
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
        clock.advance(seconds=5 - LEAD)
        await eventually(lambda: player.prepared == [(GUILD, 10)])
        # Claimed, but members still see (and may edit) a pending task until it starts.
        stored = await scheduler.get_task(task.id)
        assert (stored.status, stored.lease_owner) == (
            TaskStatus.PENDING,
            scheduler.dispatcher.owner,
        )
        clock.advance(seconds=LEAD - 0.01)
        await asyncio.sleep(0.02)
        assert player.requests == []
        clock.advance(seconds=0.01)
        await eventually(lambda: len(player.requests) == 1)
        assert started == [task.scheduled_at]
    finally:
        await scheduler.dispatcher.stop()


async def test_a_task_cancelled_while_claimed_ahead_never_starts(scheduler, player, clock):
    task = await play_task(scheduler, clock.now() + timedelta(seconds=5))
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
        clock.advance(seconds=5 - LEAD)
        await eventually(lambda: player.prepared != [])
        assert await scheduler.cancel_task(task.id)
        clock.advance(seconds=LEAD)
        await eventually(lambda: not scheduler.dispatcher._runs)
        assert player.requests == []
        stored = await scheduler.get_task(task.id)
        assert (stored.status, stored.lease_owner) == (TaskStatus.CANCELLED, None)
        assert await scheduler.get_task_runs(task.id) == []
    finally:
        await scheduler.dispatcher.stop()


async def test_a_task_cancelled_by_another_process_just_before_its_instant_never_starts(
    scheduler, player, clock, database_url
):
    task = await play_task(scheduler, clock.now() + timedelta(seconds=5))
    other_db = Database(database_url)
    other = SchedulerService(other_db, RecordingPlayer(), config=Config(), clock=clock)
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
        clock.advance(seconds=5 - LEAD)
        await eventually(lambda: player.prepared != [])
        clock.advance(seconds=LEAD - 0.001)
        await asyncio.sleep(0.02)
        assert await other.cancel_task(task.id)
        clock.advance(seconds=0.001)
        await eventually(lambda: not scheduler.dispatcher._runs)
        assert player.requests == []
        stored = await scheduler.get_task(task.id)
        assert (stored.status, stored.lease_owner) == (TaskStatus.CANCELLED, None)
        assert await scheduler.get_task_runs(task.id) == []
    finally:
        await scheduler.dispatcher.stop()
        await other_db.dispose()


async def test_an_edit_inside_the_lead_window_applies_to_the_new_instant(
    scheduler, player, clock, database_url
):
    task = await play_task(scheduler, clock.now() + timedelta(seconds=5))
    other_db = Database(database_url)
    other = SchedulerService(other_db, RecordingPlayer(), config=Config(), clock=clock)
    started: list = []
    scheduler.dispatcher.on_run_start = lambda t, at: started.append(at)
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
        clock.advance(seconds=5 - LEAD)
        await eventually(lambda: player.prepared != [])
        later = task.scheduled_at + timedelta(minutes=1)
        edited = await other.edit_task(task.id, scheduled_at=later, name="later bell")
        assert (edited.status, edited.next_run_at) == (TaskStatus.PENDING, later)
        clock.advance(seconds=LEAD)
        await asyncio.sleep(0.05)
        assert player.requests == []
        # Woken by nothing from the other process, the dispatcher still finds the new instant.
        clock.set(later)
        await eventually(lambda: len(player.requests) == 1)
        assert started == [later]
    finally:
        await scheduler.dispatcher.stop()
        await other_db.dispose()


async def test_an_edit_racing_a_claim_is_never_lost(scheduler, clock, database):
    task = await play_task(scheduler, clock.now() + timedelta(seconds=2))
    later = task.scheduled_at + timedelta(hours=1)
    claim = asyncio.create_task(scheduler.dispatcher._dispatch_due(lead_seconds=3))
    await scheduler.edit_task(task.id, scheduled_at=later)
    await claim
    await scheduler.dispatcher.wait_idle()
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.next_run_at, stored.lease_owner) == (
        TaskStatus.PENDING,
        later,
        None,
    )


async def test_a_task_edited_while_claimed_keeps_its_lease_renewed_through_a_long_run(
    scheduler, player, clock
):
    player.gate = asyncio.Event()
    task = await play_task(scheduler, clock.now() + timedelta(seconds=5))
    scheduler.dispatcher.start()
    try:
        await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
        clock.advance(seconds=5 - LEAD)
        await eventually(lambda: player.prepared != [])
        await scheduler.edit_task(task.id, name="renamed bell")
        await eventually(lambda: len(player.prepared) == 2)
        clock.advance(seconds=LEAD)
        await eventually(lambda: len(player.requests) == 1)
        for _ in range(12):  # a minute of playing, four lease lengths
            clock.advance(seconds=5)
            await asyncio.sleep(0.01)
            assert await scheduler.maintenance.release_expired_leases() == 0
        stored = await scheduler.get_task(task.id)
        assert (stored.status, stored.lease_owner) == (
            TaskStatus.RUNNING,
            scheduler.dispatcher.owner,
        )
        player.gate.set()
        await eventually(lambda: not scheduler.dispatcher._runs)
    finally:
        await scheduler.dispatcher.stop()
    assert len(player.requests) == 1
    assert [r.outcome for r in await scheduler.get_task_runs(task.id)] == [RunOutcome.SUCCEEDED]


async def test_stopping_drops_runs_waiting_for_their_instant_and_frees_their_claims(
    scheduler, player, clock
):
    task = await play_task(scheduler, clock.now() + timedelta(seconds=5))
    scheduler.dispatcher.start()
    await eventually(lambda: clock.sleepers == 1 and _deadline(clock) == 5 - LEAD)
    clock.advance(seconds=5 - LEAD)
    await eventually(lambda: player.prepared != [])
    # At once, not after the ten seconds runs under way are given.
    await asyncio.wait_for(scheduler.stop(), timeout=3)
    assert player.requests == []
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.lease_owner) == (TaskStatus.PENDING, None)


async def test_a_sharded_process_frees_expired_leases_of_its_own_shards_only(
    scheduler, clock, database
):
    mine = await play_task(scheduler, clock.now())
    theirs = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        clock.now(),
        parameters=PLAY,
        user_id=7,
        guild_id=GUILD + (1 << 22),
    )
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        claimed = await repo.claim_due(
            clock.now(), clock.now(), 10, "busy", clock.now() + timedelta(seconds=15)
        )
        assert {t.id for t in claimed} == {mine.id, theirs.id}
    scheduler.dispatcher.shards = ShardFilter(frozenset({(GUILD >> 22) % 2}), 2)
    clock.advance(seconds=20)

    assert await scheduler.maintenance.release_expired_leases() == 1
    assert (await scheduler.get_task(mine.id)).lease_owner is None
    assert (await scheduler.get_task(theirs.id)).lease_owner == "busy"
