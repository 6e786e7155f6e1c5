"""Server and member settings, with the config's values as defaults, and who is an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.errors import InvalidInput
from bot.models.settings import GuildSettings, MemberSettings
from bot.repositories.settings import SettingsRepository
from bot.services.actor import Actor
from bot.tzdb import is_zone

DEFAULT_MAX_ACTIVE_TASKS = 25
NO_ANNOUNCEMENTS = 0
T = TypeVar("T")

GUILD_SETTING_LIMITS = {
    "default_sound_cost": (0, 1_000_000),
    "recharge_amount": (0, 1_000_000),
    "recharge_cap": (0, 10_000_000),
    "max_active_tasks": (1, 1000),
    "max_playback_seconds": (1, 24 * 3600),
}


@dataclass(frozen=True, slots=True)
class EffectiveGuildSettings:
    """A server's settings with every gap filled from the config."""

    guild_id: int
    timezone: str
    default_sound_cost: int
    recharge_amount: int
    recharge_cap: int
    max_active_tasks: int
    max_playback_seconds: float
    # None: each task's own channel; NO_ANNOUNCEMENTS: nowhere; else that channel.
    announcement_channel_id: int | None = None

    @property
    def announces(self) -> bool:
        return self.announcement_channel_id != NO_ANNOUNCEMENTS


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def zone_for(member: MemberSettings | None, server: EffectiveGuildSettings) -> str:
    """The member's zone, else the server's default (itself the config's unless set)."""
    return member.timezone if member is not None and member.timezone else server.timezone


def validate_timezone(name: str) -> str:
    """The IANA name, or ``InvalidInput`` saying how to fix it."""
    if not is_zone(name):
        raise InvalidInput(
            f"{name[:60]!r} is not a timezone I know. Use an IANA name such as "
            "'Europe/Paris' or 'America/New_York'."
        )
    return name


class SettingsService:
    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    async def guild(self, guild_id: int) -> EffectiveGuildSettings:
        async with self.db() as session:
            stored = await SettingsRepository(session).guild(guild_id)
        return self.effective(guild_id, stored)

    def effective(self, guild_id: int, stored: GuildSettings | None) -> EffectiveGuildSettings:
        credits, voice = self.config.credits, self.config.voice
        empty = GuildSettings(guild_id=guild_id)
        s = stored or empty
        return EffectiveGuildSettings(
            guild_id=guild_id,
            timezone=_or(s.default_timezone, self.config.time.default_timezone),
            default_sound_cost=_or(s.default_sound_cost, credits.default_cost),
            recharge_amount=_or(s.recharge_amount, credits.recharge_amount),
            recharge_cap=_or(s.recharge_cap, credits.recharge_cap),
            max_active_tasks=_or(s.max_active_tasks, DEFAULT_MAX_ACTIVE_TASKS),
            max_playback_seconds=float(_or(s.max_playback_seconds, voice.max_playback_seconds)),
            announcement_channel_id=s.announcement_channel_id,
        )

    async def update_guild(
        self, guild_id: int, *, timezone: str | None = None, **values: int | None
    ) -> EffectiveGuildSettings:
        """Change the given settings (None leaves one as it is)."""
        for name, value in values.items():
            if name not in GUILD_SETTING_LIMITS:
                raise InvalidInput(f"there is no server setting called {name!r}")
            low, high = GUILD_SETTING_LIMITS[name]
            if value is not None and not low <= value <= high:
                raise InvalidInput(f"{name.replace('_', ' ')} must be between {low} and {high}")
        if timezone is not None:
            validate_timezone(timezone)
        async with self.db() as session, session.begin():
            stored = await SettingsRepository(session).guild_for_update(guild_id, self.clock.now())
            if timezone is not None:
                stored.default_timezone = timezone
            for name, value in values.items():
                if value is not None:
                    setattr(stored, name, value)
            effective = self.effective(guild_id, stored)
            if effective.recharge_cap < effective.recharge_amount:
                raise InvalidInput("the recharge cap must be at least the recharge amount")
        return effective

    async def set_announcements(
        self, guild_id: int, channel_id: int | None
    ) -> EffectiveGuildSettings:
        """Where "now playing" goes: a channel, ``NO_ANNOUNCEMENTS``, or (None) the channel
        each task was scheduled from."""
        async with self.db() as session, session.begin():
            stored = await SettingsRepository(session).guild_for_update(guild_id, self.clock.now())
            stored.announcement_channel_id = channel_id
            return self.effective(guild_id, stored)

    async def member_timezone(self, user_id: int) -> str | None:
        async with self.db() as session:
            stored = await SettingsRepository(session).member(user_id)
        return stored.timezone if stored is not None else None

    async def set_member_timezone(self, user_id: int, timezone: str | None) -> None:
        if timezone is not None:
            validate_timezone(timezone)
        async with self.db() as session, session.begin():
            await SettingsRepository(session).set_member_timezone(
                user_id, timezone, self.clock.now()
            )

    async def admin_role_ids(self, guild_id: int) -> list[int]:
        async with self.db() as session:
            return await SettingsRepository(session).admin_role_ids(guild_id)

    async def add_admin_role(self, guild_id: int, role_id: int, added_by: int | None) -> bool:
        async with self.db() as session, session.begin():
            return await SettingsRepository(session).add_admin_role(
                guild_id, role_id, added_by, self.clock.now()
            )

    async def remove_admin_role(self, guild_id: int, role_id: int) -> bool:
        async with self.db() as session, session.begin():
            return await SettingsRepository(session).remove_admin_role(guild_id, role_id)

    async def is_admin(self, actor: Actor) -> bool:
        """Server owner, a configured owner, or holder of a config or server admin role."""
        if actor.is_admin is not None:
            return actor.is_admin
        if actor.is_owner or actor.user_id in self.config.discord.owner_ids:
            return True
        roles = set(actor.role_ids)
        if roles & set(self.config.discord.admin_role_ids):
            return True
        return bool(roles & set(await self.admin_role_ids(actor.guild_id)))
