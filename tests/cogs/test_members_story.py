"""Issue 16's story: "every 15 minutes" → the first run → the confirmation shows the next run and
one run less → now playing turns into "Played", buttons gone → Skip → the next occurrence is
silent and the one after plays → Pause → silence, not "missed" → Resume → it plays again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.emulator import Message, Reply
from bot.models.scheduled_task import TaskStatus
from bot.models.task_run import RunOutcome
from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, number, task_id_from, wait_for_runs

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)


def _ts(at: datetime) -> str:
    return f"<t:{int(at.timestamp())}:F>"


def _field(reply: Reply | Message, name: str) -> str:
    message = reply.message if isinstance(reply, Reply) else reply
    assert message is not None
    [value] = [f["value"] for f in message.embeds[0]["fields"] if f["name"] == name]
    return value


def _plays(message: Message) -> bool:
    return bool(message.embeds) and "Task #" in message.embeds[0].get("footer", {}).get("text", "")


async def _frames_after(app: App, when: datetime) -> int:
    """Move the clock to ``when`` and let the bot do whatever it would; the frames sent."""
    move_clock(app, when)
    await asyncio.sleep(0.4)
    await app.services.scheduler.dispatcher.wait_idle()
    return app.emulator.voice_audio(app.world.guild).frames


async def test_every_fifteen_minutes_with_skip_pause_and_resume(app: App) -> None:
    world, emulator = app.world, app.emulator
    app.clock.set(START)
    await add_sound(app, "bell", seconds=1.2)
    await world.alice.join_voice(world.lounge)
    confirmation = await world.alice.slash(
        "schedule sound", sound="bell", when="every 15 minutes", count=4
    )
    task_id = task_id_from(confirmation)
    first = START + STEP
    ids = [f"carillon:{action}:{task_id}" for action in ("pause", "skip", "cancel")]
    assert confirmation.custom_ids == ids
    assert _ts(first) in _field(confirmation, "Next run")
    assert _field(confirmation, "Runs left") == "4"

    move_clock(app, first)
    await emulator.wait_for_audio(world.guild, frames=50)
    await wait_for_runs(app, task_id, 1)
    await confirmation.wait_for_edit()
    ended = await emulator.wait_for_message(
        world.general, lambda m: _plays(m) and m.embeds[0]["title"] == "✅ Played"
    )

    assert _ts(first + STEP) in _field(confirmation, "Next run")
    assert _field(confirmation, "Runs left") == "3"
    assert confirmation.custom_ids == ids
    assert ended.custom_ids() == []
    assert "Played for 0:01." in ended.embeds[0]["description"]
    played_once = emulator.voice_audio(world.guild).frames

    skipped = await world.alice.click(confirmation, f"carillon:skip:{task_id}")
    told = await skipped.wait_for_followup()
    assert told.ephemeral
    assert f"Skipped the run of task #{await number(app, task_id)}" in told.content
    assert _ts(first + STEP) in told.content
    assert _ts(first + 2 * STEP) in _field(skipped, "Next run")
    assert await _frames_after(app, first + STEP) == played_once

    move_clock(app, first + 2 * STEP)
    await emulator.wait_for_audio(world.guild, frames=played_once + 50)
    await wait_for_runs(app, task_id, 3)
    played_twice = emulator.voice_audio(world.guild).frames
    await app.bot.task_messages.settled()
    assert _field(confirmation, "Runs left") == "2"

    paused = await world.alice.click(confirmation, f"carillon:pause:{task_id}")
    assert "Paused task" in (await paused.wait_for_followup()).content
    assert "paused" in _field(paused, "Next run")
    assert paused.custom_ids == [f"carillon:resume:{task_id}", f"carillon:cancel:{task_id}"]
    assert await _frames_after(app, first + 3 * STEP) == played_twice
    assert await _frames_after(app, first + 4 * STEP + timedelta(minutes=20)) == played_twice

    resumed = await world.alice.click(paused, f"carillon:resume:{task_id}")
    assert "Resumed task" in (await resumed.wait_for_followup()).content
    following = first + 6 * STEP
    assert _ts(following) in _field(resumed, "Next run")
    move_clock(app, following)
    await emulator.wait_for_audio(world.guild, frames=played_twice + 50)
    await wait_for_runs(app, task_id, 4)

    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.executions_count == 3
    outcomes = [run.outcome for run in await app.services.scheduler.get_task_runs(task_id)]
    assert sorted(outcomes) == sorted(
        [RunOutcome.SUCCEEDED, RunOutcome.SKIPPED, RunOutcome.SUCCEEDED, RunOutcome.SUCCEEDED]
    )
    assert RunOutcome.MISSED not in outcomes
    assert task.status is TaskStatus.PENDING
    await app.bot.task_messages.settled()
    assert _field(confirmation, "Runs left") == "1"
