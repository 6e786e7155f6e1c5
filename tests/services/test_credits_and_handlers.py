"""Credits and the task handlers: recharges exactly once, charges, the ledger, play requests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.config import Config, parse_config
from bot.db import Database
from bot.errors import InsufficientCredits, InvalidInput
from bot.models.scheduled_task import RecurrenceType, TaskStatus, TaskType
from bot.models.task_run import RunOutcome
from bot.repositories.credits import CreditRepository
from bot.scheduling.maintenance import DAILY_RECHARGE_KEY
from bot.services.credits import CreditService
from bot.services.scheduler import SchedulerService
from bot.services.settings import SettingsService
from bot.voice.play import PlaylistMode
from tests.support.core import RecordingPlayer

GUILD, OTHER_GUILD = 100, 200
CONFIG = parse_config(
    {"credits": {"starting_balance": 5, "recharge_amount": 10, "recharge_cap": 30}}
)


@pytest.fixture
def settings(database, clock) -> SettingsService:
    return SettingsService(database, CONFIG, clock)


@pytest.fixture
def credits(database, clock, settings) -> CreditService:
    return CreditService(database, CONFIG, settings, clock)


@pytest.fixture
def player() -> RecordingPlayer:
    return RecordingPlayer()


@pytest.fixture
def scheduler(database, clock, credits, player) -> SchedulerService:
    return SchedulerService(database, player, config=CONFIG, clock=clock, credits=credits)


async def ledger(database: Database, guild: int, user: int) -> list[tuple[int, int, str]]:
    async with database() as session:
        entries = await CreditRepository(session).history(guild, user, 50)
    return [(e.amount, e.balance_after, e.reason) for e in reversed(entries)]


async def test_new_members_start_with_the_starting_balance(credits, database):
    assert await credits.balance(GUILD, 1) == 5
    assert await credits.balance(GUILD, 1) == 5
    assert await ledger(database, GUILD, 1) == [(5, 5, "starting balance")]


async def test_charge_takes_credits_or_refuses_without_taking_any(credits, database):
    assert await credits.charge(GUILD, 1, 3, "played bell") == 2
    with pytest.raises(InsufficientCredits, match="costs 3 and the balance is 2"):
        await credits.charge(GUILD, 1, 3, "played bell")
    assert await credits.balance(GUILD, 1) == 2
    assert await ledger(database, GUILD, 1) == [(5, 5, "starting balance"), (-3, 2, "played bell")]


async def test_grant_and_set_never_go_below_zero(credits):
    assert await credits.grant(GUILD, 1, 10, actor_id=9) == 15
    assert await credits.grant(GUILD, 1, -100, actor_id=9) == 0
    assert await credits.set(GUILD, 1, 42, actor_id=9) == 42
    with pytest.raises(InvalidInput):
        await credits.set(GUILD, 1, -1, actor_id=9)


async def test_concurrent_charges_never_overdraw(credits):
    await credits.balance(GUILD, 1)
    results = await asyncio.gather(
        *(credits.charge(GUILD, 1, 1, "play") for _ in range(8)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, int)) == 5
    assert all(isinstance(r, int | InsufficientCredits) for r in results)
    assert await credits.balance(GUILD, 1) == 0


async def recharge_task(scheduler, clock, **parameters):
    return await scheduler.create_task(
        "recharge", TaskType.CREDIT_RECHARGE, clock.now(), guild_id=GUILD, parameters=parameters
    )


async def test_recharge_everyone_with_a_balance_up_to_the_cap(scheduler, credits, clock, database):
    for user, balance in [(1, 0), (2, 25), (3, 30)]:
        await credits.set(GUILD, user, balance, actor_id=None)
    await credits.set(OTHER_GUILD, 1, 0, actor_id=None)
    task = await recharge_task(scheduler, clock)
    await scheduler.dispatcher.run_due()
    assert [await credits.balance(GUILD, u) for u in (1, 2, 3)] == [10, 30, 30]
    assert await credits.balance(OTHER_GUILD, 1) == 0
    [run] = await scheduler.get_task_runs(task.id)
    assert run.outcome is RunOutcome.SUCCEEDED
    assert run.details == {"members_recharged": 2, "credits_added": 15, "members_at_cap": 1}
    async with database() as session:
        entries = await CreditRepository(session).for_run(run.id)
    assert sorted((e.user_id, e.amount) for e in entries) == [(1, 10), (2, 5)]
    assert all(e.task_id == task.id for e in entries)


async def test_recharge_one_member_with_amount_and_cap(scheduler, credits, clock):
    await credits.set(GUILD, 1, 0, actor_id=None)
    await credits.set(GUILD, 2, 0, actor_id=None)
    await recharge_task(scheduler, clock, member_id=2, amount=50, cap=40)
    await scheduler.dispatcher.run_due()
    assert [await credits.balance(GUILD, u) for u in (1, 2)] == [0, 40]


async def test_server_settings_override_recharge_defaults(scheduler, credits, settings, clock):
    await credits.set(GUILD, 1, 0, actor_id=None)
    await settings.update_guild(GUILD, recharge_amount=3, recharge_cap=4)
    await recharge_task(scheduler, clock)
    await scheduler.dispatcher.run_due()
    assert await credits.balance(GUILD, 1) == 3


async def test_a_recharge_is_applied_exactly_once_with_two_dispatchers(database_url, clock):
    databases = [Database(database_url), Database(database_url)]
    services = []
    credits = []
    for db in databases:
        settings = SettingsService(db, CONFIG, clock)
        credit_service = CreditService(db, CONFIG, settings, clock)
        credits.append(credit_service)
        services.append(
            SchedulerService(
                db, RecordingPlayer(), config=CONFIG, clock=clock, credits=credit_service
            )
        )
    try:
        await credits[0].set(GUILD, 1, 0, actor_id=None)
        task = await services[0].create_task(
            "recharge",
            TaskType.CREDIT_RECHARGE,
            clock.now(),
            guild_id=GUILD,
            recurrence_type=RecurrenceType.HOURLY,
            parameters={"amount": 1, "cap": 1000},
        )
        for _ in range(5):
            await asyncio.gather(*(s.dispatcher.run_due() for s in services))
            clock.advance(hours=1)
        assert await credits[1].balance(GUILD, 1) == 5
        runs = await services[0].get_task_runs(task.id, limit=50)
        assert len(runs) == 5
        assert len(await ledger(databases[0], GUILD, 1)) == 1 + 1 + 5
    finally:
        for db in databases:
            await db.dispose()


async def test_a_failing_recharge_changes_no_balance(scheduler, credits, clock):
    await credits.set(GUILD, 1, 0, actor_id=None)
    task = await recharge_task(scheduler, clock, amount="lots")
    await scheduler.dispatcher.run_due()
    assert await credits.balance(GUILD, 1) == 0
    stored = await scheduler.get_task(task.id)
    assert stored.status is TaskStatus.FAILED
    assert stored.error_message == "the task's amount is not valid"


async def test_play_handlers_build_the_request_from_parameters(scheduler, player, clock):
    common = {"user_id": 7, "guild_id": GUILD}
    await scheduler.create_task(
        "sound",
        TaskType.PLAY_SOUND,
        clock.now(),
        parameters={"sound_id": 3, "channel_id": 10, "text_channel_id": 11},
        **common,
    )
    await scheduler.create_task(
        "list",
        TaskType.PLAY_PLAYLIST,
        clock.now() + timedelta(seconds=1),
        parameters={"playlist_id": 4, "channel_id": 10, "mode": "loop", "shuffle": True},
        **common,
    )
    clock.advance(seconds=1)
    await scheduler.dispatcher.run_due()
    sound, playlist = sorted(player.requests, key=lambda r: r.sound_id is None)
    assert (sound.sound_id, sound.voice_channel_id, sound.text_channel_id, sound.payer_id) == (
        3,
        10,
        11,
        7,
    )
    assert (playlist.playlist_id, playlist.mode, playlist.shuffle) == (4, PlaylistMode.LOOP, True)


@pytest.mark.parametrize(
    ("parameters", "error"),
    [
        ({"channel_id": 10}, "the task has no sound id"),
        ({"sound_id": 1}, "the task has no channel id"),
        ({"sound_id": "x", "channel_id": 10}, "the task's sound id is not valid"),
    ],
)
async def test_bad_play_parameters_fail_clearly(scheduler, player, clock, parameters, error):
    task = await scheduler.create_task(
        "sound", TaskType.PLAY_SOUND, clock.now(), parameters=parameters, user_id=1, guild_id=GUILD
    )
    await scheduler.dispatcher.run_due()
    stored = await scheduler.get_task(task.id)
    assert (stored.status, stored.error_message) == (TaskStatus.FAILED, error)
    assert player.requests == []


async def test_the_daily_recharge_system_task_exists_exactly_once(database_url, clock):
    databases = [Database(database_url), Database(database_url)]
    services = [
        SchedulerService(db, RecordingPlayer(), config=Config(), clock=clock) for db in databases
    ]
    try:
        created = await asyncio.gather(
            *(s.maintenance.ensure_daily_recharge() for s in services for _ in range(3))
        )
        assert len({t.id for t in created}) == 1
        system = await services[0].count_tasks(status=TaskStatus.PENDING)
        assert system == 1
        task = created[0]
        assert (task.system_key, task.user_id, task.guild_id) == (DAILY_RECHARGE_KEY, None, None)
        assert task.recurrence_type is RecurrenceType.DAILY
        assert task.next_run_at == clock.now().replace(hour=0) + timedelta(days=1)
    finally:
        for db in databases:
            await db.dispose()


async def test_purge_removes_old_finished_tasks_with_their_runs(scheduler, clock, player):
    task = await scheduler.create_task(
        "sound",
        TaskType.PLAY_SOUND,
        clock.now(),
        parameters={"sound_id": 1, "channel_id": 2},
        user_id=1,
        guild_id=GUILD,
    )
    await scheduler.dispatcher.run_due()
    clock.advance(days=29)
    assert await scheduler.maintenance.purge_finished() == 0
    clock.advance(days=2)
    assert await scheduler.maintenance.purge_finished() == 1
    assert await scheduler.get_task(task.id) is None
    assert await scheduler.get_task_runs(task.id) == []


async def test_maintenance_jobs_run_on_apscheduler(scheduler):
    scheduler.maintenance.start()
    try:
        jobs = {job.id for job in scheduler.maintenance._scheduler.get_jobs()}
        expected = {"release-leases", "purge", "ensure-daily-recharge"}
        if scheduler.db.is_sqlite:
            expected.add("sqlite-checkpoint")
        assert jobs == expected
    finally:
        await scheduler.maintenance.stop()
