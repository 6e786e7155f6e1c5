"""The bot's messages about a task that are kept true, so a restart keeps redrawing them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, IdType, enum_column


class MessageKind(enum.StrEnum):
    # A public confirmation: edited through its channel for as long as the task lives.
    CONFIRMATION = "confirmation"
    # An ephemeral reply: only its interaction's token may edit it, until ``expires_at``.
    REPLY = "reply"
    # An ephemeral task list (``task_id`` 0; ``title`` names its scope and page), redrawn
    # when a task of its server changes, while its token lives.
    LIST = "list"
    # "Now playing" while its play runs: one left at a start was cut short by a restart.
    NOW_PLAYING = "now_playing"


class TrackedMessage(Base):
    __tablename__ = "tracked_messages"
    # Ids are never reused (SQLite would hand a deleted last row's id to the next one): a
    # row dropped meanwhile must not make its holder's later update hit another row.
    __table_args__ = (Index("ix_tracked_messages_task", "task_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(BigInteger)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind, 16))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(256))
    interaction_token: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    # A digest of what the message shows, so a redraw that changes nothing is not sent.
    shown: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
