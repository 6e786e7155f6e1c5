"""The voice channel's status shows what a scheduled play plays, and is cleared after; without
Set Voice Channel Status the bot tries nothing (the emulator refuses it, as Discord does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.emulator.model import Permission
from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, task_id_from, wait_for_runs

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def _status_during_a_play(app: App, name: str) -> str | None:
    """Schedule ``name`` a minute ahead and play it; the lounge's status while it plays."""
    world, emulator = app.world, app.emulator
    await add_sound(app, name, seconds=1.0)
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("schedule sound", sound=name, when="in 1 minute")

    move_clock(app, NOW + timedelta(minutes=1))
    shown = await emulator.wait_for(lambda: world.lounge.status, what="a voice status")
    await wait_for_runs(app, task_id_from(reply), 1)
    await emulator.wait_for(lambda: world.lounge.status is None, what="the status cleared")
    return shown


async def test_the_status_shows_the_play_and_is_cleared_after(app: App) -> None:
    world, emulator = app.world, app.emulator
    role = emulator.add_role(
        world.guild, "status", permissions=int(Permission.SET_VOICE_CHANNEL_STATUS)
    )
    await emulator.set_roles(emulator.bot_member(world.guild), [role])

    shown = await _status_during_a_play(app, "Morning bell")

    assert shown == "▶ Morning bell"
    assert world.lounge.status is None


async def test_without_the_permission_nothing_is_tried(app: App) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app, "bell", seconds=0.5)
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("schedule sound", sound="bell", when="in 1 minute")
    task_id = task_id_from(reply)

    move_clock(app, NOW + timedelta(minutes=1))
    await emulator.wait_for_audio(world.guild, frames=10)
    await wait_for_runs(app, task_id, 1)

    assert world.lounge.status is None
    assert not [r for r in emulator.requests if r.path.endswith("/voice-status")]


async def test_the_emulator_refuses_a_status_without_the_permission(app: App) -> None:
    channel = app.bot.get_channel(app.world.lounge.id)

    assert isinstance(channel, discord.VoiceChannel)
    with pytest.raises(discord.Forbidden) as refused:
        await channel.edit(status="▶ sneaky")

    assert refused.value.code == 50013
    assert app.world.lounge.status is None
