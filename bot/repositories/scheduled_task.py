"""Queries and conditional updates over the scheduled-tasks table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.scheduled_task import ACTIVE_STATUSES, ScheduledTask, TaskStatus, TaskType

# The rows changed by UPDATEs here are not reloaded into the session: nothing to synchronise.
_NO_SYNC = {"synchronize_session": False}
FINISHED_STATUSES = (TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class ShardFilter:
    """Which guilds' tasks a dispatcher may claim: ``(guild_id >> 22) % count in ids``.

    System tasks (no guild) are open to every dispatcher; their lease decides.
    """

    shard_ids: frozenset[int]
    shard_count: int

    def clause(self) -> ColumnElement[bool]:
        # PostgreSQL shifts a bigint by an integer only.
        shard = ScheduledTask.guild_id.op(">>")(literal(22, Integer)) % self.shard_count
        return or_(ScheduledTask.guild_id.is_(None), shard.in_(sorted(self.shard_ids)))


class ScheduledTaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, task: ScheduledTask) -> ScheduledTask:
        self.session.add(task)
        await self.session.flush()
        return task

    async def get(self, task_id: int) -> ScheduledTask | None:
        return await self.session.get(ScheduledTask, task_id)

    async def get_by_system_key(self, key: str) -> ScheduledTask | None:
        result = await self.session.execute(
            select(ScheduledTask).where(ScheduledTask.system_key == key)
        )
        return result.scalar_one_or_none()

    async def filter(
        self,
        *,
        user_id: int | None = None,
        guild_id: int | None = None,
        statuses: Sequence[TaskStatus] | None = None,
        task_type: TaskType | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[ScheduledTask]:
        """Tasks matching every given filter, soonest first, then newest."""
        query = select(ScheduledTask).where(*self._filters(user_id, guild_id, statuses, task_type))
        query = query.order_by(
            ScheduledTask.next_run_at.is_(None),
            ScheduledTask.next_run_at,
            ScheduledTask.id.desc(),
        )
        if limit is not None:
            query = query.limit(limit)
        result = await self.session.execute(query.offset(offset))
        return list(result.scalars())

    async def count(
        self,
        *,
        user_id: int | None = None,
        guild_id: int | None = None,
        statuses: Sequence[TaskStatus] | None = None,
        task_type: TaskType | None = None,
    ) -> int:
        query = select(func.count()).select_from(ScheduledTask)
        query = query.where(*self._filters(user_id, guild_id, statuses, task_type))
        return int((await self.session.execute(query)).scalar_one())

    @staticmethod
    def _filters(
        user_id: int | None,
        guild_id: int | None,
        statuses: Sequence[TaskStatus] | None,
        task_type: TaskType | None,
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(ScheduledTask.user_id == user_id)
        if guild_id is not None:
            clauses.append(ScheduledTask.guild_id == guild_id)
        if statuses:
            clauses.append(ScheduledTask.status.in_(list(statuses)))
        if task_type is not None:
            clauses.append(ScheduledTask.task_type == task_type)
        return clauses

    async def set_status(
        self, task_id: int, status: TaskStatus, now: datetime, error_message: str | None = None
    ) -> bool:
        values: dict[str, object] = {"status": status, "updated_at": now}
        if error_message is not None:
            values["error_message"] = error_message
        if status not in ACTIVE_STATUSES:
            values["next_run_at"] = None
        result = await self.session.execute(
            update(ScheduledTask).where(ScheduledTask.id == task_id).values(**values),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def cancel(self, task_id: int, now: datetime) -> bool:
        """Cancel an active task; False when it was already finished or does not exist."""
        result = await self.session.execute(
            update(ScheduledTask)
            .where(ScheduledTask.id == task_id, ScheduledTask.status.in_(ACTIVE_STATUSES))
            .values(status=TaskStatus.CANCELLED, next_run_at=None, updated_at=now),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def next_due_at(self, shards: ShardFilter | None = None) -> datetime | None:
        query = select(func.min(ScheduledTask.next_run_at)).where(
            ScheduledTask.status == TaskStatus.PENDING
        )
        if shards is not None:
            query = query.where(shards.clause())
        return (await self.session.execute(query)).scalar_one_or_none()

    async def claim_due(
        self,
        now: datetime,
        limit: int,
        owner: str,
        lease_expires_at: datetime,
        shards: ShardFilter | None = None,
    ) -> list[ScheduledTask]:
        """Lease the earliest due attempts in one conditional UPDATE; the tasks won, in order.

        An attempt another process leased first is no longer pending, so it is not returned:
        two claimers never both win one attempt.
        """
        due = select(ScheduledTask.id).where(
            ScheduledTask.status == TaskStatus.PENDING, ScheduledTask.next_run_at <= now
        )
        if shards is not None:
            due = due.where(shards.clause())
        due = due.order_by(ScheduledTask.next_run_at).limit(limit)
        result = await self.session.scalars(
            update(ScheduledTask)
            .where(
                ScheduledTask.id.in_(due.scalar_subquery()),
                ScheduledTask.status == TaskStatus.PENDING,
                ScheduledTask.next_run_at <= now,
            )
            .values(
                status=TaskStatus.RUNNING,
                lease_owner=owner,
                lease_expires_at=lease_expires_at,
                updated_at=now,
            )
            .returning(ScheduledTask),
            execution_options=_NO_SYNC,
        )
        return sorted(result.all(), key=lambda task: (task.next_run_at, task.id))

    async def update_running(self, task_id: int, owner: str, values: dict[str, Any]) -> bool:
        """Write a run's outcome to a task still running under ``owner``'s lease."""
        result = await self.session.execute(
            update(ScheduledTask)
            .where(
                ScheduledTask.id == task_id,
                ScheduledTask.lease_owner == owner,
                ScheduledTask.status == TaskStatus.RUNNING,
            )
            .values(**values),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def update_leased(self, task_id: int, owner: str, values: dict[str, Any]) -> bool:
        """Change a task whose lease ``owner`` holds, whatever its status."""
        result = await self.session.execute(
            update(ScheduledTask)
            .where(ScheduledTask.id == task_id, ScheduledTask.lease_owner == owner)
            .values(**values),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def finish_after_cancel(
        self, task_id: int, owner: str, *, ran: bool, now: datetime
    ) -> bool:
        """A task cancelled while it ran: count the run, drop the lease, keep the cancellation."""
        values: dict[str, Any] = {
            "executions_count": ScheduledTask.executions_count + int(ran),
            "lease_owner": None,
            "lease_expires_at": None,
            "updated_at": now,
        }
        if ran:
            values["last_run_at"] = now
        return await self.update_leased(task_id, owner, values)

    async def leased_by(self, task_ids: set[int], owner: str) -> set[int]:
        """Which of these tasks are still running under ``owner``'s lease."""
        result = await self.session.scalars(
            select(ScheduledTask.id).where(
                ScheduledTask.id.in_(sorted(task_ids)),
                ScheduledTask.status == TaskStatus.RUNNING,
                ScheduledTask.lease_owner == owner,
            )
        )
        return set(result)

    async def renew_lease(self, task_id: int, owner: str, lease_expires_at: datetime) -> bool:
        result = await self.session.execute(
            update(ScheduledTask)
            .where(ScheduledTask.id == task_id, ScheduledTask.lease_owner == owner)
            .values(lease_expires_at=lease_expires_at),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def expired_leases(self, now: datetime) -> list[ScheduledTask]:
        result = await self.session.execute(
            select(ScheduledTask).where(
                ScheduledTask.status == TaskStatus.RUNNING,
                ScheduledTask.lease_expires_at < now,
            )
        )
        return list(result.scalars())

    async def release_lease(
        self, task: ScheduledTask, now: datetime, expected_expiry: datetime
    ) -> bool:
        """Put a task whose runner vanished back to pending, due now, for the same occurrence."""
        result = await self.session.execute(
            update(ScheduledTask)
            .where(
                ScheduledTask.id == task.id,
                ScheduledTask.status == TaskStatus.RUNNING,
                ScheduledTask.lease_owner == task.lease_owner,
                ScheduledTask.lease_expires_at == expected_expiry,
            )
            .values(
                status=TaskStatus.PENDING,
                next_run_at=now,
                lease_owner=None,
                lease_expires_at=None,
                retry_count=ScheduledTask.retry_count + 1,
                updated_at=now,
            ),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def purge_finished(self, before: datetime) -> int:
        """Delete finished tasks last touched before ``before`` (their runs go with them)."""
        result = await self.session.execute(
            delete(ScheduledTask).where(
                and_(
                    ScheduledTask.status.in_(FINISHED_STATUSES),
                    ScheduledTask.updated_at < before,
                )
            )
        )
        return int(result.rowcount or 0)
