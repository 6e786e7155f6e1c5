"""The "now playing" post: a refusal from Discord is a warning, and the play goes on."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.models.scheduled_task import TaskType
from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, wait_for_runs


async def test_a_refused_post_is_a_warning_and_the_sound_still_plays(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    world = app.world
    sound = await add_sound(app, "bell", seconds=0.3)
    task = await app.services.scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        app.clock.now() + timedelta(minutes=1),
        parameters={
            "sound_id": sound.id,
            "channel_id": world.lounge.id,
            "text_channel_id": world.general.id,
        },
        user_id=world.alice.id,
        guild_id=world.guild.id,
    )
    app.emulator.fail(f"POST /channels/{world.general.id}/messages", 403)

    move_clock(app, app.clock.now() + timedelta(minutes=1))
    audio = await app.emulator.wait_for_audio(world.guild, frames=10)
    await wait_for_runs(app, task.id, 1)

    assert audio.frames >= 10
    assert app.emulator.messages_in(world.general) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("now playing: could not post" in r.getMessage() for r in caplog.records)
