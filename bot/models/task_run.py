"""The history of task runs: one row for every attempt, missed occurrence and skip."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, IdType, enum_column


class RunOutcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRYING = "retrying"  # a transient failure; another attempt is scheduled
    MISSED = "missed"  # the bot was offline beyond the misfire grace
    INTERRUPTED = "interrupted"  # the process running it stopped; the lease was released
    SKIPPED = "skipped"  # a member skipped this occurrence; nothing played, nothing charged


class TaskRun(Base):
    __tablename__ = "task_runs"
    __table_args__ = (Index("ix_task_runs_task", "task_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("scheduled_tasks.id", ondelete="CASCADE"))
    scheduled_for: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[RunOutcome] = mapped_column(enum_column(RunOutcome))
    attempt: Mapped[int] = mapped_column(default=1)
    error: Mapped[str | None] = mapped_column(Text)
    # Handler facts: queue wait, credits charged, members recharged...
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Who ran it: the dispatcher's lease identity (its process) and the guild's shard as that
    # process held it (None: not sharded, a system task, or a member's skip).
    runner: Mapped[str | None] = mapped_column(String(64))
    shard_id: Mapped[int | None]
