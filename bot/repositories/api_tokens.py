"""The HTTP API's tokens by id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.api_token import ApiToken


class ApiTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: ApiToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def get(self, token_id: str) -> ApiToken | None:
        return await self.session.get(ApiToken, token_id)

    async def revoke(self, token_id: str, at: datetime) -> bool:
        result = await self.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(getattr(result, "rowcount", 0))
