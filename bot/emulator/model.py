"""The emulated Discord world (users, guilds, roles, channels, members, messages) and payloads."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_counter = itertools.count(1)


def snowflake() -> int:
    """A fresh, increasing snowflake whose timestamp is now."""
    return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_counter) % (1 << 22))


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


class ChannelType(IntEnum):
    TEXT = 0
    VOICE = 2
    CATEGORY = 4
    STAGE_VOICE = 13


class Permission(IntEnum):
    """The permission bits the emulator knows by name."""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MOVE_MEMBERS = 1 << 24
    MANAGE_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    USE_SOUNDBOARD = 1 << 42
    CREATE_EXPRESSIONS = 1 << 43
    USE_EXTERNAL_SOUNDS = 1 << 45
    SET_VOICE_CHANNEL_STATUS = 1 << 48


ALL_PERMISSIONS = (1 << 50) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.CONNECT
    | Permission.SPEAK
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.USE_SOUNDBOARD
)


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": True,
            "flags": 0,
        }


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (``type`` 0) or a member (``type`` 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    @classmethod
    def for_role(cls, role: Role, *, allow: int = 0, deny: int = 0) -> Overwrite:
        return cls(role.id, 0, allow, deny)

    @classmethod
    def for_member(cls, member: Member, *, allow: int = 0, deny: int = 0) -> Overwrite:
        return cls(member.id, 1, allow, deny)

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: ChannelType
    position: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)
    user_limit: int = 0
    bitrate: int = 64000
    parent_id: int | None = None
    # A voice channel's status line ("▶ Morning bell"); None when unset.
    status: str | None = None

    @property
    def is_voice(self) -> bool:
        return self.type in (ChannelType.VOICE, ChannelType.STAGE_VOICE)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "type": int(self.type),
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "nsfw": False,
            "flags": 0,
        }
        if self.is_voice:
            data |= {
                "bitrate": self.bitrate,
                "user_limit": self.user_limit,
                "rtc_region": None,
                "video_quality_mode": 1,
                "last_message_id": None,
                "rate_limit_per_user": 0,
            }
        elif self.type == ChannelType.TEXT:
            data |= {"topic": None, "last_message_id": None, "rate_limit_per_user": 0}
        return data


@dataclass
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self, *, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.payload(),
            "nick": self.nick,
            "avatar": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class VoiceState:
    user_id: int
    guild_id: int
    channel_id: int | None
    session_id: str
    self_mute: bool = False
    self_deaf: bool = False
    # set by the server (a moderator), not by the user
    mute: bool = False
    deaf: bool = False
    suppress: bool = False

    def payload(self, member: Member | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id) if self.channel_id else None,
            "user_id": str(self.user_id),
            "session_id": self.session_id,
            "deaf": self.deaf,
            "mute": self.mute,
            "self_deaf": self.self_deaf,
            "self_mute": self.self_mute,
            "self_video": False,
            "suppress": self.suppress,
            "request_to_speak_timestamp": None,
        }
        if member is not None:
            data["member"] = member.payload()
        return data


@dataclass
class Attachment:
    """A file: one a member attaches to a slash command, or one the bot uploads."""

    id: int
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"
    url: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    voice_states: dict[int, VoiceState] = field(default_factory=dict)
    system_channel_id: int | None = None
    # soundboard sounds by id (``bot.emulator.soundboard.SoundboardSound``)
    soundboard: dict[int, Any] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def channel_named(self, name: str) -> Channel:
        return next(c for c in self.channels.values() if c.name == name)

    def role_named(self, name: str) -> Role:
        return next(r for r in self.roles.values() if r.name == name)

    def base_permissions(self, member: Member) -> int:
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role_id in member.role_ids:
            role = self.roles.get(role_id)
            if role is not None:
                value |= role.permissions
        return ALL_PERMISSIONS if value & Permission.ADMINISTRATOR else value

    def permissions_in(self, member: Member, channel: Channel) -> int:
        """Discord's permission resolution: base, then @everyone, role and member overwrites."""
        value = self.base_permissions(member)
        if value == ALL_PERMISSIONS:
            return value
        by_id = {o.id: o for o in channel.overwrites}
        if (everyone := by_id.get(self.id)) is not None:
            value = (value & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            if (o := by_id.get(role_id)) is not None and o.type == 0:
                allow |= o.allow
                deny |= o.deny
        value = (value & ~deny) | allow
        if (own := by_id.get(member.id)) is not None and own.type == 1:
            value = (value & ~own.deny) | own.allow
        return value

    def members_in(self, channel_id: int) -> list[int]:
        return [v.user_id for v in self.voice_states.values() if v.channel_id == channel_id]

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "features": [],
            "system_channel_id": str(self.system_channel_id) if self.system_channel_id else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
        }

    def create_payload(self) -> dict[str, Any]:
        """The GUILD_CREATE payload: the guild with its channels, members and voice states."""
        return self.payload() | {
            "unavailable": False,
            "large": False,
            "joined_at": iso_now(),
            "member_count": len(self.members),
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [],
            "members": [m.payload() for m in self.members.values()],
            "voice_states": [
                v.payload() for v in self.voice_states.values() if v.channel_id is not None
            ],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [s.payload() for s in self.soundboard.values()],
        }


@dataclass
class Message:
    """A message as the emulator stores it; ``version`` grows on every edit."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    interaction_id: int | None = None
    deleted: bool = False
    version: int = 0

    EPHEMERAL = 1 << 6
    LOADING = 1 << 7

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & self.LOADING)

    def custom_ids(self) -> list[str]:
        """Every ``custom_id`` in the message's components, in order."""
        found: list[str] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                if "custom_id" in item:
                    found.append(item["custom_id"])
                walk(item.get("components", []))
                if isinstance(item.get("accessory"), dict):
                    walk([item["accessory"]])

        walk(self.components)
        return found

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        def walk(items: list[dict[str, Any]]) -> dict[str, Any] | None:
            for item in items:
                if item.get("custom_id") == custom_id:
                    return item
                if (inner := walk(item.get("components", []))) is not None:
                    return inner
            return None

        return walk(self.components)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload() for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": 20 if self.interaction_id else 0,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        return data


def new_guild(name: str, *, owner_name: str = "owner", guild_id: int | None = None) -> Guild:
    """A guild with its @everyone role and an owner member."""
    owner = User(snowflake(), owner_name)
    guild = Guild(id=guild_id or snowflake(), name=name, owner_id=owner.id)
    guild.roles[guild.id] = Role(guild.id, "@everyone", int(DEFAULT_EVERYONE_PERMISSIONS))
    guild.members[owner.id] = Member(owner, guild.id)
    return guild


def add_role(guild: Guild, name: str, *, permissions: int = 0) -> Role:
    role = Role(snowflake(), name, permissions, position=len(guild.roles))
    guild.roles[role.id] = role
    return role


def add_channel(
    guild: Guild,
    name: str,
    kind: ChannelType,
    *,
    overwrites: list[Overwrite] | None = None,
    user_limit: int = 0,
) -> Channel:
    channel = Channel(
        snowflake(),
        guild.id,
        name,
        kind,
        position=len(guild.channels),
        overwrites=list(overwrites or []),
        user_limit=user_limit,
    )
    guild.channels[channel.id] = channel
    return channel


def add_member(guild: Guild, name: str, *, roles: list[Role] | tuple[Role, ...] = ()) -> Member:
    member = Member(User(snowflake(), name), guild.id, [r.id for r in roles])
    guild.members[member.id] = member
    return member
