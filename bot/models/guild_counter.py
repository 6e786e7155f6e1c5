"""Each server's last task number, so numbers are handed out once and never reused."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class GuildTaskCounter(Base):
    __tablename__ = "guild_task_counters"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_number: Mapped[int]
