"""Scheduled tasks: what to do, when, and how it repeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, IdType, enum_column
from bot.task_kinds import RecurrenceType, TaskStatus, TaskType

__all__ = [
    "ACTIVE_STATUSES",
    "LIVE_STATUSES",
    "RecurrenceType",
    "ScheduledTask",
    "TaskStatus",
    "TaskType",
]


ACTIVE_STATUSES = (TaskStatus.PENDING, TaskStatus.RUNNING)
# What a member still holds: the active tasks and the paused ones (caps, cancel, lists).
LIVE_STATUSES = (*ACTIVE_STATUSES, TaskStatus.PAUSED)


class ScheduledTask(Base):
    """A task and its schedule. All datetimes are aware UTC; ``timezone`` is the wall clock."""

    __tablename__ = "scheduled_tasks"
    __table_args__ = (
        Index("ix_scheduled_tasks_due", "status", "next_run_at"),
        Index("ix_scheduled_tasks_user", "user_id", "status"),
        Index("ix_scheduled_tasks_guild", "guild_id", "status"),
        Index("ix_scheduled_tasks_lease", "status", "lease_expires_at"),
        UniqueConstraint("guild_id", "number"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    task_type: Mapped[TaskType] = mapped_column(enum_column(TaskType))
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.PENDING)

    # The first run, and the zone whose wall clock the recurrence keeps.
    scheduled_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")

    recurrence_type: Mapped[RecurrenceType] = mapped_column(
        enum_column(RecurrenceType), default=RecurrenceType.NONE
    )
    # Units between runs: minutes (minutely), hours, days, weeks, months or years.
    recurrence_interval: Mapped[int] = mapped_column(default=1)
    cron_expression: Mapped[str | None] = mapped_column(String(120))
    recurrence_count: Mapped[int | None]
    until: Mapped[datetime | None]
    # The wall-clock time daily-and-longer steps keep, when the first run fell in a DST gap
    # and was shifted (asked 02:30, first run 03:30); null: the first run's own wall clock.
    wall_anchor: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))

    executions_count: Mapped[int] = mapped_column(default=0)
    # When the pending attempt is due (an occurrence, or a retry of one); null once finished.
    next_run_at: Mapped[datetime | None]
    # The occurrence that attempt belongs to: equals next_run_at except while retrying.
    occurrence_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]
    # When a member paused it; null unless paused.
    paused_at: Mapped[datetime | None]

    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    # What members call the task: #1, #2 … in its server (``guild_task_counters``); the id
    # stays internal (buttons, the HTTP API). Null for a system task of no server.
    number: Mapped[int | None]
    # Unique key of a system task ("daily-recharge"), so ensuring it never duplicates it.
    system_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    error_message: Mapped[str | None] = mapped_column(Text)
    retry_count: Mapped[int] = mapped_column(default=0)
    misfire_grace_seconds: Mapped[int] = mapped_column(default=300)

    # A lease: the process that claimed the pending attempt ahead of its instant, or runs it.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    # When the running attempt started. A release keeps it on the pending task, so the
    # attempt's re-run knows it was interrupted; recording a run clears it.
    attempt_started_at: Mapped[datetime | None]

    @property
    def is_recurring(self) -> bool:
        return self.recurrence_type is not RecurrenceType.NONE

    @property
    def has_later_runs(self) -> bool:
        """Runs are left after the current one: a one-shot, or a last run, has none."""
        if not self.is_recurring or self.status not in ACTIVE_STATUSES:
            return False
        return self.recurrence_count is None or self.executions_count + 1 < self.recurrence_count

    @property
    def ref(self) -> str:
        """The task as members name it: "#3", or "system task" for one of no server."""
        return f"#{self.number}" if self.number is not None else "system task"

    def __repr__(self) -> str:
        return f"<ScheduledTask {self.id} {self.task_type} {self.status} next={self.next_run_at}>"
