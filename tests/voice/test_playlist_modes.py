"""Playlist modes as the emulator hears them: one tone per sound, in the order played."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest

from bot.audio.order import play_order
from bot.audio.tones import tone
from bot.errors import PermanentTaskFailure
from bot.voice.play import PlaylistMode, PlayRequest
from tests.support.capture import segments, tones
from tests.voice.conftest import Voice

FREQUENCIES = [330, 440, 550, 660]
SECONDS = 0.4


async def _playlist(voice: Voice) -> int:
    world = voice.world
    playlist = await voice.playlists.create(world.guild.id, world.alice.id, "scale")
    for frequency in FREQUENCIES:
        sound = await voice.sounds.upload(
            world.guild.id, world.alice.id, f"{frequency} Hz", tone(frequency, SECONDS, "wav")
        )
        await voice.playlists.add(
            world.guild.id, playlist.id, sound.id, actor_id=world.alice.id, is_admin=False
        )
    return playlist.id


def _request(voice: Voice, playlist_id: int, mode: PlaylistMode, **kwargs) -> PlayRequest:
    world = voice.world
    return PlayRequest(
        world.guild.id,
        world.lounge.id,
        world.alice.id,
        playlist_id=playlist_id,
        mode=mode,
        **kwargs,
    )


async def _heard(voice: Voice, frames: int) -> list[int]:
    audio = await voice.emulator.wait_for_audio(voice.world.guild, frames=frames, idle=0.5)
    return tones(audio)


async def test_continuous_plays_each_sound_once_in_order(voice: Voice) -> None:
    playlist_id = await _playlist(voice)
    player = voice.make_player()

    result = await player.play(_request(voice, playlist_id, PlaylistMode.CONTINUOUS))

    assert await _heard(voice, 75) == FREQUENCIES
    assert result.sounds_played == 4
    assert result.played_seconds == pytest.approx(4 * SECONDS, rel=0.05)
    assert result.credits_charged == 4
    assert result.details["sounds"] == [f"{f} Hz" for f in FREQUENCIES]


async def test_single_plays_the_first_sound_and_costs_one_sound(voice: Voice) -> None:
    playlist_id = await _playlist(voice)
    player = voice.make_player()

    result = await player.play(_request(voice, playlist_id, PlaylistMode.SINGLE))

    assert await _heard(voice, 18) == [330]
    assert result.credits_charged == 1


async def test_loop_repeats_the_list_until_the_playback_limit(voice: Voice) -> None:
    playlist_id = await _playlist(voice)
    player = voice.make_player(limit=2.0)

    result = await player.play(_request(voice, playlist_id, PlaylistMode.LOOP))

    assert await _heard(voice, 95) == [330, 440, 550, 660, 330]
    assert result.played_seconds == pytest.approx(2.0, abs=0.05)
    assert result.details["limit_reached"]
    assert result.credits_charged == 4


async def test_loop_one_repeats_the_first_sound_until_the_limit(voice: Voice) -> None:
    playlist_id = await _playlist(voice)
    player = voice.make_player(limit=1.2)

    result = await player.play(_request(voice, playlist_id, PlaylistMode.LOOP_ONE))

    assert await _heard(voice, 55) == [330, 330, 330]
    assert result.credits_charged == 1
    assert result.details["limit_reached"]


async def test_random_picks_follow_the_injected_generator(voice: Voice) -> None:
    playlist_id = await _playlist(voice)
    expected = list(
        itertools.islice(play_order(FREQUENCIES, PlaylistMode.RANDOM, rng=random.Random(99)), 5)
    )
    voice.rng.seed(99)
    player = voice.make_player(limit=2.0)

    await player.play(_request(voice, playlist_id, PlaylistMode.RANDOM))

    assert await _heard(voice, 95) == expected


async def test_shuffle_plays_every_sound_once_in_a_shuffled_order(voice: Voice) -> None:
    playlist_id = await _playlist(voice)
    expected = list(
        play_order(FREQUENCIES, PlaylistMode.CONTINUOUS, shuffle=True, rng=random.Random(5))
    )
    assert expected != FREQUENCIES
    voice.rng.seed(5)
    player = voice.make_player()

    await player.play(_request(voice, playlist_id, PlaylistMode.CONTINUOUS, shuffle=True))

    assert await _heard(voice, 75) == expected


async def test_skip_goes_to_the_next_sound_and_stop_ends_the_loop(voice: Voice) -> None:
    playlist_id = await _playlist(voice)
    player = voice.make_player()
    emulator, guild_id = voice.emulator, voice.world.guild.id

    playing = asyncio.create_task(player.play(_request(voice, playlist_id, PlaylistMode.LOOP)))
    await emulator.wait_for(lambda: emulator.voice_audio(guild_id).frames >= 5)
    assert player.now_playing(guild_id).sound.name == "330 Hz"
    assert await player.skip(guild_id)
    await emulator.wait_for(lambda: len(segments(emulator.voice_audio(guild_id))) >= 2)
    await emulator.wait_for(lambda: player.now_playing(guild_id).sound.name == "440 Hz")
    assert await player.stop(guild_id)
    result = await asyncio.wait_for(playing, timeout=5)

    assert result.stopped
    assert result.sounds_played == 2
    assert result.played_seconds < 2 * SECONDS
    assert player.now_playing(guild_id) is None
    assert not await player.stop(guild_id)
    heard = await _heard(voice, 5)
    assert len(heard) == 2
    assert heard == pytest.approx([330, 440], abs=20)


async def test_empty_playlist_fails_clearly(voice: Voice) -> None:
    world = voice.world
    empty = await voice.playlists.create(world.guild.id, world.alice.id, "empty")
    player = voice.make_player()

    with pytest.raises(PermanentTaskFailure, match="playlist is empty"):
        await player.play(_request(voice, empty.id, PlaylistMode.LOOP))
