"""``/sound import`` and ``/sound export``: the server's soundboard and the library, through the
emulator; scheduling a soundboard sound says how it will play."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from bot.config import Config
from bot.emulator import Overwrite, Permission, Reply
from bot.emulator.soundboard import SoundboardSound
from bot.models.sound import Sound
from tests.cogs.conftest import App
from tests.support.app import move_clock, number, schedule, wait_for_runs
from tests.support.library import MY_COGS, stored, tone_file, upload

REPLY_TIMEOUT = 15.0


@pytest.fixture
def extensions() -> tuple[str, ...]:
    return (*MY_COGS, "cogs.schedule")


@pytest.fixture
def app_config(app_config: Config) -> Config:
    """Uploads up to 10 s and 4 MB: a sound too long for the soundboard fits in the library."""
    sounds = dataclasses.replace(app_config.sounds, max_duration_seconds=10.0, max_upload_mb=4.0)
    return dataclasses.replace(app_config, sounds=sounds)


def _on_board(app: App, name: str, seconds: float = 0.5, **options: object) -> SoundboardSound:
    data = tone_file(440, seconds, "mp3")
    return app.emulator.soundboard.add(app.world.guild, name, data, **options)  # type: ignore[arg-type]


async def _cached(app: App, *sounds: SoundboardSound) -> None:
    guild = app.bot.get_guild(app.world.guild.id)
    assert guild is not None
    await app.emulator.wait_for(
        lambda: all(guild.get_soundboard_sound(s.id) is not None for s in sounds),
        what="the soundboard sounds in the bot's cache",
    )


async def _library(app: App) -> list[Sound]:
    return list(await app.services.sounds.list(app.world.guild.id))


async def _import(app: App, sound: str | None = None) -> Reply:
    options = {"sound": sound} if sound is not None else {}
    reply = await app.world.admin.slash("sound import", **options)
    return await reply.wait_until_ready(timeout=REPLY_TIMEOUT)


async def _grant_bot(app: App, permissions: int) -> None:
    role = app.emulator.add_role(app.world.guild, "Carillon bot", permissions=permissions)
    await app.emulator.set_roles(app.emulator.bot_member(app.world.guild), [role])
    guild = app.bot.get_guild(app.world.guild.id)
    assert guild is not None
    await app.emulator.wait_for(lambda: guild.me.guild_permissions.value & permissions)


async def test_import_one_sound_picked_from_the_soundboard(app: App) -> None:
    horn = _on_board(app, "airhorn", 1.0, emoji_name="📯")
    gong = _on_board(app, "gong")
    await _cached(app, horn, gong)

    choices = await app.world.admin.autocomplete("sound import", focused="sound", sound="air")
    assert [c.name for c in choices] == ["📯 airhorn"]
    reply = await _import(app, choices[0].value)

    assert reply.ephemeral
    assert "✅ Imported 📯 **airhorn**." in reply.text
    [sound] = await _library(app)
    assert sound.name == "airhorn"
    assert sound.soundboard_sound_id == horn.id
    assert sound.soundboard_emoji == "📯"
    assert sound.uploader_id == app.world.admin.id
    assert sound.duration_seconds == pytest.approx(1.0, abs=0.06)
    path = app.services.sounds.store.path(sound.file_name)
    assert path.suffix == ".ogg"
    assert path.read_bytes().startswith(b"OggS")
    assert app.emulator.soundboard.downloads == [horn.id]
    marked = await app.world.admin.autocomplete("sound import", focused="sound")
    assert [c.name for c in marked] == [
        "All 2 soundboard sounds",
        "📯 airhorn · in the library",
        "gong",
    ]
    library = await app.world.alice.autocomplete("schedule sound", focused="sound")
    assert [c.name for c in library] == ["airhorn (1.0 s) · soundboard 📯"]


async def test_import_all_suffixes_clashing_names_and_a_second_import_changes_nothing(
    app: App,
) -> None:
    await upload(app, app.world.alice, "bell")
    bell, gong = _on_board(app, "bell"), _on_board(app, "gong")
    await _cached(app, bell, gong)

    first = await _import(app)

    assert "✅ Imported **bell** as **bell (2)** (the name was taken)." in first.text
    assert "✅ Imported **gong**." in first.text
    assert {s.name: s.soundboard_sound_id for s in await _library(app)} == {
        "bell": None,
        "bell (2)": bell.id,
        "gong": gong.id,
    }
    files = sorted(p.name for p in app.services.sounds.store.directory.rglob("*.ogg"))

    again = await _import(app, "*")

    assert "↩️ **bell (2)** is in the library already, unchanged." in again.text
    assert "↩️ **gong** is in the library already, unchanged." in again.text
    assert len(await _library(app)) == 3
    assert sorted(p.name for p in app.services.sounds.store.directory.rglob("*.ogg")) == files


async def test_a_soundboard_file_changed_on_the_server_is_updated_in_place(app: App) -> None:
    chime = _on_board(app, "chime", 0.5)
    await _cached(app, chime)
    await _import(app, str(chime.id))
    before = await stored(app, "chime")

    chime.data = tone_file(660, 1.5, "mp3")
    reply = await _import(app, "chime")

    assert "🔄 Updated **chime**: its soundboard file changed." in reply.text
    after = await stored(app, "chime")
    assert after.id == before.id
    assert after.duration_seconds == pytest.approx(1.5, abs=0.06)
    assert not app.services.sounds.store.path(before.file_name).exists()


async def test_import_needs_create_expressions_and_says_so(app: App) -> None:
    _on_board(app, "gong")

    refused = await app.world.alice.slash("sound import")

    assert refused.ephemeral
    assert "Create Expressions" in refused.content
    assert await _library(app) == []
    role = app.emulator.add_role(
        app.world.guild, "Expressions", permissions=int(Permission.CREATE_EXPRESSIONS)
    )
    await app.emulator.set_roles(app.world.alice.member, [role])
    allowed = await app.world.alice.slash("sound import")
    await allowed.wait_until_ready(timeout=REPLY_TIMEOUT)
    assert "✅ Imported **gong**." in allowed.text


async def test_a_soundboard_file_that_is_not_audio_is_reported_and_the_rest_imported(
    app: App,
) -> None:
    app.emulator.soundboard.add(app.world.guild, "broken", b"ID3" + b"\x00" * 4000)
    _on_board(app, "fine")

    reply = await _import(app)

    assert "⚠️ **broken** was not imported: That file is not audio" in reply.text
    assert "✅ Imported **fine**." in reply.text
    assert [s.name for s in await _library(app)] == ["fine"]


async def test_an_unknown_soundboard_name_is_refused(app: App) -> None:
    _on_board(app, "gong")

    reply = await _import(app, "kazoo")

    assert reply.content.startswith("❌ The soundboard has no sound named 'kazoo'.")


async def test_export_puts_a_library_sound_on_the_soundboard(app: App) -> None:
    await _grant_bot(app, int(Permission.CREATE_EXPRESSIONS))
    await upload(app, app.world.alice, "chime", seconds=2.0)

    await upload(app, app.world.alice, "a long one", seconds=6.0)
    choices = await app.world.admin.autocomplete("sound export", focused="sound")
    assert [c.value for c in choices] == ["chime"]  # only what fits on the soundboard
    reply = await app.world.admin.slash("sound export", sound="chime", emoji="🔔")
    await reply.wait_until_ready(timeout=REPLY_TIMEOUT)

    assert "📤 🔔 **chime** is on the server's soundboard now" in reply.text
    [board] = app.world.guild.soundboard.values()
    assert (board.name, board.emoji_name) == ("chime", "🔔")
    assert board.data.startswith(b"ID3")
    sound = await stored(app, "chime")
    assert sound.soundboard_sound_id == board.id
    again = await app.world.admin.slash("sound export", sound="chime")
    assert "is on the soundboard already" in again.content


@pytest.mark.parametrize(
    ("name", "seconds", "refusal"),
    [
        ("x", 1.0, "Soundboard names are 2–32 characters and 'x' has 1."),
        ("a" * 33, 1.0, "Soundboard names are 2–32 characters"),
        ("long one", 6.0, "is 6.00 s long; soundboard sounds are at most 5.2 s."),
    ],
)
async def test_export_refuses_each_limit_clearly(
    app: App, name: str, seconds: float, refusal: str
) -> None:
    await _grant_bot(app, int(Permission.CREATE_EXPRESSIONS))
    assert "Sound uploaded" in (await upload(app, app.world.alice, name, seconds=seconds)).text

    reply = await app.world.admin.slash("sound export", sound=name)
    await reply.wait_until_ready(timeout=REPLY_TIMEOUT)

    assert reply.ephemeral
    assert refusal in reply.content
    assert app.world.guild.soundboard == {}


async def test_export_just_within_the_duration_limit(app: App) -> None:
    await _grant_bot(app, int(Permission.CREATE_EXPRESSIONS))
    await upload(app, app.world.alice, "edge", seconds=5.2)

    reply = await app.world.admin.slash("sound export", sound="edge")
    await reply.wait_until_ready(timeout=REPLY_TIMEOUT)

    assert "is on the server's soundboard now" in reply.text
    assert [s.name for s in app.world.guild.soundboard.values()] == ["edge"]


async def test_export_refuses_what_is_not_an_emoji_and_a_bot_without_the_permission(
    app: App,
) -> None:
    await upload(app, app.world.alice, "chime")

    no_permission = await app.world.admin.slash("sound export", sound="chime")
    assert "I lack the Create Expressions permission" in no_permission.content
    await _grant_bot(app, int(Permission.CREATE_EXPRESSIONS))
    not_emoji = await app.world.admin.slash("sound export", sound="chime", emoji="bell")
    assert "'bell' is not an emoji" in not_emoji.content
    member = await app.world.alice.slash("sound export", sound="chime")
    assert "Create Expressions" in member.content
    assert app.world.guild.soundboard == {}


async def test_a_sound_deleted_from_the_soundboard_stays_in_the_library(app: App) -> None:
    gong = _on_board(app, "gong")
    await _cached(app, gong)
    await _import(app)
    task_id = await schedule(app, app.world.alice, "every day at 9am", sound="gong")

    await app.emulator.soundboard.delete(gong)

    notice = await app.emulator.wait_for_message(
        app.world.general, lambda m: "removed from the server's soundboard" in m.content
    )
    assert "Nothing breaks" in notice.content
    assert (
        f"#{await number(app, task_id)} **gong** keep playing it from the library copy"
        in notice.content
    )

    for _ in range(200):
        if (await stored(app, "gong")).soundboard_sound_id is None:
            break
        await asyncio.sleep(0.02)
    assert (await stored(app, "gong")).soundboard_sound_id is None
    info = await app.world.alice.slash("sound info", sound="gong")
    assert "gong" in info.text
    assert "Soundboard" not in info.text


async def test_scheduling_a_soundboard_sound_says_how_it_will_play(app: App) -> None:
    gong = _on_board(app, "gong")
    await _cached(app, gong)
    await _import(app)

    native = await app.world.alice.slash(
        "schedule sound", sound="gong", when="in 2 hours", options={"channel": app.world.lounge}
    )
    assert "🔊 It will play natively, through the server's soundboard." in native.content
    bot = app.emulator.bot_member(app.world.guild)
    app.world.lounge.overwrites.append(
        Overwrite.for_member(bot, deny=int(Permission.USE_SOUNDBOARD))
    )
    await app.emulator.update_channel(app.world.lounge)
    guild = app.bot.get_guild(app.world.guild.id)
    assert guild is not None
    await app.emulator.wait_for(
        lambda: not guild.get_channel(app.world.lounge.id).permissions_for(guild.me).use_soundboard
    )
    streamed = await app.world.alice.slash(
        "schedule sound", sound="gong", when="in 3 hours", options={"channel": app.world.lounge}
    )
    assert "will be streamed instead of played natively" in streamed.content
    assert "Use Soundboard" in streamed.content
    asked = await app.world.alice.slash(
        "schedule sound",
        sound="gong",
        when="in 4 hours",
        options={"channel": app.world.lounge, "native": False},
    )
    assert "streamed, as asked" in asked.content


async def test_a_sound_renamed_on_the_soundboard_keeps_its_library_name(app: App) -> None:
    gong = _on_board(app, "gong")
    await _cached(app, gong)
    await _import(app)

    await app.emulator.soundboard.rename(gong, "big gong")
    guild = app.bot.get_guild(app.world.guild.id)
    assert guild is not None
    await app.emulator.wait_for(
        lambda: getattr(guild.get_soundboard_sound(gong.id), "name", None) == "big gong"
    )

    sound = await stored(app, "gong")
    assert sound.soundboard_sound_id == gong.id
    choices = await app.world.admin.autocomplete("sound import", focused="sound", sound="big")
    assert [c.name for c in choices] == ["big gong · in the library"]
    again = await _import(app, "big gong")
    assert "↩️ **gong** is in the library already, unchanged." in again.text


async def test_schedule_info_shows_how_each_run_played(app: App) -> None:
    gong = _on_board(app, "gong")
    await _cached(app, gong)
    await _import(app)
    await app.world.alice.join_voice(app.world.lounge)
    native_id = await schedule(app, app.world.alice, "in 1 minute", sound="gong")

    move_clock(app, app.clock.now() + timedelta(minutes=1))
    await wait_for_runs(app, native_id, 1)

    info = await app.world.alice.slash("schedule info", task=await number(app, native_id))
    assert "🔊 played natively" in info.text
    assert [s.sound_id for s in app.emulator.soundboard.sent] == [gong.id]
