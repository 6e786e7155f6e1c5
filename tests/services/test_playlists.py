"""Playlists against a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.audio.tones import tone
from bot.clock import FakeClock
from bot.config import Config, SoundsConfig
from bot.db import Database
from bot.errors import InvalidInput, NotFound, NotPermitted
from bot.models import ScheduledTask, TaskStatus, TaskType
from bot.services.playlists import PlaylistService
from bot.services.sounds import SoundService

GUILD, OTHER_GUILD = 1001, 2002
ALICE, BOB = 11, 22
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
async def library(
    database: Database, tmp_path: Path
) -> tuple[SoundService, PlaylistService, dict[str, int]]:
    config = Config(sounds=SoundsConfig(directory=str(tmp_path / "sounds")))
    sounds = SoundService(database, config, FakeClock(NOW))
    ids = {}
    for name in ["A", "B", "C", "D"]:
        ids[name] = (await sounds.upload(GUILD, ALICE, name, tone(440, 0.2))).id
    return sounds, PlaylistService(database, sounds, FakeClock(NOW)), ids


def _names(view) -> list[str]:
    return [s.name for s in view.sounds]


async def test_create_add_move_remove_show(library) -> None:
    _, playlists, ids = library
    created = await playlists.create(GUILD, ALICE, "Morning")
    for name in ["A", "B", "C", "D", "A"]:
        view = await playlists.add(GUILD, created.id, ids[name], actor_id=ALICE, is_admin=False)
    assert _names(view) == ["A", "B", "C", "D", "A"]

    view = await playlists.move(GUILD, created.id, 4, 1, actor_id=ALICE, is_admin=False)
    assert _names(view) == ["D", "A", "B", "C", "A"]
    view = await playlists.move(GUILD, created.id, 1, 5, actor_id=ALICE, is_admin=False)
    assert _names(view) == ["A", "B", "C", "A", "D"]
    view = await playlists.remove(GUILD, created.id, 2, actor_id=ALICE, is_admin=False)
    assert _names(view) == ["A", "C", "A", "D"]

    shown = await playlists.show(GUILD, created.id)
    assert _names(shown) == ["A", "C", "A", "D"]
    assert shown.duration_seconds == pytest.approx(0.8, abs=0.05)
    assert [(p.name, n) for p, n in await playlists.list(GUILD)] == [("Morning", 4)]


async def test_positions_are_checked(library) -> None:
    _, playlists, ids = library
    created = await playlists.create(GUILD, ALICE, "Short")

    with pytest.raises(InvalidInput, match="is empty"):
        await playlists.remove(GUILD, created.id, 1, actor_id=ALICE, is_admin=False)
    await playlists.add(GUILD, created.id, ids["A"], actor_id=ALICE, is_admin=False)
    with pytest.raises(InvalidInput, match="from 1 to 1"):
        await playlists.move(GUILD, created.id, 1, 3, actor_id=ALICE, is_admin=False)


async def test_only_the_owner_or_an_admin_edits(library) -> None:
    _, playlists, ids = library
    created = await playlists.create(GUILD, ALICE, "Mine")

    with pytest.raises(NotPermitted, match="created 'Mine'"):
        await playlists.add(GUILD, created.id, ids["A"], actor_id=BOB, is_admin=False)
    view = await playlists.add(GUILD, created.id, ids["A"], actor_id=BOB, is_admin=True)
    assert _names(view) == ["A"]


async def test_names_unique_per_server_and_autocomplete(library) -> None:
    _, playlists, _ = library
    for name in ["Morning", "Evening Bells", "Bedtime"]:
        await playlists.create(GUILD, ALICE, name)

    with pytest.raises(InvalidInput, match="already has a playlist named 'morning'"):
        await playlists.create(GUILD, BOB, "morning")
    await playlists.create(OTHER_GUILD, BOB, "morning")
    assert [p.name for p in await playlists.autocomplete(GUILD, "be")] == [
        "Bedtime",
        "Evening Bells",
    ]
    assert (await playlists.find(GUILD, "MORNING")).guild_id == GUILD


async def test_sound_from_another_server_cannot_be_added(library) -> None:
    sounds, playlists, _ = library
    foreign = await sounds.upload(OTHER_GUILD, BOB, "Foreign", tone(440, 0.2))
    created = await playlists.create(GUILD, ALICE, "Mine")

    with pytest.raises(NotFound):
        await playlists.add(GUILD, created.id, foreign.id, actor_id=ALICE, is_admin=False)


async def test_delete_confirms_when_tasks_use_it(library, database: Database) -> None:
    sounds, playlists, ids = library
    created = await playlists.create(GUILD, ALICE, "Used")
    await playlists.add(GUILD, created.id, ids["B"], actor_id=ALICE, is_admin=False)
    task = ScheduledTask(
        name="bells",
        task_type=TaskType.PLAY_PLAYLIST,
        status=TaskStatus.PENDING,
        scheduled_at=NOW,
        parameters={"playlist_id": created.id},
        user_id=BOB,
        guild_id=GUILD,
        created_at=NOW,
        updated_at=NOW,
    )
    async with database() as session, session.begin():
        session.add(task)

    asked = await playlists.delete(GUILD, created.id, actor_id=ALICE, is_admin=False)
    assert asked.needs_confirmation
    assert [t.task_id for t in asked.tasks] == [task.id]
    done = await playlists.delete(GUILD, created.id, actor_id=ALICE, is_admin=False, confirmed=True)
    assert done.deleted
    with pytest.raises(NotFound):
        await playlists.show(GUILD, created.id)
    assert (await sounds.get(GUILD, ids["B"])).name == "B"


async def test_playable_lists_sounds_in_order(library) -> None:
    _, playlists, ids = library
    created = await playlists.create(GUILD, ALICE, "Order")
    for name in ["C", "A", "B"]:
        await playlists.add(GUILD, created.id, ids[name], actor_id=ALICE, is_admin=False)

    playable = await playlists.playable(GUILD, created.id)

    assert [p.name for p in playable] == ["C", "A", "B"]
    assert all(p.path.exists() and p.cost == 1 for p in playable)
    with pytest.raises(NotFound, match="deleted"):
        await playlists.playable(OTHER_GUILD, created.id)
