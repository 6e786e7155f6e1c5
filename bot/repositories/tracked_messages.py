"""The messages kept true about tasks, by task."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.tracked_message import MessageKind, TrackedMessage


class TrackedMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message: TrackedMessage) -> TrackedMessage:
        self.session.add(message)
        await self.session.flush()
        return message

    async def live(self, now: datetime, kinds: Sequence[MessageKind]) -> list[TrackedMessage]:
        """The tracked messages of ``kinds`` whose token (if one is needed) has not expired."""
        result = await self.session.execute(
            select(TrackedMessage)
            .where(
                TrackedMessage.kind.in_(list(kinds)),
                or_(TrackedMessage.expires_at.is_(None), TrackedMessage.expires_at > now),
            )
            .order_by(TrackedMessage.id)
        )
        return list(result.scalars())

    async def drop_expired(self, now: datetime) -> int:
        result = await self.session.execute(
            delete(TrackedMessage).where(TrackedMessage.expires_at <= now)
        )
        return int(result.rowcount or 0)

    async def drop(self, ids: Sequence[int]) -> None:
        if ids:
            await self.session.execute(
                delete(TrackedMessage).where(TrackedMessage.id.in_(sorted(ids)))
            )

    async def drop_task(self, task_id: int, kinds: Sequence[MessageKind]) -> None:
        await self.session.execute(
            delete(TrackedMessage).where(
                TrackedMessage.task_id == task_id, TrackedMessage.kind.in_(list(kinds))
            )
        )

    async def set_title(self, row_id: int, title: str) -> None:
        await self.session.execute(
            update(TrackedMessage)
            .where(TrackedMessage.id == row_id)
            .values(title=title[:256], shown=None)
        )

    async def set_shown(self, message_id: int, shown: str) -> None:
        await self.session.execute(
            update(TrackedMessage).where(TrackedMessage.id == message_id).values(shown=shown)
        )
