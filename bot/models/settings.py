"""Per-server and per-member settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class GuildSettings(Base):
    """A server's overrides; a null column falls back to the config's value."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    default_timezone: Mapped[str | None] = mapped_column(String(64))
    default_sound_cost: Mapped[int | None]
    recharge_amount: Mapped[int | None]
    recharge_cap: Mapped[int | None]
    max_active_tasks: Mapped[int | None]
    max_playback_seconds: Mapped[int | None]
    # Where "now playing" goes: null, the channel each task was scheduled from; 0, nowhere.
    announcement_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class GuildAdminRole(Base):
    """A role added with ``/admin roles add``: its holders are admins of the server."""

    __tablename__ = "guild_admin_roles"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class MemberSettings(Base):
    """A member's own settings; the timezone follows them across servers."""

    __tablename__ = "member_settings"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]
