"""The command tree last synced with Discord, so a start re-syncs only when it changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base

GLOBAL_SCOPE = 0


class CommandSync(Base):
    """One application's commands in one scope: globally (``guild_id`` 0) or in a server."""

    __tablename__ = "command_syncs"

    application_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime]
