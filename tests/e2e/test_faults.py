"""Faults on demand: a dropped gateway or voice socket, 429s, 5xx and slow answers."""

from __future__ import annotations

import time

import pytest

from bot.app import DiscordBot
from bot.emulator import Emulator
from tests.support.e2e import World


async def test_bot_resumes_after_the_gateway_drops(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await emulator.drop_gateway()
    await world.alice.join_voice(world.lounge)  # dispatched while the bot is away

    await emulator.wait_for(lambda: emulator.gateway.connected, what="the bot to reconnect")
    reply = await world.alice.slash("probe ping")

    assert reply.content == "pong alice"
    assert emulator.gateway.stats.resumes == 1
    assert emulator.gateway.stats.identifies == 1
    member = bot.get_guild(world.guild.id).get_member(world.alice.id)
    assert member.voice is not None
    assert member.voice.channel.id == world.lounge.id


async def test_bot_resumes_after_a_close_frame(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await emulator.drop_gateway(abort=False, code=4000)

    await emulator.wait_for(lambda: emulator.gateway.stats.resumes == 1, what="a RESUME")
    reply = await world.alice.slash("probe ping")

    assert reply.content == "pong alice"


async def test_playback_survives_a_dropped_voice_socket(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("probe play", seconds=2)
    await reply.wait_until_ready(timeout=10)
    await emulator.wait_for(lambda: emulator.voice_audio(world.guild).frames >= 30)

    await emulator.drop_voice(world.guild)
    audio = await emulator.wait_for_audio(world.guild, frames=95, idle=0.6, timeout=15)

    assert emulator.voice.ws_connections == 2
    assert emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert audio.frames == pytest.approx(100, rel=0.02)
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)


async def test_rate_limited_callback_is_retried(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    emulator.fail("POST /interactions/*/callback", 429, retry_after=0.3)

    reply = await world.alice.slash("probe ping")

    assert reply.content == "pong alice"
    statuses = [r.status for r in emulator.requests_to("POST", "/interactions/*/callback")]
    assert statuses == [429, 200]


async def test_server_error_is_retried(bot: DiscordBot, world: World, emulator: Emulator) -> None:
    emulator.fail("POST /channels/*/messages", 502)

    reply = await world.alice.slash("probe announce", text="after a 502")
    await reply.wait_until_ready(timeout=5)

    assert reply.content == "sent"
    statuses = [r.status for r in emulator.requests_to("POST", "/channels/*/messages")]
    assert statuses == [502, 200]
    assert emulator.messages_in(world.general)[0].content == "after a 502 (edited)"


async def test_delayed_response_still_arrives(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    emulator.fail("POST /interactions/*/callback", delay=0.5)
    started = time.monotonic()

    reply = await world.alice.slash("probe ping")

    assert reply.content == "pong alice"
    assert time.monotonic() - started >= 0.5


async def test_bot_resumes_when_asked_to_reconnect(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await emulator.gateway.ask_to_reconnect()

    await emulator.wait_for(lambda: emulator.gateway.stats.resumes == 1, what="a RESUME")
    reply = await world.alice.slash("probe ping")

    assert reply.content == "pong alice"
    assert emulator.gateway.stats.connections == 2
