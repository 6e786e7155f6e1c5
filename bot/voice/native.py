"""Sending a soundboard sound natively (``send_sound``): whether the bot may, and joining for it.

A native play needs no voice connection: the bot's voice state in the channel (gateway only),
not deafened, muted or suppressed, and Speak and Use Soundboard there. Members' clients play
the sound from the server's soundboard, so nothing is encoded, encrypted or streamed.
"""

from __future__ import annotations

import asyncio

import discord

from bot.audio.store import PlayableSound
from bot.permissions import SOUNDBOARD, missing
from bot.voice.channel import VoiceChannel

POLL_SECONDS = 0.02


class NativeUnavailable(Exception):
    """Why this sound cannot be sent natively now (it is streamed instead)."""


def soundboard_sound_for(channel: VoiceChannel, sound: PlayableSound) -> discord.SoundboardSound:
    """The server's soundboard sound to send for ``sound``; ``NativeUnavailable`` saying why not.

    A sound that never came from the soundboard raises with an empty message: streaming it
    needs no note.
    """
    if sound.soundboard_sound_id is None:
        raise NativeUnavailable("")
    guild = channel.guild
    board = guild.get_soundboard_sound(sound.soundboard_sound_id)
    if board is None:
        raise NativeUnavailable(
            f"{sound.name!r} is no longer on the server's soundboard, so the library copy played"
        )
    if not board.available:
        raise NativeUnavailable(f"{board.name!r} is unavailable on the server's soundboard")
    if not isinstance(channel, discord.VoiceChannel):
        raise NativeUnavailable("soundboard sounds cannot be sent in a stage channel")
    check_native_permissions(channel)
    state = guild.me.voice
    if state is not None and (state.mute or state.deaf or state.suppress):
        raise NativeUnavailable("the bot is server-muted or deafened, so it cannot send sounds")
    return board


def check_native_permissions(channel: VoiceChannel) -> None:
    lacking = missing(channel.permissions_for(channel.guild.me), SOUNDBOARD)
    if lacking:
        raise NativeUnavailable(
            f"the bot lacks the {' and '.join(lacking)} permission in #{channel.name}"
        )


async def join_for_native(channel: discord.VoiceChannel, wait_seconds: float) -> None:
    """Be in ``channel``, neither self-muted nor self-deafened, with a voice state only.

    A voice connection in another channel is left first; one in this channel is kept (the
    bot just undeafens).
    """
    guild = channel.guild
    voice = guild.voice_client
    if voice is not None and getattr(voice.channel, "id", None) != channel.id:
        await voice.disconnect(force=True)
    if _ready(guild, channel):
        return
    await guild.change_voice_state(channel=channel, self_mute=False, self_deaf=False)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while not _ready(guild, channel):
        if loop.time() >= deadline:
            raise NativeUnavailable(
                f"the bot could not join #{channel.name} within {wait_seconds:g} s"
            )
        await asyncio.sleep(POLL_SECONDS)


def _ready(guild: discord.Guild, channel: discord.VoiceChannel) -> bool:
    state = guild.me.voice
    return (
        state is not None
        and state.channel is not None
        and state.channel.id == channel.id
        and not (state.self_deaf or state.self_mute)
    )


async def leave_voice_state(guild: discord.Guild) -> None:
    """Leave a channel joined for native plays only (there is no voice client to disconnect)."""
    state = guild.me.voice if guild.me is not None else None
    if guild.voice_client is None and state is not None and state.channel is not None:
        await guild.change_voice_state(channel=None)
