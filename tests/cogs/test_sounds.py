"""``/sound``: members upload, browse, play, rename and delete sounds through the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.emulator import Overwrite, Permission
from bot.models.scheduled_task import TaskType
from tests.cogs.conftest import App
from tests.support.app import number, running_bot
from tests.support.capture import tones
from tests.support.library import MY_COGS, stored, tone_file, upload
from tests.support.library import extensions as extensions

FRAME = 0.02


@pytest.mark.parametrize("kind", ["wav", "mp3", "ogg"])
async def test_upload_stores_a_transcoded_sound(app: App, kind: str) -> None:
    reply = await upload(app, app.world.alice, f"bell {kind}", seconds=1.0, kind=kind)

    assert reply.deferred
    assert reply.ephemeral
    assert "Sound uploaded" in reply.text
    assert f"bell {kind}" in reply.text
    assert "1 credit (server default)" in reply.text
    sound = await stored(app, f"bell {kind}")
    assert sound.uploader_id == app.world.alice.id
    assert sound.duration_seconds == pytest.approx(1.0, abs=0.05)
    path = app.services.sounds.store.path(sound.file_name)
    assert path.exists()
    assert path.suffix == ".ogg"
    assert "bell" not in path.name


async def test_upload_names_the_sound_after_the_file_and_keeps_its_cost(app: App) -> None:
    file = app.emulator.attachment("Door Chime.wav", tone_file(440, 0.3), "audio/wav")

    reply = await app.world.alice.slash("sound upload", file=file, cost=3)
    await reply.wait_until_ready(timeout=15)

    assert "3 credits" in reply.text
    assert (await stored(app, "door chime")).cost == 3


async def test_a_text_file_named_mp3_is_refused(app: App) -> None:
    file = app.emulator.attachment("song.mp3", b"definitely not audio\n" * 200, "audio/mpeg")

    reply = await app.world.alice.slash("sound upload", file=file, name="song")
    await reply.wait_until_ready(timeout=15)

    assert reply.ephemeral
    assert reply.content.startswith("❌ That file is not audio that can be decoded.")
    assert "Upload an MP3, WAV, Ogg" in reply.content
    assert await app.services.sounds.count(app.world.guild.id) == 0


async def test_an_oversized_file_is_refused_at_once(app: App) -> None:
    file = app.emulator.attachment("huge.wav", b"\0" * (1024 * 1024 + 1), "audio/wav")

    reply = await app.world.alice.slash("sound upload", file=file)

    assert reply.ephemeral
    assert not reply.deferred
    assert reply.content.startswith(
        "❌ huge.wav is 1.0 MB (1,048,577 bytes); the limit is 1.0 MB (1,048,576 bytes). "
    )
    assert "more compressed" in reply.content


async def test_an_over_long_sound_is_refused(app: App) -> None:
    reply = await upload(app, app.world.alice, "long", seconds=6.0, kind="mp3")

    assert reply.ephemeral
    assert "The sound is 6.0 s long; the limit is 5 s. Trim it" in reply.content
    assert await app.services.sounds.count(app.world.guild.id) == 0


async def test_a_taken_name_is_refused(app: App) -> None:
    await upload(app, app.world.alice, "bell")

    reply = await upload(app, app.world.bob, "BELL")

    assert "already has a sound named 'BELL'" in reply.content
    assert reply.ephemeral


async def test_play_sends_every_frame_of_the_tone_and_charges_the_member(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell", frequency=440, seconds=1.0)
    await world.bob.join_voice(world.lounge)

    reply = await world.bob.slash("sound play", sound="bell")
    await reply.wait_until_ready(timeout=10)
    audio = await app.emulator.wait_for_audio(world.guild, frames=45)

    sound = await stored(app, "bell")
    assert reply.ephemeral
    assert reply.content == f"▶️ Playing **bell** in <#{world.lounge.id}> (1 credit)."
    assert audio.frames == pytest.approx(sound.duration_seconds / FRAME, rel=0.02)
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)
    assert app.emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert await app.services.credits.balance(world.guild.id, world.bob.id) == 19


async def test_play_in_a_chosen_channel(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "chime", frequency=660, seconds=0.5)

    reply = await world.alice.slash("sound play", sound="chime", options={"channel": world.tiny})
    await reply.wait_until_ready(timeout=10)
    audio = await app.emulator.wait_for_audio(world.guild, frames=20)

    assert f"in <#{world.tiny.id}>" in reply.content
    assert audio.dominant_frequency() == pytest.approx(660, abs=5)


async def test_play_needs_a_voice_channel(app: App) -> None:
    await upload(app, app.world.alice, "bell")

    reply = await app.world.alice.slash("sound play", sound="bell")

    assert reply.ephemeral
    assert "Join a voice channel first, or pick one with the `channel` option." in reply.content


async def test_play_refused_where_the_bot_cannot_connect(app: App) -> None:
    world = app.world
    emulator = app.emulator
    quiet = emulator.add_voice_channel(
        world.guild,
        "Quiet",
        overwrites=[
            Overwrite.for_member(emulator.bot_member(world.guild), deny=int(Permission.CONNECT))
        ],
    )
    await emulator.wait_for(lambda: app.bot.get_channel(quiet.id) is not None)
    await upload(app, world.alice, "bell")

    reply = await world.alice.slash("sound play", sound="bell", options={"channel": quiet})

    assert reply.ephemeral
    assert "lacks the Connect permission in #Quiet" in reply.content


async def test_play_refused_where_the_member_cannot_connect(app: App) -> None:
    world = app.world
    emulator = app.emulator
    staff = emulator.add_voice_channel(
        world.guild,
        "Staff",
        overwrites=[
            Overwrite.for_role(world.guild.everyone, deny=int(Permission.CONNECT)),
            Overwrite.for_member(emulator.bot_member(world.guild), allow=int(Permission.CONNECT)),
        ],
    )
    await emulator.wait_for(lambda: app.bot.get_channel(staff.id) is not None)
    await upload(app, world.alice, "bell")

    reply = await world.alice.slash("sound play", sound="bell", options={"channel": staff})

    assert reply.ephemeral
    assert f"You cannot join <#{staff.id}>, so you cannot play sounds there." in reply.content
    assert emulator.voice_audio(world.guild).frames == 0


async def test_play_without_enough_credits_plays_nothing(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "gold", cost=50)
    await world.alice.join_voice(world.lounge)

    reply = await world.alice.slash("sound play", sound="gold")

    assert reply.ephemeral
    assert "costs 50 credits and you have 20 credits" in reply.content
    assert app.emulator.voice_audio(world.guild).frames == 0
    assert await app.services.credits.balance(world.guild.id, world.alice.id) == 20


async def test_play_of_an_unknown_sound_says_where_to_look(app: App) -> None:
    reply = await app.world.alice.slash(
        "sound play", sound="nope", options={"channel": app.world.lounge}
    )

    assert "There is no sound named 'nope'. See `/sound list`." in reply.content


async def test_autocomplete_puts_prefixes_before_substrings(app: App) -> None:
    for name in ("doorbell", "bell", "big ben", "gong"):
        await upload(app, app.world.alice, name, seconds=0.2)

    choices = await app.world.bob.autocomplete("sound play", focused="sound", sound="b")
    bell = await app.world.bob.autocomplete("sound delete", focused="sound", sound="BELL")

    assert [c.value for c in choices] == ["bell", "big ben", "doorbell"]
    assert choices[0].name == "bell (0.2 s)"
    assert [c.value for c in bell] == ["bell", "doorbell"]


async def test_info_and_list(app: App) -> None:
    await upload(app, app.world.alice, "bell", seconds=0.5, cost=2)
    await upload(app, app.world.bob, "gong", seconds=0.3)

    info = await app.world.bob.slash("sound info", sound="bell")
    listing = await app.world.bob.slash("sound list")

    assert info.ephemeral
    assert "0.5 s" in info.text
    assert "2 credits" in info.text
    assert f"<@{app.world.alice.id}>" in info.text
    assert listing.embeds[0]["description"].splitlines() == [
        "**bell** · 0.5 s · 2 credits",
        "**gong** · 0.3 s · 1 credit (server default)",
    ]


async def test_list_narrowed_by_name(app: App) -> None:
    for name in ("bell", "doorbell", "gong"):
        await upload(app, app.world.alice, name, seconds=0.2)

    bells = await app.world.bob.slash("sound list", sound="bell")
    none = await app.world.bob.slash("sound list", sound="harp")

    assert [line.split("**")[1] for line in bells.embeds[0]["description"].splitlines()] == [
        "bell",
        "doorbell",
    ]
    assert none.embeds[0]["description"] == "No sound name contains “harp”. See `/sound list`."


async def test_names_are_escaped(app: App) -> None:
    await upload(app, app.world.alice, "**loud** @everyone")

    info = await app.world.alice.slash("sound info", sound="**loud** @everyone")

    assert info.embeds[0]["title"] == "🔔 \\*\\*loud\\*\\* @\u200beveryone"


async def test_rename_by_the_uploader_and_an_admin_but_not_another_member(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell")

    refused = await world.bob.slash("sound rename", sound="bell", name="mine")
    renamed = await world.alice.slash("sound rename", sound="bell", name="chime")
    by_admin = await world.admin.slash("sound rename", sound="chime", name="church bell")

    assert refused.ephemeral
    assert "Only the member who uploaded 'bell' or an admin can." in refused.content
    assert renamed.content == "✏️ Renamed **bell** to **chime**."
    assert by_admin.content == "✏️ Renamed **chime** to **church bell**."
    assert (await stored(app, "church bell")).uploader_id == world.alice.id


async def test_delete_by_the_uploader_removes_the_file(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell")
    path = app.services.sounds.store.path((await stored(app, "bell")).file_name)

    refused = await world.bob.slash("sound delete", sound="bell")
    deleted = await world.alice.slash("sound delete", sound="bell")

    assert "Only the member who uploaded 'bell' or an admin can." in refused.content
    assert deleted.content == "🗑️ Deleted the sound **bell**."
    assert deleted.ephemeral
    assert not path.exists()
    assert await app.services.sounds.count(world.guild.id) == 0


async def test_admin_deletes_any_sound(app: App) -> None:
    await upload(app, app.world.alice, "bell")

    deleted = await app.world.admin.slash("sound delete", sound="bell")

    assert deleted.content == "🗑️ Deleted the sound **bell**."


async def _task_using(app: App, sound_name: str, owner_id: int, name: str) -> int:
    sound = await stored(app, sound_name)
    task = await app.services.scheduler.create_task(
        name,
        TaskType.PLAY_SOUND,
        app.clock.now() + timedelta(days=1),
        parameters={"sound_id": sound.id, "channel_id": app.world.lounge.id},
        user_id=owner_id,
        guild_id=app.world.guild.id,
    )
    return task.id


async def test_delete_of_a_sound_that_tasks_use_asks_first_and_tells_their_owners(
    app: App,
) -> None:
    world = app.world
    await upload(app, world.alice, "bell")
    sound = await stored(app, "bell")
    task_id = await _task_using(app, "bell", world.bob.id, "morning bell")

    asked = await world.alice.slash("sound delete", sound="bell")
    assert asked.ephemeral
    assert asked.custom_ids == [f"carillon:delsound:{sound.id}", f"carillon:keepsound:{sound.id}"]
    assert "1 scheduled task uses it" in asked.text
    assert f"#{await number(app, task_id)} morning bell" in asked.text

    kept = await world.alice.click(asked, f"carillon:keepsound:{sound.id}")
    asked_again = await world.alice.slash("sound delete", sound="bell")
    confirmed = await world.alice.click(asked_again, f"carillon:delsound:{sound.id}")
    [notice] = await app.emulator.wait_for(lambda: app.emulator.dms_to(world.bob.member))

    assert kept.content == "Nothing was deleted: the sound stays."
    assert kept.custom_ids == []
    await confirmed.wait_for_edit()
    assert confirmed.content.startswith("🗑️ Deleted the sound **bell**.")
    assert "Told 1 member(s) whose tasks used it." in confirmed.content
    assert f"#{await number(app, task_id)} “morning bell”" in notice.content
    assert f"deleted by <@{world.alice.id}>" in notice.content
    assert await app.services.sounds.count(world.guild.id) == 0


async def test_delete_confirmation_is_refused_to_another_member(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell")
    sound = await stored(app, "bell")
    await _task_using(app, "bell", world.alice.id, "mine")
    asked = await world.alice.slash("sound delete", sound="bell")

    refused = await world.bob.click(asked, f"carillon:delsound:{sound.id}")

    assert refused.ephemeral
    assert "Only the member who uploaded 'bell' or an admin can." in refused.content
    assert await app.services.sounds.count(world.guild.id) == 1


async def test_a_play_waits_its_turn_and_a_later_failure_reaches_the_member(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "low", frequency=330, seconds=1.5)
    await upload(app, world.alice, "gold", frequency=660, seconds=0.4, cost=20)
    await world.alice.join_voice(world.lounge)
    await world.bob.join_voice(world.lounge)

    first = await world.alice.slash("sound play", sound="low")
    await first.wait_until_ready(timeout=10)
    queued = await world.bob.slash("sound play", sound="gold")
    await queued.wait_until_ready(timeout=10)
    broke = await world.bob.slash("sound play", sound="gold")
    await broke.wait_until_ready(timeout=10)
    await app.emulator.wait_for(lambda: len(broke.followups) == 2, timeout=10)
    failure = broke.followups[1]
    audio = await app.emulator.wait_for_audio(world.guild, frames=90, idle=0.5)

    assert queued.content == (
        f"⏳ **gold** will play in <#{world.lounge.id}> after what plays now (1 waiting) "
        "(20 credits)."
    )
    assert failure.ephemeral
    assert failure.content.startswith("❌ not enough credits: this costs 20 and the balance is 0.")
    assert tones(audio) == [330, 660]
    assert await app.services.credits.balance(world.guild.id, world.bob.id) == 0


async def test_delete_confirmation_still_works_after_a_restart(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell")
    sound = await stored(app, "bell")
    await _task_using(app, "bell", world.alice.id, "mine")
    asked = await world.alice.slash("sound delete", sound="bell")
    await app.bot.close()

    async with running_bot(app.emulator, world, app.config, app.clock, MY_COGS) as bot:
        confirmed = await world.alice.click(asked, f"carillon:delsound:{sound.id}")

        assert confirmed.content == "🗑️ Deleted the sound **bell**."
        assert await bot.services.sounds.count(world.guild.id) == 0


async def test_an_owner_who_takes_no_direct_messages_is_told_in_the_channel(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell")
    sound = await stored(app, "bell")
    await _task_using(app, "bell", world.bob.id, "evening bell")
    dm = app.emulator.dm_channel(world.bob.id)
    app.emulator.fail(f"POST /channels/{dm['id']}/messages", 403)

    asked = await world.alice.slash("sound delete", sound="bell")
    await world.alice.click(asked, f"carillon:delsound:{sound.id}")
    notice = await app.emulator.wait_for_message(world.general)

    assert notice.content.startswith(f"<@{world.bob.id}> 🗑️ The sound **bell** was deleted")
    assert app.emulator.dms_to(world.bob.member) == []


async def test_an_over_long_name_is_refused(app: App) -> None:
    await upload(app, app.world.alice, "bell")

    reply = await app.world.alice.slash("sound rename", sound="bell", name="x" * 70)

    assert reply.ephemeral
    assert reply.content == "❌ That sound name is 70 characters long; use at most 64."


async def test_delete_anyway_answers_even_when_something_unexpected_breaks(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell")
    sound = await stored(app, "bell")
    await _task_using(app, "bell", world.alice.id, "mine")
    asked = await world.alice.slash("sound delete", sound="bell")
    path = app.services.sounds.store.path(sound.file_name)
    path.unlink()
    path.mkdir()
    (path / "in the way").write_bytes(b"")

    failed = await world.alice.click(asked, f"carillon:delsound:{sound.id}")

    assert failed.ephemeral
    assert failed.content.startswith("❌ Something went wrong on our side")
