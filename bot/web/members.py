"""The bot's live view of a member: who they are in a server decides what they may do."""

from __future__ import annotations

import discord

from bot.errors import InvalidInput, NotFound
from bot.services.actor import Actor
from bot.services.task_requests import PlayTarget
from bot.voice.channel import missing_permission

NOT_A_MEMBER = "You are not a member of server {guild_id}, or the bot is not in it."


class MemberView:
    """Answers from discord.py's cache (guilds and members intents), as slash commands see it."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    @property
    def application_id(self) -> int | None:
        return self.client.application_id

    def actor(self, user_id: int, guild_id: int) -> Actor:
        """The member as an ``Actor``; ``NotFound`` when they (or the bot) are not in it."""
        guild = self.client.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        if guild is None or member is None:
            raise NotFound(NOT_A_MEMBER.format(guild_id=guild_id))
        return Actor(
            user_id,
            guild_id,
            role_ids=tuple(role.id for role in member.roles),
            is_owner=guild.owner_id == user_id,
        )

    def guild_ids(self, user_id: int) -> list[int]:
        """The servers the bot shares with the member."""
        return [g.id for g in self.client.guilds if g.get_member(user_id) is not None]

    def guild_name(self, guild_id: int) -> str:
        guild = self.client.get_guild(guild_id)
        return guild.name if guild is not None else str(guild_id)

    def voice_channels(self, guild_id: int) -> list[tuple[int, str]]:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return []
        return [(c.id, c.name) for c in guild.channels if isinstance(c, discord.VoiceChannel)]

    def text_channels(self, guild_id: int) -> list[tuple[int, str]]:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return []
        return [(c.id, c.name) for c in guild.channels if isinstance(c, discord.TextChannel)]

    def roles(self, guild_id: int) -> list[tuple[int, str]]:
        """The server's roles a member can hold (not ``@everyone``, not a bot's own)."""
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return []
        return [
            (r.id, r.name) for r in guild.roles if not r.is_default() and not r.is_bot_managed()
        ]

    def role_names(self, guild_id: int, role_ids: list[int]) -> list[str]:
        guild = self.client.get_guild(guild_id)
        names = []
        for role_id in role_ids:
            role = guild.get_role(role_id) if guild is not None else None
            names.append(role.name if role is not None else str(role_id))
        return names

    def play_target(self, guild_id: int, channel_id: int | None) -> PlayTarget:
        """Where a play goes, refused like ``/schedule`` refuses a channel."""
        if channel_id is None:
            raise InvalidInput("channel_id: give the voice channel to play in.")
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        if channel is None:
            raise InvalidInput(f"channel_id: server {guild_id} has no channel {channel_id}.")
        is_voice = isinstance(channel, discord.VoiceChannel | discord.StageChannel)
        lacking = missing_permission(channel) if is_voice else None  # type: ignore[arg-type]
        if lacking is not None:
            raise InvalidInput(
                f"channel_id: I lack the {lacking} permission in #{channel.name}. "
                "Pick another channel, or ask an admin to grant it."
            )
        return PlayTarget(voice_channel_id=channel_id, text_channel_id=None, is_voice=is_voice)
