"""ScheduledTaskRepository on real SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.repositories.scheduled_task import ScheduledTaskRepository, ShardFilter

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def make(**overrides: object) -> ScheduledTask:
    values: dict[str, object] = {
        "name": "bell",
        "task_type": TaskType.PLAY_SOUND,
        "status": TaskStatus.PENDING,
        "scheduled_at": NOW,
        "next_run_at": NOW,
        "occurrence_at": NOW,
        "timezone": "Europe/Paris",
        "parameters": {"sound_id": 3},
        "user_id": 1,
        "guild_id": 100,
        "created_at": NOW,
        "updated_at": NOW,
    } | overrides
    return ScheduledTask(**values)


async def add_all(database: Database, *tasks: ScheduledTask) -> list[ScheduledTask]:
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        return [await repo.add(t) for t in tasks]


async def test_create_and_get_round_trips_every_field(database):
    [task] = await add_all(database, make(until=NOW + timedelta(days=3)))
    async with database() as session:
        stored = await ScheduledTaskRepository(session).get(task.id)
    assert stored is not None
    assert stored.scheduled_at == NOW
    assert stored.scheduled_at.tzinfo is not None
    assert stored.until == NOW + timedelta(days=3)
    assert stored.parameters == {"sound_id": 3}
    assert (stored.task_type, stored.status, stored.timezone) == (
        TaskType.PLAY_SOUND,
        TaskStatus.PENDING,
        "Europe/Paris",
    )
    assert (stored.executions_count, stored.retry_count, stored.misfire_grace_seconds) == (
        0,
        0,
        300,
    )


async def test_get_missing_is_none(database):
    async with database() as session:
        assert await ScheduledTaskRepository(session).get(12345) is None


async def test_filter_by_user_guild_status_and_type(database):
    await add_all(
        database,
        make(user_id=1, guild_id=100),
        make(user_id=1, guild_id=200),
        make(user_id=2, guild_id=100, status=TaskStatus.CANCELLED, next_run_at=None),
        make(user_id=None, guild_id=100, task_type=TaskType.CREDIT_RECHARGE),
    )
    async with database() as session:
        repo = ScheduledTaskRepository(session)
        assert len(await repo.filter(user_id=1)) == 2
        assert len(await repo.filter(guild_id=100)) == 3
        assert len(await repo.filter(guild_id=100, statuses=[TaskStatus.PENDING])) == 2
        assert len(await repo.filter(task_type=TaskType.CREDIT_RECHARGE)) == 1
        assert await repo.count(user_id=2, statuses=[TaskStatus.CANCELLED]) == 1
        assert len(await repo.filter(guild_id=100, limit=1, offset=1)) == 1


async def test_filter_orders_soonest_first_and_finished_last(database):
    await add_all(
        database,
        make(name="later", next_run_at=NOW + timedelta(hours=2)),
        make(name="done", status=TaskStatus.COMPLETED, next_run_at=None),
        make(name="sooner", next_run_at=NOW + timedelta(hours=1)),
    )
    async with database() as session:
        names = [t.name for t in await ScheduledTaskRepository(session).filter(user_id=1)]
    assert names == ["sooner", "later", "done"]


async def test_status_updates_and_cancel(database):
    a, b = await add_all(database, make(), make())
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        assert await repo.set_status(a.id, TaskStatus.FAILED, NOW, "channel gone")
        assert await repo.cancel(b.id, NOW)
        assert not await repo.cancel(b.id, NOW)
    async with database() as session:
        repo = ScheduledTaskRepository(session)
        failed, cancelled = await repo.get(a.id), await repo.get(b.id)
    assert (failed.status, failed.error_message, failed.next_run_at) == (
        TaskStatus.FAILED,
        "channel gone",
        None,
    )
    assert (cancelled.status, cancelled.next_run_at) == (TaskStatus.CANCELLED, None)


async def test_claim_due_takes_only_pending_due_tasks_earliest_first(database):
    await add_all(
        database,
        make(name="b", next_run_at=NOW - timedelta(seconds=1)),
        make(name="future", next_run_at=NOW + timedelta(seconds=1)),
        make(name="a", next_run_at=NOW - timedelta(seconds=5)),
        make(name="running", status=TaskStatus.RUNNING),
    )
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        assert await repo.next_due_at() == NOW - timedelta(seconds=5)
        due = await repo.claim_due(NOW, NOW, 10, "a", NOW + timedelta(minutes=1))
        assert [t.name for t in due] == ["a", "b"]
        # A claim's expiry is when the next pass must look again; else the next unclaimed.
        assert await repo.next_due_at() == NOW + timedelta(seconds=1)
        later = await repo.claim_due(
            NOW, NOW + timedelta(seconds=1), 10, "a", NOW + timedelta(milliseconds=500)
        )
        assert [t.name for t in later] == ["future"]
        assert await repo.next_due_at() == NOW + timedelta(milliseconds=500)


async def test_claim_due_gives_each_attempt_to_one_claimer(database):
    tasks = await add_all(database, make(), make())
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        won = await repo.claim_due(NOW, NOW, 10, "a", NOW + timedelta(minutes=1))
        lost = await repo.claim_due(NOW, NOW, 10, "b", NOW + timedelta(minutes=1))
    assert sorted(t.id for t in won) == sorted(t.id for t in tasks)
    # Claimed ahead of its instant, an attempt stays pending until it starts.
    assert all(t.lease_owner == "a" and t.status is TaskStatus.PENDING for t in won)
    assert lost == []


async def test_an_expired_claim_is_taken_over_and_only_the_holder_starts(database):
    [task] = await add_all(database, make())
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        await repo.claim_due(NOW, NOW, 10, "dead", NOW + timedelta(seconds=5))
        assert await repo.claim_due(NOW, NOW, 10, "b", NOW + timedelta(seconds=20)) == []
        later = NOW + timedelta(seconds=6)
        [taken] = await repo.claim_due(later, later, 10, "b", later + timedelta(seconds=20))
        assert taken.lease_owner == "b"
        assert await repo.start([task.id], "dead", later, later) == set()
        assert await repo.start([task.id], "b", later, later) == {task.id}
    async with database() as session:
        stored = await ScheduledTaskRepository(session).get(task.id)
        assert (stored.status, stored.attempt_started_at) == (TaskStatus.RUNNING, later)


async def test_a_cancel_drops_a_pending_claim_but_keeps_a_running_lease(database):
    pending, running = await add_all(database, make(), make())
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        await repo.claim_due(NOW, NOW, 10, "a", NOW + timedelta(seconds=20))
        await repo.start([running.id], "a", NOW, NOW + timedelta(seconds=20))
        assert await repo.cancel(pending.id, NOW)
        assert await repo.cancel(running.id, NOW)
        assert await repo.start([pending.id], "a", NOW, NOW) == set()
    async with database() as session:
        repo = ScheduledTaskRepository(session)
        assert (await repo.get(pending.id)).lease_owner is None
        assert (await repo.get(running.id)).lease_owner == "a"


async def test_shard_filter_keeps_own_guilds_and_system_tasks(database):
    shard0, shard1 = 0 << 22, 1 << 22
    await add_all(
        database, make(guild_id=shard0), make(guild_id=shard1), make(guild_id=None, user_id=None)
    )
    async with database() as session:
        repo = ScheduledTaskRepository(session)
        mine = await repo.claim_due(
            NOW, NOW, 10, "a", NOW + timedelta(minutes=1), ShardFilter(frozenset({1}), 2)
        )
    assert {t.guild_id for t in mine} == {shard1, None}


async def test_purge_finished_keeps_recent_and_active(database):
    old = NOW - timedelta(days=40)
    await add_all(
        database,
        make(status=TaskStatus.COMPLETED, next_run_at=None, updated_at=old),
        make(status=TaskStatus.COMPLETED, next_run_at=None),
        make(updated_at=old),
    )
    async with database() as session, session.begin():
        assert await ScheduledTaskRepository(session).purge_finished(NOW - timedelta(days=30)) == 1
    async with database() as session:
        assert await ScheduledTaskRepository(session).count() == 2


async def test_sqlite_checkpoint_empties_the_log_while_the_bot_connection_stays_open(database):
    if not database.is_sqlite:
        return
    await add_all(database, *(make() for _ in range(200)))
    wal = database.sqlite_path.with_name(database.sqlite_path.name + "-wal")
    assert wal.stat().st_size > 0
    await database.checkpoint()
    async with database() as session:
        assert await ScheduledTaskRepository(session).count() == 200
    with sqlite3.connect(database.sqlite_path) as connection:
        busy, log_frames, checkpointed = connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
    assert (busy, log_frames) == (0, checkpointed)


async def test_a_paused_task_is_never_claimed_nor_due(database):
    paused, pending = await add_all(database, make(), make(next_run_at=NOW + timedelta(hours=1)))
    async with database() as session, session.begin():
        assert await ScheduledTaskRepository(session).pause(paused.id, NOW)
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        assert await repo.next_due_at() == NOW + timedelta(hours=1)
        later = NOW + timedelta(days=2)
        claimed = await repo.claim_due(later, later, 10, "a", later + timedelta(seconds=20))
        assert [task.id for task in claimed] == [pending.id]
        stored = await repo.get(paused.id)
        assert (stored.status, stored.paused_at, stored.next_run_at) == (
            TaskStatus.PAUSED,
            NOW,
            NOW,
        )
        assert not await repo.pause(paused.id, NOW)
        assert await repo.cancel(paused.id, NOW)


async def test_a_task_paused_while_it_runs_is_recorded_and_stays_paused(database):
    [task] = await add_all(database, make())
    following = NOW + timedelta(minutes=15)
    row = {
        "id": task.id,
        "status": TaskStatus.PENDING,
        "next_run_at": following,
        "occurrence_at": following,
        "executions_count": 1,
        "lease_owner": None,
        "lease_expires_at": None,
        "cancelled_values": {"executions_count": 1},
    }
    async with database() as session, session.begin():
        repo = ScheduledTaskRepository(session)
        await repo.claim_due(NOW, NOW, 10, "a", NOW + timedelta(seconds=20))
        await repo.start([task.id], "a", NOW, NOW + timedelta(seconds=20))
        assert await repo.pause(task.id, NOW)
        assert (await repo.get(task.id)).lease_owner == "a"
        assert await repo.record_runs("a", [row]) == {task.id: TaskStatus.PAUSED}
    async with database() as session:
        stored = await ScheduledTaskRepository(session).get(task.id)
        assert (stored.status, stored.executions_count, stored.next_run_at) == (
            TaskStatus.PAUSED,
            1,
            following,
        )
        assert stored.lease_owner is None
