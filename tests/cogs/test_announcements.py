"""Announcements under control: a quiet task posts nothing; ``skip_if_empty`` skips a run
nobody would hear (recorded as skipped, charged nothing) and plays once someone is there."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.models.task_run import RunOutcome
from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, number, task_id_from, wait_for_runs

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def test_a_quiet_task_plays_without_posting(app: App) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app)
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash(
        "schedule sound", sound="bell", when="in 1 minute", announce=False
    )
    task_id = task_id_from(reply)
    posted = len(emulator.messages_in(world.general))

    move_clock(app, NOW + timedelta(minutes=1))
    await emulator.wait_for_audio(world.guild, frames=10)
    await wait_for_runs(app, task_id, 1)
    await asyncio.sleep(0.2)

    assert len(emulator.messages_in(world.general)) == posted
    [run] = await app.services.scheduler.get_task_runs(task_id)
    assert run.outcome is RunOutcome.SUCCEEDED


async def test_skip_if_empty_records_a_skip_and_charges_nothing(app: App) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app)
    before = await app.services.credits.balance(world.guild.id, world.alice.id)
    reply = await world.alice.slash(
        "schedule sound",
        sound="bell",
        when="every day at 12:01",
        skip_if_empty=True,
        options={"channel": world.lounge},
    )
    task_id = task_id_from(reply)

    move_clock(app, NOW + timedelta(minutes=1))
    await wait_for_runs(app, task_id, 1)
    [skipped] = await app.services.scheduler.get_task_runs(task_id)
    task = await app.services.scheduler.get_task(task_id)

    assert skipped.outcome is RunOutcome.SKIPPED
    assert skipped.details["skipped"] == "nobody was in the voice channel"
    assert task is not None
    assert task.executions_count == 0
    assert task.next_run_at == NOW + timedelta(days=1, minutes=1)
    assert emulator.voice_audio(world.guild).frames == 0
    assert emulator.bot_voice_channel(world.guild) is None
    assert await app.services.credits.balance(world.guild.id, world.alice.id) == before

    await world.bob.join_voice(world.lounge)
    move_clock(app, NOW + timedelta(days=1, minutes=1))
    await emulator.wait_for_audio(world.guild, frames=10)
    await wait_for_runs(app, task_id, 2)
    runs = await app.services.scheduler.get_task_runs(task_id)
    assert sorted(run.outcome for run in runs) == [RunOutcome.SKIPPED, RunOutcome.SUCCEEDED]
    [played] = [run for run in runs if run.outcome is RunOutcome.SUCCEEDED]
    assert played.details["credits_charged"] > 0
    assert "credits_charged" not in skipped.details


def _plays(message) -> bool:
    titles = ("🔔 Now playing", "✅ Played", "⏹️ Stopped")
    return any(embed.get("title") in titles for embed in message.embeds)


async def test_the_server_announcement_channel_or_none(app: App) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app)
    side = emulator.add_text_channel(world.guild, "announcements")
    await emulator.update_channel(side)
    await world.alice.join_voice(world.lounge)
    moved = await world.admin.slash("admin settings", announcement_channel=side)
    first = task_id_from(
        await world.alice.slash("schedule sound", sound="bell", when="in 1 minute")
    )
    move_clock(app, NOW + timedelta(minutes=1))
    posted = await emulator.wait_for_message(side, _plays)
    await wait_for_runs(app, first, 1)

    quiet = await world.admin.slash("admin settings", announcements="none")
    second = task_id_from(
        await world.alice.slash("schedule sound", sound="bell", when="in 2 minutes")
    )
    move_clock(app, NOW + timedelta(minutes=3))
    await wait_for_runs(app, second, 1)
    await asyncio.sleep(0.2)
    back = await world.admin.slash("admin settings", announcements="scheduled")

    assert f"<#{side.id}>" in moved.text
    assert f"Task #{await number(app, first)}" in posted.embeds[0]["footer"]["text"]
    assert "Announcements" in quiet.text
    assert "none" in quiet.text
    assert [m for m in emulator.messages_in(world.general) if _plays(m)] == []
    assert len([m for m in emulator.messages_in(side) if _plays(m)]) == 1
    assert "where each task was scheduled" in back.text
