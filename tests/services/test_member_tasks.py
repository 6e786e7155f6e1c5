"""What /schedule and /admin do, through MemberTaskService and TaskQueries on real databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.audio.tones import tone
from bot.clock import FakeClock
from bot.config import Config, DiscordConfig, SoundsConfig
from bot.db import Database
from bot.errors import InvalidInput, LimitReached, NotFound
from bot.models.scheduled_task import RecurrenceType, TaskStatus, TaskType
from bot.services.actor import Actor
from bot.services.member_tasks import MemberTaskService
from bot.services.playlists import PlaylistService
from bot.services.scheduler import SchedulerService
from bot.services.settings import SettingsService
from bot.services.sounds import SoundService
from bot.services.task_queries import NO_SUCH_TASK, TaskQueries
from bot.services.task_requests import PlayTarget, WhenInput
from bot.voice.play import PlaylistMode
from tests.support.core import RecordingPlayer

GUILD = 1001
ALICE, BOB, OWNER = 11, 22, 99
ADMIN_ROLE = 500
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LOUNGE, GENERAL = 7001, 7002
HERE = PlayTarget(LOUNGE, GENERAL)
ALICE_ACTS = Actor(ALICE, GUILD)
BOB_ACTS = Actor(BOB, GUILD)
ADMIN_ACTS = Actor(OWNER, GUILD, role_ids=(ADMIN_ROLE,))


class World:
    def __init__(self, database: Database, tmp_path: Path) -> None:
        self.clock = FakeClock(NOW)
        self.config = Config(
            sounds=SoundsConfig(directory=str(tmp_path / "sounds")),
            discord=DiscordConfig(admin_role_ids=(ADMIN_ROLE,)),
        )
        self.settings = SettingsService(database, self.config, self.clock)
        self.sounds = SoundService(database, self.config, self.clock)
        self.playlists = PlaylistService(database, self.sounds, self.clock)
        self.scheduler = SchedulerService(
            database, RecordingPlayer(), config=self.config, clock=self.clock
        )
        self.queries = TaskQueries(self.scheduler, self.settings)
        self.tasks = MemberTaskService(
            self.scheduler,
            self.settings,
            self.sounds,
            self.playlists,
            self.clock,
            self.config,
            self.queries,
        )


@pytest.fixture
async def world(database: Database, tmp_path: Path) -> World:
    world = World(database, tmp_path)
    await world.sounds.upload(GUILD, ALICE, "bell", tone(440, 0.2))
    return world


async def _bell(world: World, actor: Actor = ALICE_ACTS, when: str = "in 2 hours", **kw):
    return await world.tasks.schedule_sound(actor, "bell", WhenInput(when, **kw), HERE, None)


async def test_a_sound_is_scheduled_by_name_with_typed_parameters(world: World) -> None:
    task = await _bell(world)

    sound = await world.sounds.find(GUILD, "bell")
    assert (task.name, task.task_type, task.user_id) == ("bell", TaskType.PLAY_SOUND, ALICE)
    assert task.scheduled_at == NOW + timedelta(hours=2)
    assert task.parameters == {
        "sound_id": sound.id,
        "channel_id": LOUNGE,
        "text_channel_id": GENERAL,
        "native": True,
    }


async def test_a_playlist_keeps_its_mode_and_shuffle(world: World) -> None:
    playlist = await world.playlists.create(GUILD, ALICE, "morning")
    task = await world.tasks.schedule_playlist(
        ALICE_ACTS,
        "morning",
        WhenInput("tomorrow 9am"),
        HERE,
        "wake up",
        mode=PlaylistMode.LOOP,
        shuffle=True,
    )

    assert task.name == "wake up"
    assert task.parameters["playlist_id"] == playlist.id
    assert (task.parameters["mode"], task.parameters["shuffle"]) == ("loop", True)


async def test_a_play_needs_a_voice_channel(world: World) -> None:
    with pytest.raises(InvalidInput, match="Join a voice channel first"):
        await world.tasks.schedule_sound(
            ALICE_ACTS, "bell", WhenInput("in 1 hour"), PlayTarget(None, GENERAL), None
        )
    with pytest.raises(InvalidInput, match="not a voice channel"):
        await world.tasks.schedule_sound(
            ALICE_ACTS, "bell", WhenInput("in 1 hour"), PlayTarget(GENERAL, GENERAL, False), None
        )


async def test_the_server_cap_on_active_tasks_is_enforced(world: World) -> None:
    await world.settings.update_guild(GUILD, max_active_tasks=2)
    await _bell(world)
    await _bell(world, when="in 3 hours")

    with pytest.raises(LimitReached, match="already have 2 active tasks"):
        await _bell(world, when="in 4 hours")
    assert (await _bell(world, BOB_ACTS)).user_id == BOB


async def test_members_repeat_at_most_every_15_minutes_admins_more_often(world: World) -> None:
    with pytest.raises(InvalidInput, match="at most every 15 minutes"):
        await _bell(world, when="every 5 minutes")

    task = await _bell(world, ADMIN_ACTS, when="every 5 minutes")
    assert task.recurrence_type is RecurrenceType.MINUTELY
    assert await world.settings.is_admin(ADMIN_ACTS)
    assert not await world.settings.is_admin(ALICE_ACTS)


async def test_a_member_sees_and_cancels_only_their_own_tasks(world: World) -> None:
    task = await _bell(world)

    with pytest.raises(NotFound) as hidden:
        await world.queries.owned(BOB_ACTS, task.id)
    assert str(hidden.value) == NO_SUCH_TASK.format(id=task.id)
    assert await world.tasks.cancel_by_button(BOB_ACTS, task.id) is None

    cancelled = await world.tasks.cancel(ALICE_ACTS, task.id)
    assert cancelled.status is TaskStatus.CANCELLED
    with pytest.raises(InvalidInput, match="already cancelled"):
        await world.tasks.cancel(ALICE_ACTS, task.id)


async def test_an_admin_cancels_any_task_of_the_server(world: World) -> None:
    task = await _bell(world)

    assert await world.queries.may_manage(ADMIN_ACTS, task.id) is not None
    cancelled = await world.tasks.cancel(ADMIN_ACTS, task.id, as_admin=True)

    assert cancelled.status is TaskStatus.CANCELLED
    with pytest.raises(NotFound):
        await world.tasks.cancel(Actor(OWNER, GUILD + 1), task.id, as_admin=True)


async def test_edit_changes_the_name_and_the_time_and_keeps_the_rest(world: World) -> None:
    task = await _bell(world)

    renamed = await world.tasks.edit(ALICE_ACTS, task.id, WhenInput(), "  evening   bell ")
    moved = await world.tasks.edit(ALICE_ACTS, task.id, WhenInput("in 5 hours", "daily"), None)

    assert renamed.name == "evening bell"
    assert moved.scheduled_at == NOW + timedelta(hours=5)
    assert moved.recurrence_type is RecurrenceType.DAILY
    assert moved.parameters == task.parameters


async def test_edit_refuses_what_it_cannot_apply(world: World) -> None:
    task = await _bell(world)

    with pytest.raises(InvalidInput, match="Say what to change"):
        await world.tasks.edit(ALICE_ACTS, task.id, WhenInput(), None)
    with pytest.raises(InvalidInput, match="only apply to a repeating task"):
        await world.tasks.edit(ALICE_ACTS, task.id, WhenInput(count=3), None)
    with pytest.raises(NotFound):
        await world.tasks.edit(BOB_ACTS, task.id, WhenInput("in 1 hour"), None)


async def test_count_and_until_are_edited_on_a_repeating_task(world: World) -> None:
    task = await _bell(world, when="every day at 9am")

    edited = await world.tasks.edit(ALICE_ACTS, task.id, WhenInput(count=3), None)

    assert edited.recurrence_count == 3
    assert (await world.tasks.edit(ALICE_ACTS, task.id, WhenInput(until="in 10 days"), None)).until


async def test_a_recharge_is_a_system_task_with_its_creator(world: World) -> None:
    with pytest.raises(InvalidInput, match="at least 1 credit"):
        await world.tasks.schedule_recharge(ADMIN_ACTS, WhenInput("every day at 13:00"), 0, None)

    task = await world.tasks.schedule_recharge(
        ADMIN_ACTS, WhenInput("every day at 13:00"), 10, ALICE, "Alice", GENERAL
    )

    assert (task.user_id, task.name) == (None, "Recharge 10 credits for Alice")
    assert task.parameters == {
        "amount": 10,
        "member_id": ALICE,
        "created_by": OWNER,
        "text_channel_id": GENERAL,
    }


async def test_pages_hold_ten_tasks_and_clamp_the_page_number(world: World) -> None:
    for hours in range(1, 13):
        await _bell(world, when=f"in {hours} hours")
    await _bell(world, BOB_ACTS)

    first = await world.queries.page(GUILD, user_id=ALICE, status=None, page=0)
    last = await world.queries.page(GUILD, user_id=ALICE, status=None, page=7)
    everyone = await world.queries.page(GUILD, user_id=None, status=TaskStatus.PENDING, page=0)

    assert (len(first.tasks), first.pages, first.total) == (10, 2, 12)
    assert (last.page, len(last.tasks)) == (1, 2)
    assert everyone.total == 13


async def test_autocomplete_finds_by_name_or_id_among_ones_own(world: World) -> None:
    mine = await _bell(world)
    evening = await world.tasks.schedule_sound(
        ALICE_ACTS, "bell", WhenInput("in 3 hours"), HERE, "evening"
    )
    theirs = await _bell(world, BOB_ACTS)

    assert [t.id for t in await world.queries.for_autocomplete(ALICE_ACTS, "even")] == [evening.id]
    assert [t.id for t in await world.queries.for_autocomplete(ALICE_ACTS, f"#{mine.id}")] == [
        mine.id
    ]
    offered = await world.queries.for_autocomplete(ALICE_ACTS, str(theirs.id))
    assert theirs.id not in {t.id for t in offered}
    everyone = await world.queries.for_autocomplete(ALICE_ACTS, "", everyone=True)
    assert {t.id for t in everyone} == {mine.id, evening.id, theirs.id}


async def test_details_show_the_next_runs_of_a_repeating_task(world: World) -> None:
    task = await _bell(world, when="every day at 9am")

    details = await world.queries.details(ALICE_ACTS, task.id)

    assert len(details.upcoming) == 5
    assert details.upcoming[1] - details.upcoming[0] == timedelta(days=1)
    assert details.runs == []


async def test_the_member_s_zone_is_used_for_their_times(world: World) -> None:
    await world.settings.set_member_timezone(ALICE, "Asia/Tokyo")

    task = await _bell(world, when="tomorrow 9am")

    assert await world.tasks.timezone(ALICE_ACTS) == "Asia/Tokyo"
    assert task.timezone == "Asia/Tokyo"
    assert task.scheduled_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
