"""What a task does, how it repeats and where it stands: plain enums, so parsing times
(``python -m bot when``) needs no database code. ``bot.models.scheduled_task`` re-exports them."""

from __future__ import annotations

import enum


class TaskType(enum.StrEnum):
    CREDIT_RECHARGE = "credit_recharge"
    PLAY_SOUND = "play_sound"
    PLAY_PLAYLIST = "play_playlist"


class RecurrenceType(enum.StrEnum):
    NONE = "none"
    # Elapsed-time steps of ``recurrence_interval`` minutes ("every 15 minutes").
    MINUTELY = "minutely"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    CRON = "cron"


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Keeps its schedule; never claimed, never "missed"; resuming goes on from the next
    # future occurrence.
    PAUSED = "paused"
