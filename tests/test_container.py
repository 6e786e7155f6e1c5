"""The container builds every service once, and they work with no Discord connection."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.audio.tones import tone
from bot.clock import FakeClock
from bot.config import Config, DatabaseConfig, SoundsConfig
from bot.container import build_services
from bot.db import Database
from bot.errors import PermanentTaskFailure
from bot.models.scheduled_task import TaskStatus, TaskType
from bot.scheduling.dispatcher import DispatcherSettings
from bot.scheduling.notifier import LogNotifier
from bot.services.actor import Actor
from bot.services.scheduler import SchedulerService
from bot.services.task_requests import PlayTarget, WhenInput
from bot.voice.play import PlayRequest
from tests.support.core import RecordingPlayer

GUILD, ALICE = 1001, 11


async def test_services_schedule_list_and_cancel_without_a_discord_client(
    sqlite_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    config = Config(
        database=DatabaseConfig(url=sqlite_url),
        sounds=SoundsConfig(directory=str(tmp_path / "sounds")),
    )
    services = build_services(config, clock=clock)
    try:
        bell = await services.sounds.upload(GUILD, ALICE, "bell", tone(440, 0.2))
        alice = Actor(ALICE, GUILD)
        task = await services.member_tasks.schedule_sound(
            alice, "bell", WhenInput("in 2 hours"), PlayTarget(5, 6), None
        )
        page = await services.task_queries.page(GUILD, user_id=ALICE, status=None, page=0)
        cancelled = await services.member_tasks.cancel(alice, task.id)

        assert [t.id for t in page.tasks] == [task.id]
        assert cancelled.status is TaskStatus.CANCELLED
        with pytest.raises(PermanentTaskFailure, match="no longer in that server"):
            await services.player.play(PlayRequest(GUILD, 5, ALICE, sound_id=bell.id))
        assert await services.credits.balance(GUILD, ALICE) == config.credits.starting_balance
    finally:
        await services.db.dispose()
        services.identity.close()


async def test_each_service_is_built_once_and_shared(sqlite_url: str, clock: FakeClock) -> None:
    config = Config(database=DatabaseConfig(url=sqlite_url))
    settings = DispatcherSettings(lead_seconds=1.0)
    services = build_services(
        config, discord.Client(intents=discord.Intents.none()), dispatcher_settings=settings
    )
    try:
        handler = services.scheduler.dispatcher.handlers.get(TaskType.PLAY_SOUND)
        assert handler.player is services.player  # type: ignore[attr-defined]
        assert services.scheduler.player is services.player
        assert services.member_tasks.queries is services.task_queries
        assert services.member_tasks.scheduler is services.scheduler
        assert services.scheduler.maintenance.dispatcher is services.scheduler.dispatcher
        assert services.scheduler.dispatcher.settings is settings
        assert services.scheduler.dispatcher.owner == services.identity.name
    finally:
        await services.db.dispose()
        services.identity.close()


def test_the_configured_dispatcher_settings_come_from_one_place() -> None:
    config = Config()
    assert DispatcherSettings.from_config(config.scheduler).max_retries == (
        config.scheduler.max_retries
    )


async def test_the_two_argument_scheduler_wires_its_own_engine(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    player = RecordingPlayer()
    try:
        scheduler = SchedulerService(db, player)

        handler = scheduler.dispatcher.handlers.get(TaskType.PLAY_SOUND)
        assert handler.player is player  # type: ignore[attr-defined]
        assert isinstance(scheduler.dispatcher.notifier, LogNotifier)
        assert scheduler.dispatcher.settings == DispatcherSettings.from_config(
            scheduler.config.scheduler
        )
        assert scheduler.maintenance.dispatcher is scheduler.dispatcher
    finally:
        await db.dispose()
