"""Queries and conditional updates over the scheduled-tasks table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.scheduled_task import (
    ACTIVE_STATUSES,
    LIVE_STATUSES,
    ScheduledTask,
    TaskStatus,
    TaskType,
)

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

    def holds(self, guild_id: int) -> bool:
        return self.shard_of(guild_id) in self.shard_ids

    def shard_of(self, guild_id: int) -> int:
        return (guild_id >> 22) % self.shard_count

    def clause(self) -> ColumnElement[bool]:
        # PostgreSQL shifts a bigint by an integer only.
        shard = ScheduledTask.guild_id.op(">>")(literal(22, Integer)) % self.shard_count
        return or_(ScheduledTask.guild_id.is_(None), shard.in_(sorted(self.shard_ids)))


def paused_row(row: dict[str, Any]) -> dict[str, Any]:
    """A run's record for a task paused while it ran: it stays paused if runs are left."""
    values = {k: v for k, v in row.items() if k != "cancelled_values"}
    if values["status"] is TaskStatus.PENDING:
        values["status"] = TaskStatus.PAUSED
    return values


def _kept_while_running(column: Any) -> Any:
    return case((ScheduledTask.status == TaskStatus.RUNNING, column), else_=None)


class ScheduledTaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, task: ScheduledTask) -> ScheduledTask:
        self.session.add(task)
        await self.session.flush()
        return task

    async def get(self, task_id: int) -> ScheduledTask | None:
        return await self.session.get(ScheduledTask, task_id)

    async def get_by_number(self, guild_id: int, number: int) -> ScheduledTask | None:
        result = await self.session.execute(
            select(ScheduledTask).where(
                ScheduledTask.guild_id == guild_id, ScheduledTask.number == number
            )
        )
        return result.scalar_one_or_none()

    async def numbers(self, task_ids: Sequence[int]) -> dict[int, int]:
        """Each given task's number in its server (tasks of no server, or gone, left out)."""
        if not task_ids:
            return {}
        result = await self.session.execute(
            select(ScheduledTask.id, ScheduledTask.number).where(
                ScheduledTask.id.in_(sorted(set(task_ids))), ScheduledTask.number.is_not(None)
            )
        )
        return {int(task_id): int(number) for task_id, number in result.all()}

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
        with_system: bool = False,
        due_before: datetime | None = None,
    ) -> list[ScheduledTask]:
        """Tasks matching every given filter, soonest first, then newest; ``with_system``:
        the tasks of no server (the daily recharge) too; ``due_before``: only those whose next
        attempt is before it."""
        filters = self._filters(user_id, guild_id, statuses, task_type, with_system)
        if due_before is not None:
            filters.append(ScheduledTask.next_run_at < due_before)
        query = select(ScheduledTask).where(*filters)
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
        with_system: bool = False,
    ) -> int:
        query = select(func.count()).select_from(ScheduledTask)
        query = query.where(*self._filters(user_id, guild_id, statuses, task_type, with_system))
        return int((await self.session.execute(query)).scalar_one())

    async def count_by_guild(self, statuses: Sequence[TaskStatus]) -> dict[int, int]:
        """How many tasks in ``statuses`` each server has (servers with none are left out)."""
        query = (
            select(ScheduledTask.guild_id, func.count())
            .where(ScheduledTask.status.in_(statuses), ScheduledTask.guild_id.is_not(None))
            .group_by(ScheduledTask.guild_id)
        )
        rows = (await self.session.execute(query)).all()
        return {int(guild_id): int(count) for guild_id, count in rows}

    @staticmethod
    def _filters(
        user_id: int | None,
        guild_id: int | None,
        statuses: Sequence[TaskStatus] | None,
        task_type: TaskType | None,
        with_system: bool = False,
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(ScheduledTask.user_id == user_id)
        if guild_id is not None and with_system:
            clauses.append(
                or_(ScheduledTask.guild_id == guild_id, ScheduledTask.guild_id.is_(None))
            )
        elif guild_id is not None:
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
        """Cancel an active or paused task; False when it was already finished or does not exist.

        A pending task's claim is dropped with it: the claimer's start then finds nothing.
        A running task keeps its lease, so its runner can still record the run.
        """
        result = await self.session.execute(
            update(ScheduledTask)
            .where(ScheduledTask.id == task_id, ScheduledTask.status.in_(LIVE_STATUSES))
            .values(
                status=TaskStatus.CANCELLED,
                next_run_at=None,
                updated_at=now,
                lease_owner=_kept_while_running(ScheduledTask.lease_owner),
                lease_expires_at=_kept_while_running(ScheduledTask.lease_expires_at),
            ),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def pause(self, task_id: int, now: datetime) -> bool:
        """Pause a pending or running task; False when it is neither.

        Like a cancel, a pending task's claim is dropped (its claimer's start then finds
        nothing) and a running one keeps its lease, so its run is still recorded; the
        record leaves it paused when runs are left.
        """
        result = await self.session.execute(
            update(ScheduledTask)
            .where(ScheduledTask.id == task_id, ScheduledTask.status.in_(ACTIVE_STATUSES))
            .values(
                status=TaskStatus.PAUSED,
                paused_at=now,
                updated_at=now,
                lease_owner=_kept_while_running(ScheduledTask.lease_owner),
                lease_expires_at=_kept_while_running(ScheduledTask.lease_expires_at),
            ),
            execution_options=_NO_SYNC,
        )
        return bool(result.rowcount)

    async def get_for_update(self, task_id: int) -> ScheduledTask | None:
        """The task, its row locked until the transaction ends (an edit racing a claim)."""
        result = await self.session.execute(
            select(ScheduledTask)
            .where(ScheduledTask.id == task_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def next_due_at(self, shards: ShardFilter | None = None) -> datetime | None:
        """The earliest attempt nobody has claimed; a claim's expiry counts as its due time."""
        unclaimed = select(func.min(ScheduledTask.next_run_at)).where(
            ScheduledTask.status == TaskStatus.PENDING, ScheduledTask.lease_owner.is_(None)
        )
        # lease_expires_at, not lease_owner: the (status, lease_expires_at) index skips NULLs.
        claimed = select(func.min(ScheduledTask.lease_expires_at)).where(
            ScheduledTask.status == TaskStatus.PENDING,
            ScheduledTask.lease_expires_at.is_not(None),
        )
        if shards is not None:
            unclaimed = unclaimed.where(shards.clause())
            claimed = claimed.where(shards.clause())
        instants = [
            (await self.session.execute(query)).scalar_one_or_none()
            for query in (unclaimed, claimed)
        ]
        return min((i for i in instants if i is not None), default=None)

    async def claim_due(
        self,
        now: datetime,
        due_by: datetime,
        limit: int,
        owner: str,
        lease_expires_at: datetime,
        shards: ShardFilter | None = None,
    ) -> list[ScheduledTask]:
        """Lease the earliest attempts due by ``due_by`` in one conditional UPDATE.

        The tasks stay pending (members may still edit or cancel them) until ``start``.
        An attempt leased by another live claimer is not returned: two claimers never both
        win one attempt. A claim whose holder let it expire is taken over.
        """
        free = or_(ScheduledTask.lease_owner.is_(None), ScheduledTask.lease_expires_at < now)
        due = select(ScheduledTask.id).where(
            ScheduledTask.status == TaskStatus.PENDING, ScheduledTask.next_run_at <= due_by, free
        )
        if shards is not None:
            due = due.where(shards.clause())
        due = due.order_by(ScheduledTask.next_run_at).limit(limit)
        result = await self.session.scalars(
            update(ScheduledTask)
            .where(
                ScheduledTask.id.in_(due.scalar_subquery()),
                ScheduledTask.status == TaskStatus.PENDING,
                ScheduledTask.next_run_at <= due_by,
                free,
            )
            .values(lease_owner=owner, lease_expires_at=lease_expires_at)
            .returning(ScheduledTask),
            execution_options=_NO_SYNC,
        )
        return sorted(result.all(), key=lambda task: (task.next_run_at, task.id))

    async def start(
        self, task_ids: Sequence[int], owner: str, now: datetime, lease_expires_at: datetime
    ) -> set[int]:
        """Mark claimed attempts running; the ids that started.

        The same conditional UPDATE that starts a run checks that it is still pending and
        still ours, so a cancel or an edit committed before it always wins.
        """
        result = await self.session.scalars(
            update(ScheduledTask)
            .where(
                ScheduledTask.id.in_(sorted(task_ids)),
                ScheduledTask.lease_owner == owner,
                ScheduledTask.status == TaskStatus.PENDING,
            )
            .values(
                status=TaskStatus.RUNNING,
                attempt_started_at=now,
                lease_expires_at=lease_expires_at,
                updated_at=now,
            )
            .returning(ScheduledTask.id),
            execution_options=_NO_SYNC,
        )
        return set(result.all())

    async def record_runs(
        self, owner: str, rows: Sequence[dict[str, Any]]
    ) -> dict[int, TaskStatus]:
        """Write run outcomes to tasks still leased by ``owner``; each written id's status
        before the write (running, or cancelled while it ran).

        ``rows`` hold every column a run sets, keyed as the columns are, plus ``id``; each
        also gives ``cancelled_values`` for a task cancelled while it ran. Two statements
        for any number of rows besides the read: one executemany for each case.
        A task paused while it ran is written like a running one, but stays paused.
        """
        ids = [row["id"] for row in rows]
        current = await self.session.execute(
            select(ScheduledTask.id, ScheduledTask.status)
            .where(ScheduledTask.id.in_(sorted(ids)), ScheduledTask.lease_owner == owner)
            .with_for_update()
        )
        status: dict[int, TaskStatus] = {row.id: row.status for row in current}
        running, cancelled = [], []
        for row in rows:
            if status.get(row["id"]) is TaskStatus.RUNNING:
                running.append({k: v for k, v in row.items() if k != "cancelled_values"})
            elif status.get(row["id"]) is TaskStatus.PAUSED:
                running.append(paused_row(row))
            elif status.get(row["id"]) is TaskStatus.CANCELLED:
                cancelled.append({"id": row["id"], **row["cancelled_values"]})
        for batch in (running, cancelled):
            if batch:
                await self.session.execute(update(ScheduledTask), batch)
        return {row["id"]: status[row["id"]] for row in running + cancelled}

    async def update_leased(
        self,
        task_id: int,
        owner: str,
        values: dict[str, Any],
        *,
        status: TaskStatus | None = None,
    ) -> bool:
        """Change a task whose lease ``owner`` holds (and, if given, in ``status``)."""
        query = update(ScheduledTask).where(
            ScheduledTask.id == task_id, ScheduledTask.lease_owner == owner
        )
        if status is not None:
            query = query.where(ScheduledTask.status == status)
        result = await self.session.execute(query.values(**values), execution_options=_NO_SYNC)
        return bool(result.rowcount)

    async def renew_leases(
        self, task_ids: Sequence[int], owner: str, lease_expires_at: datetime
    ) -> int:
        result = await self.session.execute(
            update(ScheduledTask)
            .where(ScheduledTask.id.in_(sorted(task_ids)), ScheduledTask.lease_owner == owner)
            .values(lease_expires_at=lease_expires_at),
            execution_options=_NO_SYNC,
        )
        return int(result.rowcount or 0)

    async def leases_to_release(
        self, now: datetime, owner: str | None = None, shards: ShardFilter | None = None
    ) -> list[ScheduledTask]:
        """Leased active tasks whose lease expired, or (``owner``) every one ``owner`` holds;
        ``shards``: only those."""
        held = (
            ScheduledTask.lease_owner == owner
            if owner is not None
            else ScheduledTask.lease_expires_at < now
        )
        query = select(ScheduledTask).where(
            ScheduledTask.status.in_(ACTIVE_STATUSES),
            ScheduledTask.lease_owner.is_not(None),
            held,
        )
        if shards is not None:
            query = query.where(shards.clause())
        result = await self.session.execute(query)
        return list(result.scalars())

    async def release_lease(self, task: ScheduledTask, now: datetime) -> bool:
        """Drop a lease whose holder vanished; an attempt it had started becomes pending again.

        The attempt keeps its instant, so the next claim judges it by its misfire grace like
        any missed run; ``attempt_started_at`` stays, telling that run it was interrupted.
        """
        values: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}
        if task.status is TaskStatus.RUNNING:
            values |= {
                "status": TaskStatus.PENDING,
                "retry_count": ScheduledTask.retry_count + 1,
                "updated_at": now,
            }
        result = await self.session.execute(
            update(ScheduledTask)
            .where(
                ScheduledTask.id == task.id,
                ScheduledTask.status == task.status,
                ScheduledTask.lease_owner == task.lease_owner,
                ScheduledTask.lease_expires_at == task.lease_expires_at,
            )
            .values(**values),
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
