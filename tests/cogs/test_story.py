"""A member's whole story: timezone, "every weekday at 9am", the bell rings, Cancel, silence."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.emulator import Message
from bot.models.scheduled_task import TaskStatus
from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, number, wait_for_runs

FRAME = 0.02
SATURDAY_NOON = datetime(2026, 11, 28, 12, tzinfo=UTC)
MONDAY_9AM_NEW_YORK = datetime(2026, 11, 30, 14, tzinfo=UTC)
TUESDAY_9AM_NEW_YORK = datetime(2026, 12, 1, 14, tzinfo=UTC)


PLAY_TITLES = ("🔔 Now playing", "✅ Played", "⏹️ Stopped")


def _now_playing(message: Message) -> bool:
    """The message a scheduled play posts, as it is now (it is edited when the play ends)."""
    return any(embed.get("title") in PLAY_TITLES for embed in message.embeds)


async def _set_timezone(app: App, zone: str) -> None:
    world = app.world
    if app.emulator.find_command("timezone", world.guild.id) is not None:
        reply = await world.alice.slash("timezone set", zone=zone)
        assert not reply.content.startswith("❌"), reply.content
    else:
        await app.services.settings.set_member_timezone(world.alice.id, zone)


async def test_weekday_bell_rings_on_monday_and_stops_when_cancelled(app: App) -> None:
    world, emulator = app.world, app.emulator
    app.clock.set(SATURDAY_NOON)
    sound = await add_sound(app, "bell", seconds=0.4)
    await _set_timezone(app, "America/New_York")
    await world.alice.join_voice(world.lounge)

    [preview] = await world.alice.autocomplete(
        "schedule sound", focused="when", sound="bell", when="every weekday at 9am"
    )
    assert preview.name == "every weekday at 09:00, next Mon 30 Nov"
    confirmation = await world.alice.slash(
        "schedule sound", sound="bell", when="every weekday at 9am"
    )
    task_id = int(confirmation.custom_ids[0].rsplit(":", 1)[1])
    cancel_id = f"carillon:cancel:{task_id}"
    assert confirmation.custom_ids == [
        f"carillon:pause:{task_id}",
        f"carillon:skip:{task_id}",
        cancel_id,
    ]
    assert f"<t:{int(MONDAY_9AM_NEW_YORK.timestamp())}:F>" in confirmation.text
    listing = await world.alice.slash("schedule list")
    assert f"#{await number(app, task_id)} · bell" in listing.text
    assert "every weekday at 09:00 (America/New_York)" in listing.text
    assert emulator.voice_audio(world.guild).frames == 0

    move_clock(app, MONDAY_9AM_NEW_YORK)
    audio = await emulator.wait_for_audio(world.guild, frames=15)
    now_playing = await emulator.wait_for_message(world.general, _now_playing)
    await wait_for_runs(app, task_id, 1)

    assert audio.frames == pytest.approx(sound.duration_seconds / FRAME, rel=0.05)
    assert emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert "**bell**" in now_playing.embeds[0]["description"]
    assert now_playing.embeds[0]["title"] == "✅ Played"
    assert now_playing.custom_ids() == []
    refused = await world.bob.click(confirmation, cancel_id)
    assert "Only the task's owner" in refused.content
    cancelled = await world.alice.click(confirmation, cancel_id)
    assert "Cancelled" in (await cancelled.wait_for_followup()).content

    move_clock(app, TUESDAY_9AM_NEW_YORK)
    await asyncio.sleep(0.3)
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.status is TaskStatus.CANCELLED
    assert task.executions_count == 1
    assert len(await app.services.scheduler.get_task_runs(task_id)) == 1
    assert emulator.voice_audio(world.guild).frames == audio.frames
    assert len([m for m in emulator.messages_in(world.general) if _now_playing(m)]) == 1


async def test_stop_button_by_owner_after_refusing_another_member(app: App) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app, "long bell", seconds=4.0)
    await world.alice.join_voice(world.lounge)
    await world.alice.slash("schedule sound", sound="long bell", when="in 1 minute")

    move_clock(app, datetime(2026, 11, 26, 12, 1, tzinfo=UTC))
    message = await emulator.wait_for_message(world.general, _now_playing)
    stop_id = f"carillon:stop:{world.guild.id}"
    assert message.custom_ids() == [stop_id]
    refused = await world.bob.click(message, stop_id)
    stopped = await world.alice.click(message, stop_id)
    audio = await emulator.wait_for_audio(world.guild, frames=1)

    assert "Only the task's owner" in refused.content
    assert "Stopped" in stopped.content
    assert audio.frames < 4.0 / FRAME / 2
    ended = await emulator.wait_for_message(
        world.general, lambda m: _now_playing(m) and m.custom_ids() == []
    )
    assert ended.embeds[0]["title"] == "⏹️ Stopped"
    assert f"Stopped by <@{world.alice.id}> after 0:0" in ended.embeds[0]["description"]


async def test_failed_run_is_told_to_the_owner_in_the_channel(app: App) -> None:
    world, emulator = app.world, app.emulator
    sound = await add_sound(app, "doomed")
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("schedule sound", sound="doomed", when="in 5 minutes")
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])
    await app.services.sounds.delete(
        world.guild.id, sound.id, actor_id=world.admin.id, is_admin=True, confirmed=True
    )

    shown = await number(app, task_id)
    move_clock(app, datetime(2026, 11, 26, 12, 5, tzinfo=UTC))
    told = await emulator.wait_for_message(world.general, lambda m: f"task #{shown}" in m.content)

    assert told.content.startswith(f"⚠️ <@{world.alice.id}> your task #{shown} **doomed** failed")


async def test_failed_run_is_told_by_dm_when_the_channel_is_gone(app: App) -> None:
    world, emulator = app.world, app.emulator
    sound = await add_sound(app, "doomed")
    await world.alice.join_voice(world.lounge)
    side = emulator.add_text_channel(world.guild, "side")
    await emulator.update_channel(side)
    reply = await world.alice.slash(
        "schedule sound", sound="doomed", when="in 5 minutes", channel=side
    )
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])
    await app.services.sounds.delete(
        world.guild.id, sound.id, actor_id=world.admin.id, is_admin=True, confirmed=True
    )
    await emulator.delete_channel(side)

    move_clock(app, datetime(2026, 11, 26, 12, 5, tzinfo=UTC))
    await wait_for_runs(app, task_id, 1)
    await emulator.changed.wait_for(lambda: emulator.dms_to(world.alice.member), 5, "a DM")

    [dm] = emulator.dms_to(world.alice.member)
    assert f"your task #{await number(app, task_id)} **doomed** failed" in dm.content


async def test_cancel_while_the_run_plays_keeps_the_task_cancelled(app: App) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app, "long bell", seconds=2.0)
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("schedule sound", sound="long bell", when="every day at 12:01")
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])
    cancel_id = f"carillon:cancel:{task_id}"

    move_clock(app, datetime(2026, 11, 26, 12, 1, tzinfo=UTC))
    message = await emulator.wait_for_message(world.general, _now_playing)
    cancelled = await world.alice.click(message, cancel_id)
    await wait_for_runs(app, task_id, 1)
    move_clock(app, datetime(2026, 11, 27, 12, 1, tzinfo=UTC))
    await asyncio.sleep(0.3)

    assert "Cancelled" in cancelled.content
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.status is TaskStatus.CANCELLED
    assert task.next_run_at is None
    assert len(await app.services.scheduler.get_task_runs(task_id)) == 1
