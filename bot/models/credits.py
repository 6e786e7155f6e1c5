"""Credit balances per member and server, and the ledger of every change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, IdType


class CreditBalance(Base):
    __tablename__ = "credit_balances"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    balance: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class CreditTransaction(Base):
    """One change to one balance: ``amount`` is signed, ``balance_after`` what it left."""

    __tablename__ = "credit_transactions"
    __table_args__ = (Index("ix_credit_transactions_member", "guild_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int]
    balance_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_tasks.id", ondelete="SET NULL")
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("task_runs.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    # One charge per occurrence of a scheduled play ("play:<task>:<occurrence>"): a re-run
    # after a crash finds it and charges nothing.
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
