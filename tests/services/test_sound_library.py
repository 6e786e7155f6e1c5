"""The sound library against a real SQLite database and real transcoding."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.audio.tones import tone
from bot.clock import FakeClock
from bot.config import Config, CreditsConfig, SoundsConfig
from bot.db import Database
from bot.errors import InvalidInput, NotFound, NotPermitted
from bot.models import GuildSettings, ScheduledTask, TaskStatus, TaskType
from bot.services.playlists import PlaylistService
from bot.services.sounds import SoundService

GUILD, OTHER_GUILD = 1001, 2002
ALICE, BOB = 11, 22
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def sounds(database: Database, tmp_path: Path) -> SoundService:
    config = Config(
        sounds=SoundsConfig(directory=str(tmp_path / "sounds"), max_duration_seconds=5),
        credits=CreditsConfig(default_cost=3),
    )
    return SoundService(database, config, FakeClock(NOW))


@pytest.fixture
def playlists(database: Database, sounds: SoundService) -> PlaylistService:
    return PlaylistService(database, sounds, FakeClock(NOW))


async def _task(sessions: Database, task_type: TaskType, **parameters: int) -> int:
    task = ScheduledTask(
        name="evening bell",
        task_type=task_type,
        status=TaskStatus.PENDING,
        scheduled_at=NOW,
        next_run_at=NOW,
        occurrence_at=NOW,
        parameters=parameters,
        user_id=BOB,
        guild_id=GUILD,
        created_at=NOW,
        updated_at=NOW,
    )
    async with sessions() as session, session.begin():
        session.add(task)
    return task.id


async def test_upload_stores_a_transcoded_file_under_a_generated_name(
    sounds: SoundService, tmp_path: Path
) -> None:
    sound = await sounds.upload(GUILD, ALICE, "  Big   Bell ", tone(440, 1.5, "mp3"))

    assert sound.name == "Big Bell"
    assert sound.name_key == "big bell"
    assert sound.duration_seconds == pytest.approx(1.5, abs=0.01)
    assert sound.uploader_id == ALICE
    assert sound.guild_id == GUILD
    path = sounds.store.path(sound.file_name)
    assert path.parent == tmp_path / "sounds" / str(GUILD)
    assert path.suffix == ".ogg"
    assert "bell" not in path.name.lower()
    assert path.read_bytes()[:4] == b"OggS"
    assert sound.size_bytes == path.stat().st_size
    assert [s.name for s in await sounds.list(GUILD)] == ["Big Bell"]


async def test_names_are_unique_per_server_whatever_the_case(sounds: SoundService) -> None:
    await sounds.upload(GUILD, ALICE, "Gong", tone(440, 0.5))

    with pytest.raises(InvalidInput, match="already has a sound named 'GONG'"):
        await sounds.upload(GUILD, BOB, "GONG", tone(440, 0.5))
    other = await sounds.upload(OTHER_GUILD, BOB, "gong", tone(440, 0.5))

    assert other.guild_id == OTHER_GUILD
    assert await sounds.count(GUILD) == 1


async def test_refused_upload_leaves_no_file_and_no_row(
    sounds: SoundService, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="not audio"):
        await sounds.upload(GUILD, ALICE, "fake", b"just text\n" * 100)
    with pytest.raises(InvalidInput, match="limit is 5 s"):
        await sounds.upload(GUILD, ALICE, "long", tone(440, 6.0, "mp3", sample_rate=8000))

    assert await sounds.count(GUILD) == 0
    assert not list((tmp_path / "sounds").rglob("*.ogg"))


@pytest.mark.parametrize(
    ("name", "message"), [("   ", "Give the sound a name"), ("x" * 65, "at most 64")]
)
async def test_bad_names_are_refused(sounds: SoundService, name: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        await sounds.upload(GUILD, ALICE, name, tone(440, 0.5))


async def test_autocomplete_matches_prefix_first_then_substring(sounds: SoundService) -> None:
    for name in ["Airhorn", "Bell", "Doorbell", "bell tower", "Cowbell 100%", "Gong"]:
        await sounds.upload(GUILD, ALICE, name, tone(440, 0.3))
    await sounds.upload(OTHER_GUILD, ALICE, "Bellows", tone(440, 0.3))

    assert [s.name for s in await sounds.autocomplete(GUILD, "BEL")] == [
        "Bell",
        "bell tower",
        "Cowbell 100%",
        "Doorbell",
    ]
    assert [s.name for s in await sounds.autocomplete(GUILD, "100%")] == ["Cowbell 100%"]
    assert [s.name for s in await sounds.autocomplete(GUILD, "_")] == []
    assert len(await sounds.autocomplete(GUILD, "", limit=4)) == 4


async def test_find_by_name_or_id(sounds: SoundService) -> None:
    sound = await sounds.upload(GUILD, ALICE, "Chime", tone(440, 0.3))

    assert (await sounds.find(GUILD, "chime")).id == sound.id
    assert (await sounds.find(GUILD, str(sound.id))).id == sound.id
    with pytest.raises(NotFound, match="no sound named 'nope'"):
        await sounds.find(GUILD, "nope")
    with pytest.raises(NotFound):
        await sounds.find(OTHER_GUILD, "chime")


async def test_rename_by_uploader_or_admin_only(sounds: SoundService) -> None:
    chime = await sounds.upload(GUILD, ALICE, "Chime", tone(440, 0.3))
    await sounds.upload(GUILD, ALICE, "Gong", tone(440, 0.3))

    with pytest.raises(NotPermitted, match="uploaded 'Chime' or an admin"):
        await sounds.rename(GUILD, chime.id, "Ding", actor_id=BOB, is_admin=False)
    with pytest.raises(InvalidInput, match="already has a sound named 'gong'"):
        await sounds.rename(GUILD, chime.id, "gong", actor_id=ALICE, is_admin=False)
    renamed = await sounds.rename(GUILD, chime.id, "CHIME", actor_id=ALICE, is_admin=False)
    assert renamed.name == "CHIME"
    renamed = await sounds.rename(GUILD, chime.id, "Ding", actor_id=BOB, is_admin=True)

    assert (await sounds.find(GUILD, "ding")).name == "Ding"


async def test_delete_asks_for_confirmation_when_tasks_use_the_sound(
    sounds: SoundService,
    playlists: PlaylistService,
    database: Database,
) -> None:
    bell = await sounds.upload(GUILD, ALICE, "Bell", tone(440, 0.3))
    gong = await sounds.upload(GUILD, ALICE, "Gong", tone(440, 0.3))
    evening = await playlists.create(GUILD, ALICE, "Evening")
    await playlists.add(GUILD, evening.id, gong.id, actor_id=ALICE, is_admin=False)
    direct = await _task(database, TaskType.PLAY_SOUND, sound_id=bell.id)
    via_playlist = await _task(database, TaskType.PLAY_PLAYLIST, playlist_id=evening.id)

    with pytest.raises(NotPermitted):
        await sounds.delete(GUILD, bell.id, actor_id=BOB, is_admin=False)
    first = await sounds.delete(GUILD, bell.id, actor_id=ALICE, is_admin=False)
    assert first.needs_confirmation
    assert [(t.task_id, t.user_id) for t in first.tasks] == [(direct, BOB)]
    assert (await sounds.get(GUILD, bell.id)).id == bell.id

    confirmed = await sounds.delete(GUILD, bell.id, actor_id=ALICE, is_admin=False, confirmed=True)
    assert confirmed.deleted
    with pytest.raises(NotFound):
        await sounds.get(GUILD, bell.id)
    assert not sounds.store.path(bell.file_name).exists()

    gong_deletion = await sounds.delete(GUILD, gong.id, actor_id=BOB, is_admin=True)
    assert [t.task_id for t in gong_deletion.tasks] == [via_playlist]
    await sounds.delete(GUILD, gong.id, actor_id=BOB, is_admin=True, confirmed=True)
    assert (await playlists.show(GUILD, evening.id)).sounds == []


async def test_unused_sound_is_deleted_at_once(sounds: SoundService) -> None:
    sound = await sounds.upload(GUILD, ALICE, "Bell", tone(440, 0.3))

    deletion = await sounds.delete(GUILD, sound.id, actor_id=ALICE, is_admin=False)

    assert deletion.deleted
    assert not deletion.needs_confirmation
    assert await sounds.count(GUILD) == 0


async def test_playable_uses_the_sound_cost_or_the_server_default(
    sounds: SoundService, database: Database
) -> None:
    priced = await sounds.upload(GUILD, ALICE, "Priced", tone(440, 0.3), cost=7)
    default = await sounds.upload(GUILD, ALICE, "Default", tone(440, 0.3))

    assert (await sounds.playable(GUILD, priced.id)).cost == 7
    assert (await sounds.playable(GUILD, default.id)).cost == 3
    async with database() as session, session.begin():
        session.add(GuildSettings(guild_id=GUILD, default_sound_cost=5, updated_at=NOW))
    playable = await sounds.playable(GUILD, default.id)
    assert playable.cost == 5
    assert playable.path.exists()
    with pytest.raises(NotFound, match="deleted"):
        await sounds.playable(OTHER_GUILD, default.id)


def test_attachment_size_is_checked_before_download(sounds: SoundService) -> None:
    sounds.check_upload_size(sounds.limits.max_bytes)
    with pytest.raises(InvalidInput, match=r"9\.0 MB; the limit is 8\.0 MB"):
        sounds.check_upload_size(9 * 1024 * 1024)
