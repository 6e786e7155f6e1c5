"""Maintenance jobs on APScheduler (in-memory job store).

Purge finished tasks past the retention, release leases whose holder vanished, and keep the
global daily credit-recharge system task in existence, exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.models.scheduled_task import RecurrenceType, ScheduledTask, TaskStatus, TaskType
from bot.models.task_run import RunOutcome
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.repositories.task_run import TaskRunRepository
from bot.scheduling.recurrence import localize, wall_clock, zone
from bot.uninterrupted import Uninterrupted

if TYPE_CHECKING:
    from bot.scheduling.dispatcher import Dispatcher

log = logging.getLogger(__name__)

DAILY_RECHARGE_KEY = "daily-credit-recharge"
CHECKPOINT_SECONDS = 10
INTERRUPTED = "interrupted: the process running it stopped"


class Maintenance:
    def __init__(self, db: Database, clock: Clock, config: Config, dispatcher: Dispatcher):
        self.db = db
        self.clock = clock
        self.config = config
        self.dispatcher = dispatcher
        self._scheduler: AsyncIOScheduler | None = None
        # APScheduler cancels a running job at shutdown: never in the middle of a transaction.
        self._work = Uninterrupted()

    def start(self) -> None:
        if self._scheduler is not None:
            return
        scheduler = AsyncIOScheduler(timezone="UTC")
        lease_check = max(1.0, self.dispatcher.settings.lease_seconds / 3)
        scheduler.add_job(
            self._uninterrupted(self.release_expired_leases),
            "interval",
            seconds=lease_check,
            id="release-leases",
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            self._uninterrupted(self.purge_finished),
            "interval",
            hours=1,
            id="purge",
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            self._uninterrupted(self.ensure_daily_recharge),
            "interval",
            hours=6,
            id="ensure-daily-recharge",
            coalesce=True,
            max_instances=1,
        )
        if self.db.is_sqlite:
            scheduler.add_job(
                self._uninterrupted(self.db.checkpoint),
                "interval",
                seconds=CHECKPOINT_SECONDS,
                id="sqlite-checkpoint",
                coalesce=True,
                max_instances=1,
            )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self, *, wait: float = 10.0) -> None:
        """Stop the jobs; a job under way ends first (at most ``wait`` seconds)."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        await self._work.drain(wait)

    def _uninterrupted(
        self, job: Callable[[], Coroutine[Any, Any, object]]
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self._work.run(job())

        return run

    async def purge_finished(self) -> int:
        """Delete tasks finished more than ``retention_days`` ago, with their run history."""
        before = self.clock.now() - timedelta(days=self.config.scheduler.retention_days)
        async with self.db() as session, session.begin():
            purged = await ScheduledTaskRepository(session).purge_finished(before)
        if purged:
            log.info("purged %d finished tasks", purged)
        return purged

    async def release_expired_leases(self) -> int:
        """Free the leases whose holder vanished; an attempt it had started is recorded as
        interrupted and goes back to pending at its own instant (its misfire grace decides).

        Only tasks this process may claim (its shards' guilds and system tasks), and never
        one of its own runs in flight: a lease that ran out while a busy process still runs
        the attempt is not a vanished holder. Another live process's guild tasks are its
        own; if it died, whoever takes its shards over frees them."""
        return await self._release(owner=None)

    async def release_own_leases(self) -> int:
        """At start: whatever our identity still holds was left by our previous life."""
        return await self._release(owner=self.dispatcher.owner)

    async def _release(self, owner: str | None) -> int:
        now = self.clock.now()
        released = 0
        async with self.db() as session, session.begin():
            repo = ScheduledTaskRepository(session)
            interrupted: list[dict[str, Any]] = []
            in_flight = self.dispatcher.claimed_ids() if owner is None else frozenset()
            shards = self.dispatcher.shards if owner is None else None
            for task in await repo.leases_to_release(now, owner, shards):
                if task.id in in_flight:
                    continue
                if not await repo.release_lease(task, now):
                    continue
                released += 1
                if task.status is TaskStatus.RUNNING:
                    interrupted.append(_interrupted_run(task, now))
            await TaskRunRepository(session).add_all(interrupted)
        if released:
            log.warning("released %d leases (%d runs interrupted)", released, len(interrupted))
            self.dispatcher.wake()
        return released

    async def ensure_daily_recharge(self) -> ScheduledTask:
        """The global daily recharge: created at the next midnight on first start, never twice."""
        async with self.db() as session:
            existing = await ScheduledTaskRepository(session).get_by_system_key(DAILY_RECHARGE_KEY)
        if existing is not None:
            return existing
        task = self._daily_recharge_task()
        try:
            async with self.db() as session, session.begin():
                await ScheduledTaskRepository(session).add(task)
        except IntegrityError:
            async with self.db() as session:
                existing = await ScheduledTaskRepository(session).get_by_system_key(
                    DAILY_RECHARGE_KEY
                )
            assert existing is not None
            return existing
        self.dispatcher.wake()
        return task

    def _daily_recharge_task(self) -> ScheduledTask:
        now = self.clock.now()
        tz_name = self.config.time.default_timezone
        tz = zone(tz_name)
        tomorrow = wall_clock(now, tz).date() + timedelta(days=1)
        first: datetime = localize(datetime.combine(tomorrow, time(0, 0)), tz)
        return ScheduledTask(
            name="Daily credit recharge",
            task_type=TaskType.CREDIT_RECHARGE,
            status=TaskStatus.PENDING,
            scheduled_at=first,
            timezone=tz_name,
            recurrence_type=RecurrenceType.DAILY,
            recurrence_interval=1,
            next_run_at=first,
            occurrence_at=first,
            executions_count=0,
            retry_count=0,
            parameters={},
            system_key=DAILY_RECHARGE_KEY,
            misfire_grace_seconds=24 * 3600,
            created_at=now,
            updated_at=now,
        )


def _interrupted_run(task: ScheduledTask, now: datetime) -> dict[str, Any]:
    """The run record of an attempt cut off by a crash: its own attempt number, not 0."""
    return {
        "task_id": task.id,
        "scheduled_for": task.occurrence_at or task.next_run_at or now,
        "started_at": task.attempt_started_at,
        "finished_at": now,
        "outcome": RunOutcome.INTERRUPTED,
        "attempt": task.retry_count + 1,
        "error": INTERRUPTED,
        "details": {},
    }
