"""Importing soundboard sounds into the library and the soundboard's export limits, against real
SQLite and PostgreSQL and real transcoding."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.audio.tones import tone
from bot.clock import FakeClock
from bot.config import Config, SoundsConfig
from bot.db import Database
from bot.errors import InvalidInput
from bot.services.soundboard import (
    MAX_SOUNDBOARD_BYTES,
    ImportOutcome,
    SoundboardService,
    SoundboardSource,
    export_refusal,
)
from bot.services.sounds import SoundService

GUILD, ADMIN = 1001, 11
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sounds(database: Database, tmp_path: Path) -> SoundService:
    config = Config(sounds=SoundsConfig(directory=str(tmp_path / "sounds")))
    return SoundService(database, config, FakeClock(NOW))


@pytest.fixture
def soundboard(database: Database, sounds: SoundService) -> SoundboardService:
    return SoundboardService(database, sounds, FakeClock(NOW))


def _source(sound_id: int, name: str, data: bytes, emoji: str | None = None) -> SoundboardSource:
    async def read() -> bytes:
        return data

    return SoundboardSource(sound_id, name, emoji, read)


async def test_clashing_names_get_the_next_free_suffix(
    sounds: SoundService, soundboard: SoundboardService
) -> None:
    data = tone(440, 0.3, "mp3")
    await sounds.upload(GUILD, ADMIN, "Bell", tone(440, 0.3))
    await sounds.upload(GUILD, ADMIN, "bell (2)", tone(440, 0.3))

    results = await soundboard.import_all(
        GUILD, ADMIN, [_source(1, "bell", data, "🔔"), _source(2, "BELL", data)]
    )

    assert [(r.outcome, r.sound and r.sound.name) for r in results] == [
        (ImportOutcome.IMPORTED, "bell (3)"),
        (ImportOutcome.IMPORTED, "BELL (4)"),
    ]
    assert results[0].sound is not None
    assert results[0].sound.soundboard_emoji == "🔔"


async def test_the_same_soundboard_sound_imported_at_once_twice_is_in_the_library_once(
    soundboard: SoundboardService, sounds: SoundService
) -> None:
    data = tone(440, 0.3, "mp3")

    results = await asyncio.gather(
        soundboard.import_sound(GUILD, ADMIN, _source(7, "gong", data)),
        soundboard.import_sound(GUILD, ADMIN, _source(7, "gong", data)),
        return_exceptions=True,
    )

    assert await sounds.count(GUILD) == 1
    assert sum(not isinstance(r, BaseException) for r in results) >= 1
    assert len(list((sounds.store.directory / str(GUILD)).glob("*.ogg"))) == 1


async def test_an_unchanged_reimport_is_a_no_op_and_an_emoji_change_is_kept(
    soundboard: SoundboardService, sounds: SoundService
) -> None:
    data = tone(440, 0.3, "mp3")
    first = await soundboard.import_sound(GUILD, ADMIN, _source(3, "gong", data, "🔔"))

    again = await soundboard.import_sound(GUILD, ADMIN, _source(3, "gong", data, "🥁"))

    assert again.outcome is ImportOutcome.UNCHANGED
    assert first.sound is not None
    assert again.sound is not None
    assert again.sound.file_name == first.sound.file_name
    assert (await sounds.get(GUILD, first.sound.id)).soundboard_emoji == "🥁"


async def test_a_deleted_soundboard_sound_unlinks_its_library_copy(
    soundboard: SoundboardService, sounds: SoundService
) -> None:
    imported = await soundboard.import_sound(GUILD, ADMIN, _source(5, "gong", tone(440, 0.3)))
    assert imported.sound is not None

    kept = await soundboard.soundboard_sound_deleted(GUILD, 5)

    assert kept is not None
    assert kept.tasks_by_channel == {}
    assert await soundboard.soundboard_sound_deleted(GUILD, 5) is None
    sound = await sounds.get(GUILD, imported.sound.id)
    assert sound.soundboard_sound_id is None
    assert (await sounds.playable(GUILD, sound.id)).path.exists()


async def test_an_import_over_the_upload_limits_is_refused_like_an_upload(
    soundboard: SoundboardService, sounds: SoundService
) -> None:
    with pytest.raises(InvalidInput, match="the limit is 30 s"):
        await soundboard.import_sound(GUILD, ADMIN, _source(9, "long", tone(440, 31, "mp3")))
    assert await sounds.count(GUILD) == 0


@pytest.mark.parametrize(
    ("name", "seconds", "size", "refused"),
    [
        ("ok", 5.2, MAX_SOUNDBOARD_BYTES, None),
        ("a" * 32, 1.0, 1000, None),
        ("a", 1.0, 1000, "2–32 characters"),
        ("a" * 33, 1.0, 1000, "2–32 characters"),
        ("long", 5.22, 1000, "at most 5.2 s"),
        ("big", 5.0, MAX_SOUNDBOARD_BYTES + 1, "the limit is 512 KB"),
    ],
)
def test_export_refusals_name_each_soundboard_limit(
    name: str, seconds: float, size: int, refused: str | None
) -> None:
    refusal = export_refusal(name, seconds, size)
    if refused is None:
        assert refusal is None
    else:
        assert refusal is not None
        assert refused in refusal
