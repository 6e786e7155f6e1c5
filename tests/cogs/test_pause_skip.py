"""``/schedule pause|resume|skip`` and their buttons: who may, what each refuses, and a pause
pressed on "now playing" while the play runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.models.scheduled_task import TaskStatus
from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, number, schedule, wait_for_runs

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def _task(app: App, task_id: int):
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    return task


async def test_commands_with_autocomplete_over_the_right_tasks(app: App) -> None:
    world = app.world
    await add_sound(app)
    daily = await schedule(app, world.alice, "every day at 13:00")
    once = await schedule(app, world.alice, "in 2 hours")
    await schedule(app, world.bob, "every day at 14:00")

    pausable = await world.alice.autocomplete("schedule pause", focused="task", task="")
    paused = await world.alice.slash("schedule pause", task=await number(app, daily))
    resumable = await world.alice.autocomplete("schedule resume", focused="task", task="")
    again = await world.alice.slash("schedule pause", task=await number(app, daily))
    listing = await world.alice.slash("schedule list")
    only_paused = await world.alice.slash("schedule list", status="paused")
    skip_once = await world.alice.slash("schedule skip", task=await number(app, once))
    skip_paused = await world.alice.slash("schedule skip", task=await number(app, daily))
    resumed = await world.alice.slash("schedule resume", task=await number(app, daily))
    resume_again = await world.alice.slash("schedule resume", task=await number(app, daily))
    skipped = await world.alice.slash("schedule skip", task=await number(app, daily))
    bobs = await world.bob.slash("schedule pause", task=await number(app, daily))
    daily_no, once_no = int(await number(app, daily)), int(await number(app, once))

    assert sorted(int(c.value) for c in pausable) == sorted([daily_no, once_no])
    assert [int(c.value) for c in resumable] == [daily_no]
    assert paused.ephemeral
    assert f"Paused task #{daily_no}" in paused.content
    assert (
        again.content
        == f"❌ Task #{daily_no} is already paused: resume it with `/schedule resume`."
    )
    assert f"⏸️ #{daily_no} · bell" in listing.text
    assert f"#{once_no} · bell" in listing.text
    assert f"#{daily_no}" in only_paused.text
    assert f"#{once_no}" not in only_paused.text
    assert "Page 1/1 · 1 task" in only_paused.embeds[0]["footer"]["text"]
    assert (
        skip_once.content == f"❌ Task #{once_no} has no run after its next one: cancel it instead."
    )
    assert skip_paused.content == f"❌ Task #{daily_no} is paused: it has no next run to skip."
    tomorrow = datetime(2026, 11, 27, 13, tzinfo=UTC)
    assert f"<t:{int((tomorrow - timedelta(days=1)).timestamp())}:F>" in resumed.content
    assert resume_again.content == f"❌ Task #{daily_no} is pending, not paused."
    assert f"<t:{int(tomorrow.timestamp())}:F>" in skipped.text
    assert f"You have no task #{daily_no}" in bobs.content
    assert (await _task(app, daily)).next_run_at == tomorrow


async def test_buttons_are_refused_to_another_member(app: App) -> None:
    world = app.world
    await add_sound(app)
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("schedule sound", sound="bell", when="every day at 13:00")
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])

    for action in ("pause", "skip"):
        refused = await world.bob.click(reply, f"carillon:{action}:{task_id}")
        assert refused.ephemeral
        assert "Only the task's owner or a Carillon admin" in refused.content
    by_admin = await world.admin.click(reply, f"carillon:pause:{task_id}")

    assert "Paused task" in (await by_admin.wait_for_followup()).content
    assert (await _task(app, task_id)).status is TaskStatus.PAUSED


async def test_pause_pressed_while_it_plays_lets_the_play_end_then_stays_paused(app: App) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app, "long bell", seconds=1.5)
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("schedule sound", sound="long bell", when="every day at 12:01")
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])

    move_clock(app, NOW + timedelta(minutes=1))
    playing = await emulator.wait_for_message(
        world.general, lambda m: any(e.get("title") == "🔔 Now playing" for e in m.embeds)
    )
    pressed = await world.alice.click(playing, f"carillon:pause:{task_id}")
    await wait_for_runs(app, task_id, 1)
    frames = emulator.voice_audio(world.guild).frames
    move_clock(app, NOW + timedelta(days=1, minutes=1))
    await asyncio.sleep(0.4)

    assert pressed.ephemeral
    assert "Paused task" in pressed.content
    assert frames > 1.2 / 0.02
    task = await _task(app, task_id)
    assert task.status is TaskStatus.PAUSED
    assert task.executions_count == 1
    assert task.next_run_at == NOW + timedelta(days=1, minutes=1)
    assert len(await app.services.scheduler.get_task_runs(task_id)) == 1
    assert emulator.voice_audio(world.guild).frames == frames


async def test_a_one_shot_whose_time_passed_while_paused_asks_for_a_new_time(app: App) -> None:
    world = app.world
    await add_sound(app)
    task_id = await schedule(app, world.alice, "in 10 minutes")
    await world.alice.slash("schedule pause", task=await number(app, task_id))
    move_clock(app, NOW + timedelta(hours=1))
    await asyncio.sleep(0.2)

    resumed = await world.alice.slash("schedule resume", task=await number(app, task_id))
    edited = await world.alice.slash(
        "schedule edit", task=await number(app, task_id), when="in 30 minutes"
    )
    again = await world.alice.slash("schedule resume", task=await number(app, task_id))

    assert "has no run left after now" in resumed.content
    assert "/schedule edit" in resumed.content
    assert not edited.content.startswith("❌"), edited.content
    assert "Resumed task" in again.content
    task = await _task(app, task_id)
    assert task.status is TaskStatus.PENDING
    assert task.next_run_at == NOW + timedelta(hours=1, minutes=30)


async def test_a_bad_when_is_told_before_the_missing_voice_channel(app: App) -> None:
    await add_sound(app)

    reply = await app.world.alice.slash("schedule sound", sound="bell", when="buy milk")

    assert reply.ephemeral
    assert "Join a voice channel" not in reply.content
    assert "buy milk" in reply.content


async def test_a_one_shot_repeats_once_at_a_discord_timestamp(app: App) -> None:
    world = app.world
    await add_sound(app)
    await world.alice.join_voice(world.lounge)

    reply = await world.alice.slash("schedule sound", sound="bell", when="in 2 hours")

    at = int((NOW + timedelta(hours=2)).timestamp())
    [repeats] = [f["value"] for f in reply.embeds[0]["fields"] if f["name"] == "Repeats"]
    assert repeats == f"once, <t:{at}:F>"


async def test_member_names_in_error_texts_are_escaped(app: App) -> None:
    world = app.world

    reply = await world.alice.slash("sound info", sound="**loud** ||secret||")

    assert reply.ephemeral
    assert r"'\*\*loud\*\* \|\|secret\|\|'" in reply.content
    assert "**loud**" not in reply.content
