"""Soundboard sounds scheduled natively: ``send_sound`` at the instant, no voice stream; the
fallbacks to streaming from the library copy, and the server's queue shared with streams."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from bot.app import CarillonBot
from bot.audio.tones import tone
from bot.emulator import Emulator, Overwrite, Permission
from bot.emulator.soundboard import SoundboardSound
from bot.models import RunOutcome, TaskType
from bot.models.sound import Sound
from bot.models.task_run import TaskRun
from bot.repositories.task_run import TaskRunRepository
from bot.ui.soundboard import source_of
from tests.support.e2e import World, emulator, world

__all__ = ["emulator", "world"]

RUN_TIMEOUT = 20.0


async def _import(app: CarillonBot, world: World, board: SoundboardSound) -> Sound:
    guild = app.get_guild(world.guild.id)
    assert guild is not None

    def cached() -> bool:
        return guild.get_soundboard_sound(board.id) is not None

    await world.emulator.wait_for(cached, what="the soundboard sound in the bot's cache")
    discord_sound = guild.get_soundboard_sound(board.id)
    assert discord_sound is not None
    imported = await app.services.soundboard.import_sound(
        world.guild.id, world.admin.id, source_of(discord_sound)
    )
    assert imported.sound is not None
    return imported.sound


async def _schedule(
    app: CarillonBot, world: World, sound: Sound, due_in: float, *, native: bool = True
) -> tuple[int, float]:
    """A play task due in ``due_in`` seconds; its id and its instant on the monotonic clock."""
    services = app.services
    due = services.clock.now() + timedelta(seconds=due_in)
    task = await services.scheduler.create_task(
        f"play {sound.name}",
        TaskType.PLAY_SOUND,
        due,
        parameters={"sound_id": sound.id, "channel_id": world.lounge.id, "native": native},
        user_id=world.alice.id,
        guild_id=world.guild.id,
    )
    return task.id, time.monotonic() + (due - services.clock.now()).total_seconds()


async def _run_of(app: CarillonBot, emulator: Emulator, task_id: int) -> TaskRun:
    async def finished() -> TaskRun | None:
        async with app.services.db() as session:
            runs = await TaskRunRepository(session).for_task(task_id)
        return runs[0] if runs and runs[0].outcome is not None else None

    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_TIMEOUT
    while loop.time() < deadline:
        if (run := await finished()) is not None:
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"task {task_id} recorded no finished run")


async def test_a_scheduled_soundboard_sound_is_sent_natively_at_its_instant(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    board = emulator.soundboard.add(world.guild, "airhorn", tone(880, 1.0, "mp3"), emoji_name="📯")
    sound = await _import(app, world, board)
    await world.alice.join_voice(world.lounge)

    task_id, due = await _schedule(app, world, sound, 1.5)

    sent = await emulator.wait_for(lambda: emulator.soundboard.sent, timeout=RUN_TIMEOUT)
    run = await _run_of(app, emulator, task_id)
    [send] = sent
    assert (send.channel_id, send.sound_id, send.source_guild_id) == (
        world.lounge.id,
        board.id,
        world.guild.id,
    )
    assert world.alice.member.id in send.heard_by
    assert 0 <= send.at - due < 0.5
    assert run.outcome is RunOutcome.SUCCEEDED
    assert run.details["played_as"] == "native"
    assert run.details["native_sounds"] == 1
    assert 0.9 < run.details["played_seconds"] <= 1.1  # the queue was held while it played
    # no voice connection at all: nothing streamed, nothing encrypted
    assert emulator.voice.ws_connections == 0
    assert emulator.voice_audio(world.guild).frames == 0
    assert len(emulator.requests_to("POST", "/channels/*/send-soundboard-sound")) == 1
    # charged like a streamed play
    assert await app.services.credits.balance(world.guild.id, world.alice.id) == 19


async def test_without_use_soundboard_it_streams_and_the_run_says_why(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    bot = emulator.bot_member(world.guild)
    world.lounge.overwrites.append(Overwrite.for_member(bot, deny=int(Permission.USE_SOUNDBOARD)))
    await emulator.update_channel(world.lounge)
    board = emulator.soundboard.add(world.guild, "gong", tone(440, 0.6, "mp3"))
    sound = await _import(app, world, board)

    task_id, _ = await _schedule(app, world, sound, 0.5)

    audio = await emulator.wait_for_audio(world.guild, frames=25, idle=0.5, timeout=RUN_TIMEOUT)
    run = await _run_of(app, emulator, task_id)
    assert round(audio.dominant_frequency(), -1) == 440
    assert emulator.soundboard.sent == []
    assert run.outcome is RunOutcome.SUCCEEDED
    assert run.details["played_as"] == "stream"
    [note] = run.details["native_fallback"]
    assert "Use Soundboard" in note


async def test_a_sound_deleted_from_the_soundboard_still_plays_from_the_library(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    board = emulator.soundboard.add(world.guild, "bell", tone(660, 0.6, "mp3"))
    sound = await _import(app, world, board)
    guild = app.get_guild(world.guild.id)
    assert guild is not None
    await emulator.soundboard.delete(board)
    await emulator.wait_for(lambda: guild.get_soundboard_sound(board.id) is None)

    task_id, _ = await _schedule(app, world, sound, 0.5)

    audio = await emulator.wait_for_audio(world.guild, frames=25, idle=0.5, timeout=RUN_TIMEOUT)
    run = await _run_of(app, emulator, task_id)
    assert round(audio.dominant_frequency(), -1) == 660
    assert run.outcome is RunOutcome.SUCCEEDED
    assert run.details["played_as"] == "stream"
    assert "no longer on the server's soundboard" in run.details["native_fallback"][0]


async def test_a_native_play_waits_its_turn_behind_a_streamed_one(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    services = app.services
    streamed = await services.sounds.upload(world.guild.id, world.bob.id, "long", tone(330, 1.2))
    board = emulator.soundboard.add(world.guild, "pop", tone(990, 0.5, "mp3"))
    native = await _import(app, world, board)

    stream_task, _ = await _schedule(app, world, streamed, 1.0, native=False)
    native_task, _ = await _schedule(app, world, native, 1.3)

    audio = await emulator.wait_for_audio(world.guild, frames=50, idle=0.3, timeout=RUN_TIMEOUT)
    sent = await emulator.wait_for(lambda: emulator.soundboard.sent, timeout=RUN_TIMEOUT)
    stream_run = await _run_of(app, emulator, stream_task)
    native_run = await _run_of(app, emulator, native_task)
    assert sent[0].at >= audio.packets[-1].arrival - 0.1  # after the stream, not over it
    assert native_run.details["played_as"] == "native"
    assert native_run.details["queued_seconds"] > 0.6
    assert stream_run.details["played_as"] == "stream"
    assert "native_fallback" not in stream_run.details
    # undeafening for the soundboard kept the voice connection the stream had opened
    assert emulator.voice.ws_connections == 1


async def test_a_server_deafened_bot_streams_instead(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    board = emulator.soundboard.add(world.guild, "clap", tone(550, 0.5, "mp3"))
    sound = await _import(app, world, board)
    guild = app.get_guild(world.guild.id)
    assert guild is not None
    await guild.change_voice_state(channel=guild.get_channel(world.lounge.id))
    bot_id = emulator.bot_user.id
    await emulator.wait_for(lambda: emulator.bot_voice_channel(world.guild) == world.lounge.id)
    await emulator.server_voice(world.guild, bot_id, deaf=True)

    task_id, _ = await _schedule(app, world, sound, 0.3)

    run = await _run_of(app, emulator, task_id)
    assert run.details["played_as"] == "stream"
    assert "deafened" in run.details["native_fallback"][0]
    assert emulator.soundboard.sent == []


async def test_a_playlist_sends_its_soundboard_sounds_and_streams_the_others(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    services = app.services
    board = emulator.soundboard.add(world.guild, "ding", tone(990, 0.4, "mp3"))
    native = await _import(app, world, board)
    streamed = await services.sounds.upload(world.guild.id, world.bob.id, "hum", tone(220, 0.6))
    playlist = await services.playlists.create(world.guild.id, world.alice.id, "mix")
    for sound in (native, streamed):
        await services.playlists.add(
            world.guild.id, playlist.id, sound.id, actor_id=world.alice.id, is_admin=True
        )
    task = await services.scheduler.create_task(
        "mix",
        TaskType.PLAY_PLAYLIST,
        services.clock.now() + timedelta(seconds=0.5),
        parameters={
            "playlist_id": playlist.id,
            "mode": "continuous",
            "channel_id": world.lounge.id,
            "native": True,
        },
        user_id=world.alice.id,
        guild_id=world.guild.id,
    )

    run = await _run_of(app, emulator, task.id)
    audio = emulator.voice_audio(world.guild)
    assert run.details["sounds"] == ["ding", "hum"]
    assert run.details["played_as"] == "native and stream"
    assert run.details["native_sounds"] == 1
    assert [s.sound_id for s in emulator.soundboard.sent] == [board.id]
    assert round(audio.dominant_frequency(), -1) == 220
    assert audio.packets[0].arrival >= emulator.soundboard.sent[0].at + 0.3
