"""``/stop``, ``/skip`` and the Stop button follow one rule: whoever started the play, or an
admin; another member is refused even in the voice channel."""

from __future__ import annotations

import asyncio

from bot.voice.play import PlaylistMode, PlayRequest
from tests.cogs.conftest import App
from tests.support.capture import tones
from tests.support.library import extensions as extensions
from tests.support.library import stored, upload

FRAME = 0.02


async def _playing(app: App, seconds: float = 3.0) -> None:
    """Alice plays a long sound in the lounge; returns once audio flows."""
    world = app.world
    await upload(app, world.alice, "long", seconds=seconds)
    await world.alice.join_voice(world.lounge)
    reply = await world.alice.slash("sound play", sound="long")
    await reply.wait_until_ready(timeout=10)
    await app.emulator.wait_for(lambda: app.emulator.voice_audio(world.guild).frames >= 10)


async def test_a_member_in_the_voice_channel_is_refused_like_the_stop_button(app: App) -> None:
    world = app.world
    await world.bob.join_voice(world.lounge)
    await _playing(app)

    refused = await world.bob.slash("stop")
    stopped = await world.alice.slash("stop")
    audio = await app.emulator.wait_for_audio(world.guild, frames=1, idle=0.5)

    assert refused.ephemeral
    assert "Only the member who started this play or a Carillon admin can stop it." in (
        refused.content
    )
    assert not stopped.ephemeral
    assert stopped.content == f"⏹️ <@{world.alice.id}> stopped **long** in <#{world.lounge.id}>."
    assert audio.frames < 3.0 / FRAME / 2
    assert app.services.player.now_playing(world.guild.id) is None


async def test_another_member_is_refused_and_an_admin_may_stop(app: App) -> None:
    world = app.world
    await _playing(app)

    refused = await world.bob.slash("stop")
    stopped = await world.admin.slash("stop")

    assert refused.ephemeral
    assert "Only the member who started this play or a Carillon admin can stop it." in (
        refused.content
    )
    assert stopped.content.startswith(f"⏹️ <@{world.admin.id}> stopped **long**")


async def test_the_member_who_started_it_may_stop_it_from_elsewhere(app: App) -> None:
    world = app.world
    await _playing(app)
    await world.alice.leave_voice()

    reply = await world.alice.slash("stop")

    assert reply.content.startswith(f"⏹️ <@{world.alice.id}> stopped **long**")


async def test_skip_moves_a_playlist_to_its_next_sound(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "low", frequency=330, seconds=3.0)
    await upload(app, world.alice, "high", frequency=660, seconds=0.5)
    playlists = app.services.playlists
    playlist = await playlists.create(world.guild.id, world.alice.id, "pair")
    for name in ("low", "high"):
        sound = await stored(app, name)
        await playlists.add(
            world.guild.id, playlist.id, sound.id, actor_id=world.alice.id, is_admin=False
        )
    await world.alice.join_voice(world.lounge)
    request = PlayRequest(
        world.guild.id,
        world.lounge.id,
        world.alice.id,
        playlist_id=playlist.id,
        mode=PlaylistMode.CONTINUOUS,
    )
    play = asyncio.create_task(app.services.player.play(request))
    await app.emulator.wait_for(lambda: app.emulator.voice_audio(world.guild).frames >= 10)

    refused = await world.bob.slash("skip")
    reply = await world.alice.slash("skip")
    result = await asyncio.wait_for(play, timeout=10)
    audio = await app.emulator.wait_for_audio(world.guild, frames=30, idle=0.5)

    assert "Only the member who started this play" in refused.content
    assert reply.content == f"⏭️ <@{world.alice.id}> skipped **low** in <#{world.lounge.id}>."
    assert tones(audio) == [330, 660]
    assert result.sounds_played == 2
    assert result.played_seconds < 2.0


async def test_nothing_to_stop_or_skip(app: App) -> None:
    stop = await app.world.admin.slash("stop")
    skip = await app.world.alice.slash("skip")

    assert stop.ephemeral
    assert stop.content == "❌ Nothing is playing in this server right now."
    assert skip.content == "❌ Nothing is playing in this server right now."
