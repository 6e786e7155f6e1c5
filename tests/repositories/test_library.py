"""SoundRepository and PlaylistRepository on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import Database
from bot.models.scheduled_task import ScheduledTask, TaskStatus, TaskType
from bot.models.sound import Playlist, Sound
from bot.repositories._search import name_key
from bot.repositories.playlists import PlaylistRepository
from bot.repositories.sounds import SoundRepository

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
GUILD, OTHER = 100, 200


def sound(name: str, guild_id: int = GUILD) -> Sound:
    return Sound(
        guild_id=guild_id,
        name=name,
        name_key=name_key(name),
        file_name=f"{name_key(name).replace(' ', '-')}-{guild_id}.ogg",
        duration_seconds=1.0,
        size_bytes=100,
        uploader_id=1,
        cost=None,
        created_at=NOW,
    )


def task(task_type: TaskType, status: TaskStatus = TaskStatus.PENDING, **parameters: int):
    return ScheduledTask(
        name="t",
        task_type=task_type,
        status=status,
        scheduled_at=NOW,
        next_run_at=NOW,
        occurrence_at=NOW,
        parameters=parameters,
        user_id=1,
        guild_id=GUILD,
        created_at=NOW,
        updated_at=NOW,
    )


async def add_sounds(database: Database, *names: str) -> list[Sound]:
    async with database() as session, session.begin():
        repo = SoundRepository(session)
        return [await repo.add(sound(name)) for name in names]


async def test_lookups_are_per_server_and_ignore_case_and_spacing(database: Database) -> None:
    [bell] = await add_sounds(database, "Big Bell")
    async with database() as session, session.begin():
        await SoundRepository(session).add(sound("Big Bell", OTHER))

    async with database() as session:
        repo = SoundRepository(session)
        assert (await repo.by_name(GUILD, "  big   BELL ")).id == bell.id
        assert await repo.get(OTHER, bell.id) is None
        assert await repo.count(GUILD) == 1


async def test_search_puts_prefixes_first_and_escapes_wildcards(database: Database) -> None:
    await add_sounds(database, "doorbell", "bell", "big ben", "100% bell", "a_b")

    async with database() as session:
        repo = SoundRepository(session)
        assert [s.name for s in await repo.search(GUILD, "bel")] == [
            "bell",
            "100% bell",
            "doorbell",
        ]
        assert [s.name for s in await repo.search(GUILD, "%")] == ["100% bell"]
        assert [s.name for s in await repo.search(GUILD, "_")] == ["a_b"]
        assert [s.name for s in await repo.list(GUILD, limit=2, offset=1)] == ["a_b", "bell"]


async def test_tasks_using_a_sound_directly_or_through_a_playlist(database: Database) -> None:
    bell, gong = await add_sounds(database, "bell", "gong")
    async with database() as session, session.begin():
        playlists = PlaylistRepository(session)
        evening = await playlists.add(
            Playlist(guild_id=GUILD, name="evening", name_key="evening", owner_id=1, created_at=NOW)
        )
        await playlists.append(evening.id, bell.id)
        session.add_all(
            [
                direct := task(TaskType.PLAY_SOUND, sound_id=bell.id),
                listed := task(TaskType.PLAY_PLAYLIST, playlist_id=evening.id),
                task(TaskType.PLAY_SOUND, TaskStatus.COMPLETED, sound_id=bell.id),
                task(TaskType.PLAY_SOUND, sound_id=gong.id),
            ]
        )

    async with database() as session:
        using = await SoundRepository(session).active_tasks_using(GUILD, bell.id)
        via = await PlaylistRepository(session).active_tasks_using(GUILD, evening.id)
    assert [t.id for t in using] == [direct.id, listed.id]
    assert [t.id for t in via] == [listed.id]


async def test_deleting_a_sound_takes_it_out_of_playlists(database: Database) -> None:
    bell, gong = await add_sounds(database, "bell", "gong")
    async with database() as session, session.begin():
        playlists = PlaylistRepository(session)
        evening = await playlists.add(
            Playlist(guild_id=GUILD, name="evening", name_key="evening", owner_id=1, created_at=NOW)
        )
        for sound_id in (bell.id, gong.id, bell.id):
            await playlists.append(evening.id, sound_id)

    async with database() as session, session.begin():
        repo = SoundRepository(session)
        await repo.delete(await repo.get(GUILD, bell.id))

    async with database() as session:
        playlists = PlaylistRepository(session)
        items = await playlists.items(evening.id)
        counts = await playlists.item_counts([evening.id])
    assert [s.name for _, s in items] == ["gong"]
    assert counts == {evening.id: 1}
