"""Finding the voice channel of a request, and refusing what cannot work before joining."""

from __future__ import annotations

import discord

from bot.errors import PermanentTaskFailure
from bot.permissions import VOICE, missing

VoiceChannel = discord.VoiceChannel | discord.StageChannel


def voice_channel_for(client: discord.Client, guild_id: int, channel_id: int) -> VoiceChannel:
    """The channel to join; ``PermanentTaskFailure`` saying why the bot cannot play there.

    A missing permission or a full channel fails this run only (``ends_task=False``): a
    recurring task may find it fixed next time. A channel or server that is gone ends it.
    """
    guild = client.get_guild(guild_id)
    if guild is None:
        raise PermanentTaskFailure("The bot is no longer in that server.")
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        raise PermanentTaskFailure(
            "The voice channel no longer exists. Pick another voice channel."
        )
    permissions = channel.permissions_for(guild.me)
    lacking = missing(permissions, VOICE)
    if lacking:
        raise PermanentTaskFailure(
            f"The bot lacks the {lacking[0]} permission in #{channel.name}. "
            "Ask an admin to grant it, or pick another channel.",
            ends_task=False,
        )
    already_there = any(member.id == guild.me.id for member in channel.members)
    full = channel.user_limit and len(channel.members) >= channel.user_limit
    if full and not already_there and not permissions.move_members:
        raise PermanentTaskFailure(
            f"#{channel.name} is full ({len(channel.members)}/{channel.user_limit} members). "
            "Raise its user limit or pick another channel.",
            ends_task=False,
        )
    return channel
