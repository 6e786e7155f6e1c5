"""SettingsRepository and TaskRunRepository on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome, TaskRun
from bot.repositories.settings import SettingsRepository
from bot.repositories.task_run import TaskRunRepository

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
GUILD = 100


async def test_a_server_s_settings_row_is_made_when_first_changed(database: Database) -> None:
    async with database() as session:
        assert await SettingsRepository(session).guild(GUILD) is None
    async with database() as session, session.begin():
        row = await SettingsRepository(session).guild_for_update(GUILD, NOW)
        row.max_active_tasks = 3
    async with database() as session, session.begin():
        again = await SettingsRepository(session).guild_for_update(GUILD, NOW)
        assert again.max_active_tasks == 3


async def test_a_member_zone_is_set_and_cleared(database: Database) -> None:
    async with database() as session, session.begin():
        await SettingsRepository(session).set_member_timezone(7, "Asia/Tokyo", NOW)
    async with database() as session:
        assert (await SettingsRepository(session).member(7)).timezone == "Asia/Tokyo"
    async with database() as session, session.begin():
        await SettingsRepository(session).set_member_timezone(7, None, NOW)
    async with database() as session:
        member = await SettingsRepository(session).member(7)
    assert member is None or member.timezone is None


async def test_admin_roles_are_added_once_and_listed_in_order(database: Database) -> None:
    async with database() as session, session.begin():
        repo = SettingsRepository(session)
        assert await repo.add_admin_role(GUILD, 2, None, NOW)
        assert await repo.add_admin_role(GUILD, 1, 9, NOW + timedelta(seconds=1))
        assert not await repo.add_admin_role(GUILD, 2, None, NOW)
    async with database() as session, session.begin():
        repo = SettingsRepository(session)
        assert await repo.admin_role_ids(GUILD) == [2, 1]
        assert await repo.remove_admin_role(GUILD, 2)
        assert not await repo.remove_admin_role(GUILD, 2)
        assert await repo.admin_role_ids(GUILD) == [1]


async def test_a_task_s_runs_come_back_newest_first(database: Database) -> None:
    task = ScheduledTask(
        name="bell",
        task_type=TaskType.PLAY_SOUND,
        status=TaskStatus.PENDING,
        scheduled_at=NOW,
        next_run_at=NOW,
        occurrence_at=NOW,
        parameters={"sound_id": 1, "channel_id": 2},
        user_id=1,
        guild_id=GUILD,
        created_at=NOW,
        updated_at=NOW,
    )
    async with database() as session, session.begin():
        session.add(task)
    async with database() as session, session.begin():
        repo = TaskRunRepository(session)
        await repo.add(
            TaskRun(task_id=task.id, scheduled_for=NOW, outcome=RunOutcome.FAILED, error="gone")
        )
        await repo.add_all(
            [
                {
                    "task_id": task.id,
                    "scheduled_for": NOW + timedelta(hours=hours),
                    "started_at": None,
                    "finished_at": None,
                    "outcome": RunOutcome.MISSED,
                    "attempt": 1,
                    "error": None,
                    "details": {"n": hours},
                }
                for hours in (1, 2)
            ]
        )
    async with database() as session:
        runs = await TaskRunRepository(session).for_task(task.id, limit=2)
    assert [(r.outcome, r.details) for r in runs] == [
        (RunOutcome.MISSED, {"n": 2}),
        (RunOutcome.MISSED, {"n": 1}),
    ]
