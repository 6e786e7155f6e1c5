"""A scheduled play while Discord moves the voice server, kicks the bot or drops its session."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta

import pytest

from bot.app import CarillonBot
from bot.audio.tones import tone
from bot.emulator import Emulator
from bot.emulator.voice_moves import CALL_TERMINATED, local_port
from bot.models import RunOutcome, TaskType
from bot.models.task_run import TaskRun
from bot.repositories.task_run import TaskRunRepository
from tests.support.e2e import World, emulator, world

__all__ = ["emulator", "world"]

SOUND_SECONDS = 2.0
FRAMES = int(SOUND_SECONDS / 0.02)


async def schedule_bell(app: CarillonBot, world: World, name: str = "bell") -> int:
    """A 2 s 440 Hz sound, due in a second in #Lounge; the task's id."""
    services = app.services
    sound = await services.sounds.upload(
        world.guild.id, world.alice.id, name, tone(440, SOUND_SECONDS)
    )
    task = await services.scheduler.create_task(
        name,
        TaskType.PLAY_SOUND,
        services.clock.now() + timedelta(seconds=1),
        parameters={"sound_id": sound.id, "channel_id": world.lounge.id},
        user_id=world.alice.id,
        guild_id=world.guild.id,
    )
    return task.id


async def finished_run(app: CarillonBot, task_id: int, seconds: float = 30.0) -> TaskRun:
    """The task's first run once it has an outcome other than retrying."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with app.services.db() as session:
            runs = await TaskRunRepository(session).for_task(task_id)
        done = [r for r in runs if r.outcome in (RunOutcome.SUCCEEDED, RunOutcome.FAILED)]
        if done:
            return done[-1]
        await asyncio.sleep(0.1)
    raise TimeoutError(f"task {task_id} has no finished run after {seconds:g} s")


async def playing(emulator: Emulator, world: World, frames: int = 30) -> None:
    await emulator.wait_for(
        lambda: emulator.voice_audio(world.guild).frames >= frames,
        timeout=10,
        what=f"{frames} frames of the bell",
    )


@pytest.mark.parametrize("close_code", [4014, CALL_TERMINATED])
async def test_play_goes_on_after_the_voice_server_moves(
    app: CarillonBot, world: World, emulator: Emulator, close_code: int
) -> None:
    task_id = await schedule_bell(app, world)
    await playing(emulator, world)

    port = await emulator.move_voice(world.guild, close_code=close_code)
    audio = await emulator.wait_for_audio(world.guild, frames=FRAMES - 2, idle=0.6, timeout=15)
    run = await finished_run(app, task_id)

    assert run.outcome is RunOutcome.SUCCEEDED, run.error
    assert audio.frames == pytest.approx(FRAMES, rel=0.02)
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)
    assert emulator.voice.ws_connections == 2
    assert local_port(emulator.voice.connections[world.guild.id].request) == port
    assert emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert emulator.voice.undecryptable <= 1


async def test_the_voice_connection_works_for_the_next_play_after_a_move(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    first = await schedule_bell(app, world)
    await playing(emulator, world)
    await emulator.move_voice(world.guild)
    assert (await finished_run(app, first)).outcome is RunOutcome.SUCCEEDED
    emulator.voice.clear(world.guild.id)

    second = await schedule_bell(app, world, "chime")
    audio = await emulator.wait_for_audio(world.guild, frames=FRAMES - 2, idle=0.6, timeout=15)

    assert (await finished_run(app, second)).outcome is RunOutcome.SUCCEEDED
    assert audio.frames == pytest.approx(FRAMES, rel=0.02)
    assert emulator.voice.ws_connections == 2


async def test_a_kick_during_a_scheduled_play_fails_the_run_and_the_bot_stays_out(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    task_id = await schedule_bell(app, world)
    await playing(emulator, world)

    kicked = time.monotonic()
    await emulator.disconnect_from_voice(world.guild, emulator.bot_user.id)
    run = await finished_run(app, task_id, seconds=10)

    assert time.monotonic() - kicked < 2
    assert run.outcome is RunOutcome.FAILED
    assert run.error is not None
    assert re.fullmatch(
        r"The bot was disconnected from #Lounge \(4014\) after \d\.\d s of 'bell'\.", run.error
    )
    await asyncio.sleep(1)
    joins = [op4 for op4 in emulator.voice.bot_op4 if op4.get("channel_id")]
    assert len(joins) == 1
    assert emulator.bot_voice_channel(world.guild) is None
    assert emulator.voice.ws_connections == 1
    assert emulator.voice_audio(world.guild).frames < FRAMES


async def test_an_ended_call_fails_the_run_with_4022(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    await world.bob.join_voice(world.lounge)
    task_id = await schedule_bell(app, world)
    await playing(emulator, world)

    ended = time.monotonic()
    await emulator.end_call(world.lounge)
    run = await finished_run(app, task_id, seconds=10)

    assert time.monotonic() - ended < 2
    assert run.outcome is RunOutcome.FAILED
    assert run.error is not None
    assert re.fullmatch(
        r"The call in #Lounge was ended \(4022\) after \d\.\d s of 'bell'\.", run.error
    )
    await asyncio.sleep(1)
    assert world.guild.members_in(world.lounge.id) == []
    assert len([op4 for op4 in emulator.voice.bot_op4 if op4.get("channel_id")]) == 1


async def test_play_goes_on_through_a_resumable_invalid_session(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    task_id = await schedule_bell(app, world)
    await playing(emulator, world)

    await emulator.invalidate_session(resumable=True)
    audio = await emulator.wait_for_audio(world.guild, frames=FRAMES - 2, idle=0.6, timeout=15)
    run = await finished_run(app, task_id)

    assert run.outcome is RunOutcome.SUCCEEDED, run.error
    assert audio.frames == pytest.approx(FRAMES, rel=0.02)
    await emulator.wait_for(lambda: emulator.gateway.stats.resumes == 1, what="a RESUME")
    assert emulator.gateway.stats.identifies == 1
    assert emulator.voice.ws_connections == 1


async def test_play_rejoins_and_goes_on_after_a_session_that_cannot_be_resumed(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    task_id = await schedule_bell(app, world)
    await playing(emulator, world)

    await emulator.invalidate_session(resumable=False)
    audio = await emulator.wait_for_audio(world.guild, frames=FRAMES - 2, idle=0.6, timeout=20)
    run = await finished_run(app, task_id)

    assert run.outcome is RunOutcome.SUCCEEDED, run.error
    assert audio.frames == pytest.approx(FRAMES, rel=0.02)
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)
    assert emulator.gateway.stats.identifies == 2
    assert emulator.gateway.stats.resumes == 0
    assert emulator.voice.ws_connections == 2
    assert emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert app.get_guild(world.guild.id).voice_client is not None


async def test_deleting_the_channel_during_a_scheduled_play_fails_the_run(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    task_id = await schedule_bell(app, world)
    await playing(emulator, world)

    await emulator.delete_channel(world.lounge)
    run = await finished_run(app, task_id, seconds=10)

    assert run.outcome is RunOutcome.FAILED
    assert run.error is not None
    assert re.fullmatch(
        r"The voice channel #Lounge was deleted after \d\.\d s of 'bell'\.", run.error
    )
    assert len([op4 for op4 in emulator.voice.bot_op4 if op4.get("channel_id")]) == 1
