"""Server settings, server admin roles and member settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.settings import GuildAdminRole, GuildSettings, MemberSettings


class SettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def guild(self, guild_id: int) -> GuildSettings | None:
        return await self.session.get(GuildSettings, guild_id)

    async def guild_for_update(self, guild_id: int, now: datetime) -> GuildSettings:
        settings = await self.session.get(GuildSettings, guild_id, with_for_update=True)
        if settings is None:
            settings = GuildSettings(guild_id=guild_id, updated_at=now)
            self.session.add(settings)
        settings.updated_at = now
        return settings

    async def member(self, user_id: int) -> MemberSettings | None:
        return await self.session.get(MemberSettings, user_id)

    async def set_member_timezone(self, user_id: int, timezone: str | None, now: datetime) -> None:
        settings = await self.session.get(MemberSettings, user_id, with_for_update=True)
        if settings is None:
            settings = MemberSettings(user_id=user_id, updated_at=now)
            self.session.add(settings)
        settings.timezone = timezone
        settings.updated_at = now
        await self.session.flush()

    async def admin_role_ids(self, guild_id: int) -> list[int]:
        result = await self.session.execute(
            select(GuildAdminRole.role_id)
            .where(GuildAdminRole.guild_id == guild_id)
            .order_by(GuildAdminRole.created_at)
        )
        return list(result.scalars())

    async def add_admin_role(
        self, guild_id: int, role_id: int, added_by: int | None, now: datetime
    ) -> bool:
        if await self.session.get(GuildAdminRole, (guild_id, role_id)) is not None:
            return False
        self.session.add(
            GuildAdminRole(guild_id=guild_id, role_id=role_id, added_by=added_by, created_at=now)
        )
        await self.session.flush()
        return True

    async def remove_admin_role(self, guild_id: int, role_id: int) -> bool:
        result = await self.session.execute(
            delete(GuildAdminRole).where(
                GuildAdminRole.guild_id == guild_id, GuildAdminRole.role_id == role_id
            )
        )
        return bool(result.rowcount)
