"""SchedulerService: creating, validating, editing, cancelling and listing tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config
from bot.errors import InvalidInput, NotFound
from bot.models.scheduled_task import RecurrenceType, TaskStatus, TaskType
from bot.services.scheduler import SchedulerService
from tests.support.core import RecordingPlayer

PLAY = {"sound_id": 1, "channel_id": 10}
GUILD = {"guild_id": 5, "user_id": 1}


@pytest.fixture
def scheduler(database, clock) -> SchedulerService:
    return SchedulerService(database, RecordingPlayer(), config=Config(), clock=clock)


async def test_naive_scheduled_at_is_wall_clock_in_the_timezone(scheduler):
    task = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        datetime(2026, 12, 24, 20, 0),
        timezone="Europe/Paris",
        parameters=PLAY,
        user_id=1,
        guild_id=2,
    )
    assert task.scheduled_at == datetime(2026, 12, 24, 19, 0, tzinfo=UTC)
    assert task.next_run_at == task.scheduled_at


async def test_aware_scheduled_at_is_an_absolute_instant(scheduler):
    instant = datetime(2026, 12, 24, 19, 0, tzinfo=UTC)
    task = await scheduler.create_task(
        "bell", TaskType.PLAY_SOUND, instant, timezone="America/New_York", parameters=PLAY
    )
    assert task.scheduled_at == instant


async def test_cron_first_run_is_the_first_match(scheduler, clock):
    task = await scheduler.create_task(
        "weekday bell",
        TaskType.PLAY_SOUND,
        clock.now(),
        timezone="America/New_York",
        cron_expression="0 9 * * 1-5",
        parameters=PLAY,
    )
    # Now is Thursday 26 Nov 2026 12:00 UTC = 07:00 in New York.
    assert task.recurrence_type is RecurrenceType.CRON
    assert task.scheduled_at == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "not a timezone"),
        ({"cron_expression": "0 9 * *"}, "five-field cron"),
        ({"cron_expression": "0 0 30 2 *"}, "never comes"),
        ({"recurrence_type": RecurrenceType.DAILY, "cron_expression": "0 9 * * *"}, "not both"),
        ({"recurrence_type": RecurrenceType.CRON}, "needs a cron expression"),
        ({"recurrence_type": RecurrenceType.DAILY, "recurrence_count": 0}, "at least 1"),
        ({"recurrence_count": 3}, "needs a repeat"),
        ({"recurrence_interval": 0, "recurrence_type": RecurrenceType.DAILY}, "at least 1"),
    ],
)
async def test_invalid_schedules_are_refused_with_a_reason(scheduler, clock, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        await scheduler.create_task(
            "bell", TaskType.PLAY_SOUND, clock.now() + timedelta(hours=1), **kwargs
        )


async def test_past_times_and_early_until_are_refused(scheduler, clock):
    with pytest.raises(InvalidInput, match="already passed"):
        await scheduler.create_task("bell", TaskType.PLAY_SOUND, clock.now() - timedelta(hours=1))
    with pytest.raises(InvalidInput, match="before the first run"):
        await scheduler.create_task(
            "bell",
            TaskType.PLAY_SOUND,
            clock.now() + timedelta(hours=2),
            recurrence_type=RecurrenceType.DAILY,
            until=clock.now() + timedelta(hours=1),
        )


async def test_names_are_cleaned_and_limited(scheduler, clock):
    task = await scheduler.create_task("  morning\n bell ", TaskType.PLAY_SOUND, clock.now())
    assert task.name == "morning bell"
    with pytest.raises(InvalidInput, match="at most 100"):
        await scheduler.create_task("x" * 101, TaskType.PLAY_SOUND, clock.now())
    with pytest.raises(InvalidInput, match="needs a name"):
        await scheduler.create_task("   ", TaskType.PLAY_SOUND, clock.now())


async def test_cancel_only_active_tasks(scheduler, clock):
    task = await scheduler.create_task("bell", TaskType.PLAY_SOUND, clock.now() + timedelta(1))
    assert await scheduler.cancel_task(task.id)
    assert not await scheduler.cancel_task(task.id)
    assert not await scheduler.cancel_task(999_999)
    assert (await scheduler.get_task(task.id)).status is TaskStatus.CANCELLED


async def test_get_user_tasks_filters_by_status(scheduler, clock):
    later = clock.now() + timedelta(hours=1)
    a = await scheduler.create_task("a", TaskType.PLAY_SOUND, later, user_id=1, guild_id=5)
    await scheduler.create_task("b", TaskType.PLAY_SOUND, later, user_id=1, guild_id=5)
    await scheduler.create_task("c", TaskType.PLAY_SOUND, later, user_id=2, guild_id=5)
    await scheduler.cancel_task(a.id)
    assert {t.name for t in await scheduler.get_user_tasks(1)} == {"a", "b"}
    assert [t.name for t in await scheduler.get_user_tasks(1, TaskStatus.PENDING)] == ["b"]
    assert [t.name for t in await scheduler.get_user_tasks(1, TaskStatus.CANCELLED)] == ["a"]
    assert await scheduler.count_active(1) == 1
    assert len(await scheduler.list_guild_tasks(5)) == 3


async def test_edit_reschedules_and_keeps_history(scheduler, clock):
    task = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        clock.now(),
        recurrence_type=RecurrenceType.DAILY,
        parameters=PLAY,
        **GUILD,
    )
    await scheduler.dispatcher.run_due()
    new_first = clock.now() + timedelta(hours=3)
    edited = await scheduler.edit_task(
        task.id, scheduled_at=new_first, recurrence_type=RecurrenceType.WEEKLY, name="weekly bell"
    )
    assert (edited.name, edited.recurrence_type, edited.next_run_at) == (
        "weekly bell",
        RecurrenceType.WEEKLY,
        new_first,
    )
    assert edited.executions_count == 1
    assert len(await scheduler.get_task_runs(task.id)) == 1
    assert scheduler.upcoming_runs(edited, 3) == [
        new_first,
        new_first + timedelta(weeks=1),
        new_first + timedelta(weeks=2),
    ]


async def test_edit_to_cron_and_back_to_one_shot(scheduler, clock):
    task = await scheduler.create_task("bell", TaskType.PLAY_SOUND, clock.now() + timedelta(1))
    edited = await scheduler.edit_task(task.id, cron_expression="0 12 * * *")
    assert edited.recurrence_type is RecurrenceType.CRON
    one_shot = await scheduler.edit_task(task.id, recurrence_type=RecurrenceType.NONE)
    assert (one_shot.recurrence_type, one_shot.cron_expression) == (RecurrenceType.NONE, None)


async def test_edit_refuses_finished_and_missing_tasks(scheduler, clock):
    task = await scheduler.create_task("bell", TaskType.PLAY_SOUND, clock.now() + timedelta(1))
    await scheduler.cancel_task(task.id)
    with pytest.raises(InvalidInput, match="cancelled"):
        await scheduler.edit_task(task.id, name="x")
    with pytest.raises(NotFound):
        await scheduler.edit_task(424242, name="x")


async def test_edit_count_below_runs_made_is_refused(scheduler, clock):
    task = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        clock.now(),
        recurrence_type=RecurrenceType.HOURLY,
        parameters=PLAY,
        **GUILD,
    )
    await scheduler.dispatcher.run_due()
    with pytest.raises(InvalidInput, match="already run 1 times"):
        await scheduler.edit_task(task.id, recurrence_count=1)


async def test_upcoming_runs_honours_count(scheduler, clock):
    task = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        clock.now() + timedelta(hours=1),
        recurrence_type=RecurrenceType.DAILY,
        recurrence_count=2,
    )
    assert len(scheduler.upcoming_runs(task, 5)) == 2


async def test_a_first_run_in_a_dst_gap_keeps_the_asked_wall_time(scheduler, clock):
    clock.set(datetime(2026, 3, 7, 12, tzinfo=UTC))
    naive = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        datetime(2026, 3, 8, 2, 30),
        timezone="America/New_York",
        recurrence_type=RecurrenceType.DAILY,
        recurrence_interval=2,
    )
    aware = await scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        timezone="America/New_York",
        recurrence_type=RecurrenceType.DAILY,
        wall_anchor=datetime(2026, 3, 8, 2, 30),
    )
    for task in (naive, aware):
        stored = await scheduler.get_task(task.id)
        assert stored.scheduled_at == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
        assert stored.wall_anchor == datetime(2026, 3, 8, 2, 30)
    assert scheduler.upcoming_runs(await scheduler.get_task(naive.id), 2)[1] == datetime(
        2026, 3, 10, 6, 30, tzinfo=UTC
    )
    assert scheduler.upcoming_runs(await scheduler.get_task(aware.id), 2)[1] == datetime(
        2026, 3, 9, 6, 30, tzinfo=UTC
    )
