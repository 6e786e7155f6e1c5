"""Playing sounds into a voice channel of the emulator, and what a member would hear."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.audio.store import PlayableSound
from bot.audio.tones import tone
from bot.emulator import Overwrite, Permission
from bot.errors import PermanentTaskFailure
from bot.voice.play import PlayRequest
from tests.support.capture import segments
from tests.voice.conftest import Voice

FRAME = 0.02


async def _upload(voice: Voice, name: str, frequency: float, seconds: float, kind: str = "mp3"):
    guild_id = voice.world.guild.id
    return await voice.sounds.upload(
        guild_id, voice.world.alice.id, name, tone(frequency, seconds, kind)
    )


@pytest.mark.parametrize("kind", ["wav", "mp3", "ogg"])
async def test_uploaded_sound_plays_every_frame_of_its_tone(voice: Voice, kind: str) -> None:
    sound = await _upload(voice, f"tone {kind}", 440, 1.5, kind)
    player = voice.make_player()
    world = voice.world

    result = await player.play(
        PlayRequest(world.guild.id, world.lounge.id, payer_id=world.alice.id, sound_id=sound.id)
    )
    audio = await voice.emulator.wait_for_audio(world.guild, frames=70)

    expected = sound.duration_seconds / FRAME
    assert audio.frames == pytest.approx(expected, rel=0.02)
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)
    assert result.sounds_played == 1
    assert result.played_seconds == pytest.approx(sound.duration_seconds, rel=0.02)
    assert result.credits_charged == 1
    assert result.queued_seconds < 0.1
    assert not result.stopped
    assert result.details["sounds"] == [f"tone {kind}"]
    assert voice.emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert voice.ledger.charges == [
        (world.guild.id, world.alice.id, 1, f"played 'tone {kind}'", None)
    ]


async def test_scheduled_play_charges_the_task_owner_its_cost(voice: Voice) -> None:
    world = voice.world
    sound = await voice.sounds.upload(
        world.guild.id, world.alice.id, "pricey", tone(440, 0.3), cost=7
    )
    player = voice.make_player()

    result = await player.play(
        PlayRequest(
            world.guild.id, world.lounge.id, payer_id=world.bob.id, sound_id=sound.id, task_id=42
        )
    )

    assert result.credits_charged == 7
    assert voice.ledger.balances[world.bob.id] == 93
    assert voice.ledger.charges[0][-1] == 42


async def test_two_requests_in_one_server_play_one_after_the_other(voice: Voice) -> None:
    world = voice.world
    low = await _upload(voice, "low", 330, 0.6)
    high = await _upload(voice, "high", 660, 0.6)
    player = voice.make_player()

    first, second = await asyncio.gather(
        player.play(PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound_id=low.id)),
        player.play(PlayRequest(world.guild.id, world.lounge.id, world.bob.id, sound_id=high.id)),
    )
    audio = await voice.emulator.wait_for_audio(world.guild, frames=55)

    assert first.queued_seconds < 0.1
    assert 0.55 <= second.queued_seconds < 1.5
    parts = segments(audio)
    assert [round(p.dominant_frequency(), -1) for p in parts] == [330, 660]
    assert parts[0].packets[-1].arrival <= parts[1].packets[0].arrival
    assert voice.emulator.voice.ws_connections == 1


async def test_two_servers_play_at_the_same_time(voice: Voice) -> None:
    world, second = voice.world, voice.second
    here = await _upload(voice, "here", 440, 1.0)
    there = await voice.sounds.upload(second.guild.id, 1, "there", tone(550, 1.0))
    player = voice.make_player()

    results = await asyncio.gather(
        player.play(PlayRequest(world.guild.id, world.lounge.id, None, sound_id=here.id)),
        player.play(PlayRequest(second.guild.id, second.voice.id, None, sound_id=there.id)),
    )
    first = await voice.emulator.wait_for_audio(world.guild, frames=45)
    other = await voice.emulator.wait_for_audio(second.guild, frames=45)

    assert [r.queued_seconds < 0.1 for r in results] == [True, True]
    assert first.dominant_frequency() == pytest.approx(440, abs=5)
    assert other.dominant_frequency() == pytest.approx(550, abs=5)
    overlap = min(first.packets[-1].arrival, other.packets[-1].arrival) - max(
        first.packets[0].arrival, other.packets[0].arrival
    )
    assert overlap > 0.7
    assert voice.ledger.charges == []


async def test_missing_connect_permission_fails_before_joining(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.3)
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure, match="lacks the Connect permission in #Locked"):
        await player.play(PlayRequest(world.guild.id, world.locked.id, world.alice.id, sound.id))

    assert voice.emulator.bot_voice_channel(world.guild) is None
    assert voice.ledger.charges == []


async def test_missing_speak_permission_fails(voice: Voice) -> None:
    world = voice.world
    mute = voice.emulator.add_voice_channel(
        world.guild,
        "Mute",
        overwrites=[Overwrite.for_role(world.guild.everyone, deny=int(Permission.SPEAK))],
    )
    await voice.emulator.wait_for(lambda: voice.bot.get_channel(mute.id) is not None)
    sound = await _upload(voice, "bell", 440, 0.3)
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure, match="lacks the Speak permission in #Mute"):
        await player.play(PlayRequest(world.guild.id, mute.id, world.alice.id, sound_id=sound.id))


async def test_full_channel_fails(voice: Voice) -> None:
    world = voice.world
    await world.bob.join_voice(world.tiny)
    await voice.emulator.wait_for(
        lambda: len(voice.bot.get_channel(world.tiny.id).members) == 1  # type: ignore[union-attr]
    )
    sound = await _upload(voice, "bell", 440, 0.3)
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure, match=r"#Tiny is full \(1/1 members\)"):
        await player.play(PlayRequest(world.guild.id, world.tiny.id, world.alice.id, sound.id))


async def test_deleted_channel_fails(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.3)
    player = voice.make_player()
    await voice.emulator.delete_channel(world.lounge)
    await voice.emulator.wait_for(lambda: voice.bot.get_channel(world.lounge.id) is None)

    with pytest.raises(PermanentTaskFailure, match="voice channel no longer exists"):
        await player.play(PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id))


async def test_deleted_sound_fails(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.3)
    await voice.sounds.delete(world.guild.id, sound.id, actor_id=world.alice.id, is_admin=False)
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure, match="sound was deleted"):
        await player.play(PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id))


async def test_not_enough_credits_fails_and_plays_nothing(voice: Voice) -> None:
    world = voice.world
    sound = await voice.sounds.upload(
        world.guild.id, world.alice.id, "gold", tone(440, 0.3), cost=500
    )
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure, match="not enough credits: this costs 500"):
        await player.play(PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id))
    await asyncio.sleep(0.3)

    assert voice.emulator.voice_audio(world.guild).frames == 0
    assert voice.ledger.balances[world.alice.id] == 100


async def test_dropped_voice_socket_reconnects_and_finishes(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "long", 440, 2.0)
    player = voice.make_player()
    emulator = voice.emulator

    playing = asyncio.create_task(
        player.play(PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id))
    )
    await emulator.wait_for(lambda: emulator.voice_audio(world.guild).frames >= 30, timeout=10)
    await emulator.drop_voice(world.guild)
    result = await asyncio.wait_for(playing, timeout=30)
    audio = await emulator.wait_for_audio(world.guild, frames=90, idle=0.6)

    assert emulator.voice.ws_connections >= 2
    assert result.played_seconds == pytest.approx(2.0, rel=0.03)
    assert audio.frames == pytest.approx(sound.duration_seconds / FRAME, rel=0.03)
    assert audio.dominant_frequency() == pytest.approx(440, abs=5)


async def test_lost_ip_discovery_datagrams_are_sent_again(voice: Voice) -> None:
    """UDP loses datagrams; one lost discovery must not cost the connect timeout (15 s)."""
    world = voice.world
    sound = await _upload(voice, "short", 440, 0.5)
    udp = voice.emulator.voice.udp
    udp.lose_discoveries = 2

    result = await asyncio.wait_for(
        voice.make_player().play(
            PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id)
        ),
        timeout=5,
    )

    assert result.sounds_played == 1
    assert (udp.lose_discoveries, udp.discoveries) == (0, 1)


async def test_bot_leaves_after_being_idle(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.3)
    player = voice.make_player(idle=0.4)

    await player.play(PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id))
    assert voice.emulator.bot_voice_channel(world.guild) == world.lounge.id

    await voice.emulator.wait_for(
        lambda: voice.emulator.bot_voice_channel(world.guild) is None, timeout=3
    )


async def test_play_now_returns_at_once_and_the_channel_can_be_checked_first(
    voice: Voice,
) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.5)
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure, match="Connect permission in #Locked"):
        player.check_channel(world.guild.id, world.locked.id)
    player.check_channel(world.guild.id, world.lounge.id)
    task = player.start(PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id))
    done, _ = await asyncio.wait({task}, timeout=0.1)
    assert not done
    await voice.emulator.wait_for(lambda: player.now_playing(world.guild.id) is not None)
    result = await task

    assert result.sounds_played == 1


async def test_prepare_joins_ahead_and_the_play_reuses_the_connection(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.3)
    player = voice.make_player()
    request = PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id)

    assert await player.prepare(request)
    assert voice.emulator.bot_voice_channel(world.guild) == world.lounge.id
    assert not await player.prepare(replace(request, voice_channel_id=world.locked.id))
    await player.play(request)

    assert voice.emulator.voice.ws_connections == 1
    assert voice.emulator.voice_audio(world.guild).frames > 0


async def test_prepare_loads_the_sound_ahead_once_for_the_play_that_follows(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.3)
    loads: list[int] = []

    async def counted(guild_id: int, sound_id: int) -> PlayableSound:
        loads.append(sound_id)
        return await voice.sounds.playable(guild_id, sound_id)

    player = voice.make_player(load_sound=counted)
    request = PlayRequest(world.guild.id, world.lounge.id, world.alice.id, sound.id)

    assert await player.prepare(request)
    assert loads == [sound.id]
    await player.play(request)
    assert loads == [sound.id]
    await player.play(request)
    assert loads == [sound.id, sound.id]
    assert voice.emulator.voice_audio(world.guild).frames > 0


async def test_fixable_channel_problems_fail_the_run_but_not_the_task(voice: Voice) -> None:
    world = voice.world
    sound = await _upload(voice, "bell", 440, 0.3)
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure) as locked:
        await player.play(PlayRequest(world.guild.id, world.locked.id, world.alice.id, sound.id))
    await voice.emulator.delete_channel(world.tiny)
    await voice.emulator.wait_for(lambda: voice.bot.get_channel(world.tiny.id) is None)
    with pytest.raises(PermanentTaskFailure) as gone:
        await player.play(PlayRequest(world.guild.id, world.tiny.id, world.alice.id, sound.id))

    assert not locked.value.ends_task
    assert gone.value.ends_task
