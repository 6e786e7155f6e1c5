"""Which of the bot's messages about tasks are kept true, stored so a restart keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.clock import Clock
from bot.db import Database
from bot.models.tracked_message import MessageKind, TrackedMessage
from bot.repositories.tracked_messages import TrackedMessageRepository

# Discord lets an interaction's token edit its messages for 15 minutes; stop a little before,
# so that a redraw never races the expiry.
REPLY_EDITABLE_FOR = timedelta(minutes=15) - timedelta(seconds=30)


class TrackedMessageService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def add(
        self,
        task_id: int,
        guild_id: int | None,
        channel_id: int,
        message_id: int,
        title: str,
        *,
        interaction_token: str | None = None,
        kind: MessageKind | None = None,
        shown: str | None = None,
    ) -> TrackedMessage:
        """A public confirmation, or (``interaction_token``) an ephemeral reply, which can be
        edited only until the token expires; or a message of another ``kind``."""
        now = self.clock.now()
        if kind is None:
            kind = MessageKind.REPLY if interaction_token else MessageKind.CONFIRMATION
        row = TrackedMessage(
            task_id=task_id,
            guild_id=guild_id,
            kind=kind,
            channel_id=channel_id,
            message_id=message_id,
            title=title[:256],
            interaction_token=interaction_token,
            expires_at=now + REPLY_EDITABLE_FOR if interaction_token else None,
            shown=shown,
            created_at=now,
        )
        async with self.db() as session, session.begin():
            repository = TrackedMessageRepository(session)
            # Replies nobody redrew since expire here, so the table does not grow forever.
            await repository.drop_expired(now)
            return await repository.add(row)

    async def load(self, kinds: Sequence[MessageKind]) -> list[TrackedMessage]:
        """Every message of ``kinds`` still to keep true; expired replies are dropped."""
        async with self.db() as session, session.begin():
            repository = TrackedMessageRepository(session)
            await repository.drop_expired(self.clock.now())
            return await repository.live(self.clock.now(), kinds)

    async def drop(self, ids: Sequence[int]) -> None:
        async with self.db() as session, session.begin():
            await TrackedMessageRepository(session).drop(ids)

    async def drop_task(self, task_id: int, kinds: Sequence[MessageKind]) -> None:
        """Forget the task's messages of ``kinds`` (its task is over, or gone)."""
        async with self.db() as session, session.begin():
            await TrackedMessageRepository(session).drop_task(task_id, kinds)

    async def set_title(self, row_id: int, title: str) -> None:
        async with self.db() as session, session.begin():
            await TrackedMessageRepository(session).set_title(row_id, title)

    async def set_shown(self, row_id: int, shown: str) -> None:
        async with self.db() as session, session.begin():
            await TrackedMessageRepository(session).set_shown(row_id, shown)
