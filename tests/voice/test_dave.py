"""DAVE end-to-end encryption: what a member's client hears of the bot, and DAVE's faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import discord
import pytest
from discord.voice_state import VoiceConnectionState

from bot.app import CarillonBot
from bot.audio.tones import tone
from bot.emulator import CapturedAudio, Emulator
from bot.models import TaskType
from bot.voice.dave import DaveVoiceClient
from bot.voice.play import PlayRequest
from tests.support.e2e import World
from tests.voice.conftest import Voice

FRAMES = 100


def _assert_heard_whole(audio: CapturedAudio) -> None:
    assert audio.frames >= 0.98 * FRAMES
    assert audio.plaintext_frames == 0
    assert audio.failed_frames == 0
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)


async def _play_tone(voice: Voice) -> asyncio.Task:
    world = voice.world
    sound = await voice.sounds.upload(world.guild.id, world.alice.id, "la", tone(440, 2.0))
    player = voice.player or voice.make_player()
    request = PlayRequest(world.guild.id, world.lounge.id, payer_id=None, sound_id=sound.id)
    return asyncio.create_task(player.play(request))


async def test_a_tone_played_now_is_heard_whole_by_a_member(voice: Voice) -> None:
    play = await _play_tone(voice)
    await play
    audio = await voice.emulator.wait_for_audio(voice.world.guild, frames=90)

    _assert_heard_whole(audio)
    [connection] = voice.emulator.voice.connections.values()
    assert connection.dave_protocol_version == 1
    assert voice.emulator.voice.calls[voice.world.lounge.id].commits >= 1


async def test_a_due_task_is_heard_whole_by_a_member(
    app: CarillonBot, world: World, emulator: Emulator
) -> None:
    services = app.services
    sound = await services.sounds.upload(world.guild.id, world.alice.id, "la", tone(440, 2.0))
    await services.scheduler.create_task(
        "la",
        TaskType.PLAY_SOUND,
        services.clock.now() + timedelta(seconds=1),
        parameters={"sound_id": sound.id, "channel_id": world.lounge.id},
        user_id=world.alice.id,
        guild_id=world.guild.id,
    )

    audio = await emulator.wait_for_audio(world.guild, frames=90, timeout=20)

    _assert_heard_whole(audio)


async def test_a_member_joining_mid_play_loses_at_most_ten_frames(voice: Voice) -> None:
    world, emulator = voice.world, voice.emulator
    play = await _play_tone(voice)
    await emulator.wait_for(lambda: emulator.voice_audio(world.guild).frames >= 30)

    await world.bob.join_voice(world.lounge)
    await play
    await emulator.wait_for_audio(world.guild, frames=90)

    _assert_heard_whole(emulator.voice_audio(world.guild))
    newcomer = emulator.voice_audio(world.guild, world.bob.member)
    assert newcomer.frames >= 50
    assert newcomer.lost_frames <= 10
    assert emulator.voice.calls[world.lounge.id].commits >= 2


async def test_a_stage_channel_stays_without_end_to_end_encryption(voice: Voice) -> None:
    world, emulator = voice.world, voice.emulator
    stage = emulator.add_voice_channel(world.guild, "Stage", stage=True)
    await emulator.wait_for(lambda: voice.bot.get_channel(stage.id) is not None)
    sound = await voice.sounds.upload(world.guild.id, world.alice.id, "la", tone(440, 1.0))

    await voice.make_player().play(
        PlayRequest(world.guild.id, stage.id, payer_id=None, sound_id=sound.id)
    )
    audio = await emulator.wait_for_audio(world.guild, frames=45)

    [connection] = emulator.voice.connections.values()
    assert connection.dave_protocol_version == 0
    assert stage.id not in emulator.voice.calls
    assert audio.frames >= 49
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)


class _NoDaveState(VoiceConnectionState):
    @property
    def max_dave_protocol_version(self) -> int:
        return 0


class _NoDaveVoiceClient(discord.VoiceClient):
    """A client without DAVE support, as discord.py is without davey installed."""

    def create_connection_state(self) -> VoiceConnectionState:
        return _NoDaveState(self)


async def test_a_client_without_dave_is_refused_in_a_voice_channel(voice: Voice) -> None:
    channel = voice.bot.get_channel(voice.world.lounge.id)

    with pytest.raises(discord.ConnectionClosed) as refused:
        await channel.connect(cls=_NoDaveVoiceClient, reconnect=False, timeout=5)

    assert refused.value.code == 4017


Fault = Callable[[Emulator, int], Awaitable[None]]
FAULTS: dict[str, Fault] = {
    "re-sent external sender": lambda e, g: e.voice.resend_external_sender(g),
    "stale-epoch proposals": lambda e, g: e.voice.send_stale_proposals(g),
    "malformed commit": lambda e, g: e.voice.send_malformed_commit(g),
    "truncated commit": lambda e, g: e.voice.send_malformed_commit(g, truncated=True),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_the_voice_websocket_survives_a_dave_fault(voice: Voice, fault: str) -> None:
    world, emulator = voice.world, voice.emulator
    play = await _play_tone(voice)
    await emulator.wait_for(lambda: emulator.voice_audio(world.guild).frames >= 20)

    await FAULTS[fault](emulator, world.guild.id)
    await asyncio.sleep(0.1)
    await world.bob.join_voice(world.lounge)
    await asyncio.wait_for(play, timeout=15)
    await emulator.wait_for_audio(world.guild, frames=90)

    [client] = voice.bot.voice_clients
    assert isinstance(client, DaveVoiceClient)
    assert client.can_send
    assert not client._connection._runner.done()
    _assert_heard_whole(emulator.voice_audio(world.guild))
    newcomer = emulator.voice_audio(world.guild, world.bob.member)
    assert newcomer.frames >= 50
    assert newcomer.lost_frames <= 10


async def test_after_a_dave_fault_a_crashed_voice_server_is_resumed(voice: Voice) -> None:
    """4015: the voice server crashed; the client resumes and the member hears it all."""
    world, emulator = voice.world, voice.emulator
    play = await _play_tone(voice)
    await emulator.wait_for(lambda: emulator.voice_audio(world.guild).frames >= 20)
    await FAULTS["stale-epoch proposals"](emulator, world.guild.id)
    await asyncio.sleep(0.1)

    joins = len(emulator.voice.bot_op4)
    await emulator.voice.close_connection(world.guild.id, code=4015)
    # Resumed at once: the 2 s tone ends within seconds, not after a 15 s connect timeout.
    await asyncio.wait_for(play, timeout=8)
    await emulator.wait_for_audio(world.guild, frames=90)

    assert emulator.voice.ws_connections >= 2
    assert len(emulator.voice.bot_op4) == joins  # a RESUME, not a new voice state
    _assert_heard_whole(emulator.voice_audio(world.guild))
