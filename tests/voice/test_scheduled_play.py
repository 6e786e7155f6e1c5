"""Due tasks play through the whole application: scheduler, handlers, credits and the player."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from bot.app import CarillonBot
from bot.audio.tones import tone
from bot.emulator import Emulator
from bot.models import RunOutcome, TaskType
from bot.repositories.task_run import TaskRunRepository
from tests.support.capture import segments
from tests.support.e2e import World, emulator, world

__all__ = ["emulator", "world"]


async def test_two_tasks_due_at_once_play_in_turn_and_record_the_wait(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    services = app.services
    guild_id = world.guild.id
    low = await services.sounds.upload(guild_id, world.alice.id, "low", tone(330, 0.8))
    high = await services.sounds.upload(guild_id, world.bob.id, "high", tone(660, 0.8))
    due = services.clock.now() + timedelta(seconds=1.5)
    due_monotonic = time.monotonic() + (due - services.clock.now()).total_seconds()
    tasks = [
        await services.scheduler.create_task(
            f"play {sound.name}",
            TaskType.PLAY_SOUND,
            due,
            parameters={"sound_id": sound.id, "channel_id": world.lounge.id},
            user_id=owner,
            guild_id=guild_id,
        )
        for sound, owner in ((low, world.alice.id), (high, world.bob.id))
    ]

    audio = await emulator.wait_for_audio(world.guild, frames=75, idle=0.8, timeout=20)
    latency = audio.packets[0].arrival - due_monotonic

    heard = [round(part.dominant_frequency(), -1) for part in segments(audio)]
    assert sorted(heard) == [330, 660]
    assert audio.frames == pytest.approx(2 * 0.8 / 0.02, rel=0.03)
    assert 0 <= latency < 0.5
    runs = {}
    async with services.db() as session:
        for task in tasks:
            [runs[task.id]] = await TaskRunRepository(session).for_task(task.id)
    assert {run.outcome for run in runs.values()} == {RunOutcome.SUCCEEDED}
    waits = sorted(run.details["queued_seconds"] for run in runs.values())
    assert waits[0] < 0.2
    assert 0.75 <= waits[1] < 2.0
    assert await services.credits.balance(guild_id, world.alice.id) == 19
    assert await services.credits.balance(guild_id, world.bob.id) == 19


async def test_due_task_without_enough_credits_fails_with_a_clear_record(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    services = app.services
    guild_id = world.guild.id
    sound = await services.sounds.upload(guild_id, world.alice.id, "gold", tone(440, 0.3), cost=50)
    task = await services.scheduler.create_task(
        "expensive",
        TaskType.PLAY_SOUND,
        services.clock.now() + timedelta(seconds=0.5),
        parameters={"sound_id": sound.id, "channel_id": world.lounge.id},
        user_id=world.bob.id,
        guild_id=guild_id,
    )

    async def failed_run():
        async with services.db() as session:
            runs = await TaskRunRepository(session).for_task(task.id)
        return runs[0] if runs and runs[0].outcome is RunOutcome.FAILED else None

    run = None
    for _ in range(50):
        if run := await failed_run():
            break
        await asyncio.sleep(0.1)

    assert run is not None
    assert run.error is not None
    assert "not enough credits: this costs 50 and the balance is 20" in run.error
    assert emulator.voice_audio(world.guild).frames == 0
    assert await services.credits.balance(guild_id, world.bob.id) == 20
    await emulator.wait_for(lambda: emulator.bot_voice_channel(world.guild) is None)
