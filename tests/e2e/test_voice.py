"""The bot joins a voice channel and the tone it plays arrives intact."""

from __future__ import annotations

import pytest

from bot.app import DiscordBot
from bot.emulator import Emulator
from tests.support.e2e import World

SECONDS = 2.0
EXPECTED_FRAMES = SECONDS / 0.02


async def test_a_440_hz_tone_arrives_in_the_voice_channel(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await world.alice.join_voice(world.lounge)

    reply = await world.alice.slash("probe play", seconds=SECONDS)
    await reply.wait_until_ready(timeout=10)
    audio = await emulator.wait_for_audio(world.guild, frames=int(EXPECTED_FRAMES * 0.9))

    assert reply.content == "playing"
    assert emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert audio.frames == pytest.approx(EXPECTED_FRAMES, rel=0.02)
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)
    assert audio.arrival_span == pytest.approx(SECONDS, rel=0.1)
    assert audio.silence_frames == 5
    now_playing = await emulator.wait_for_message(world.general)
    assert now_playing.content == "Now playing a 2 s tone"
    assert now_playing.custom_ids() == ["carillon:cancel:7"]


async def test_voice_uses_the_negotiated_session(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("probe play", seconds=0.5)
    await reply.wait_until_ready(timeout=10)
    await emulator.wait_for_audio(world.guild, frames=20)

    [connection] = emulator.voice.connections.values()
    assert connection.mode == "aead_xchacha20_poly1305_rtpsize"
    assert "max_dave_protocol_version" in connection.identify
    assert [e.speaking for e in emulator.voice.speaking][:2] == [0, 1]
    assert emulator.voice.undecryptable == 0


async def test_deleting_the_voice_channel_disconnects_the_bot(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("probe play", seconds=2)
    await reply.wait_until_ready(timeout=10)
    await emulator.wait_for(lambda: emulator.voice_audio(world.guild).frames >= 10)

    await emulator.delete_channel(world.lounge)

    await emulator.wait_for(lambda: not bot.voice_clients, what="the bot to leave voice")
    assert emulator.bot_voice_channel(world.guild) is None
    assert bot.get_guild(world.guild.id).get_channel(world.lounge.id) is None
