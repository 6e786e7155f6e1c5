"""The API's JSON bodies: the original system's task fields, plus what a Discord bot needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.models.scheduled_task import RecurrenceType, ScheduledTask, TaskStatus, TaskType


class TaskCreate(BaseModel):
    """``scheduled_at`` (naive: wall clock in ``timezone``) or ``when`` (the slash commands'
    language, read in ``timezone`` or else the member's zone)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100)
    task_type: TaskType
    scheduled_at: datetime | None = None
    when: str | None = Field(None, max_length=200)
    timezone: str | None = None
    recurrence_type: RecurrenceType = RecurrenceType.NONE
    cron_expression: str | None = None
    recurrence_count: int | None = Field(None, ge=1)
    parameters: dict[str, Any] = Field(default_factory=dict)
    guild_id: int
    channel_id: int | None = None


class TaskPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100)
    when: str | None = Field(None, max_length=200)
    scheduled_at: datetime | None = None
    timezone: str | None = None
    recurrence_type: RecurrenceType | None = None
    cron_expression: str | None = None
    recurrence_count: int | None = Field(None, ge=1)


class Rename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class PlaylistCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    guild_id: int
    name: str = Field(min_length=1, max_length=100)


class PlaylistAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sound_id: int


class PlaylistMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: int = Field(ge=1)


def z(instant: datetime | None) -> str | None:
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def task_json(task: ScheduledTask) -> dict[str, Any]:
    return {
        "id": task.id,
        # What members see in Discord ("#3"); null for a system task of no server.
        "number": task.number,
        "name": task.name,
        "task_type": str(TaskType(task.task_type)),
        "status": str(TaskStatus(task.status)),
        "scheduled_at": z(task.scheduled_at),
        "timezone": task.timezone,
        "recurrence_type": str(RecurrenceType(task.recurrence_type)),
        "cron_expression": task.cron_expression,
        "recurrence_count": task.recurrence_count,
        "parameters": dict(task.parameters or {}),
        "next_run_at": z(task.next_run_at),
        "executions_count": task.executions_count,
        "user_id": task.user_id,
        "guild_id": task.guild_id,
        "created_at": z(task.created_at),
        "updated_at": z(task.updated_at),
    }
