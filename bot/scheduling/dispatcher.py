"""The dispatcher: one per process, over the tasks table, the only source of truth.

It sleeps until the earliest due attempt (at most an hour), wakes early when told a task
changed, and claims attempts due within ``lead_seconds`` with a conditional UPDATE (a lease).
Each claimed run prepares, waits for its exact instant, runs its handler and is recorded in
the transaction that also sets the next occurrence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.batching import Coalescer
from bot.clock import Clock
from bot.db import Database
from bot.errors import PermanentTaskFailure, TaskFailure
from bot.models.scheduled_task import ScheduledTask, TaskStatus
from bot.models.task_run import RunOutcome, TaskRun
from bot.repositories.scheduled_task import ScheduledTaskRepository, ShardFilter
from bot.repositories.task_run import TaskRunRepository
from bot.scheduling.occurrences import MissedRuns, remaining_after, resolve_misfire
from bot.services.notifications import TaskNotifier
from bot.services.task_handlers import RunContext, TaskHandlerRegistry

log = logging.getLogger(__name__)

MISSED_OFFLINE = "missed while the bot was offline"


@dataclass(frozen=True, slots=True)
class DispatcherSettings:
    max_retries: int = 3
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    lease_seconds: float = 60.0
    max_sleep_seconds: float = 3600.0
    # Attempts due this soon are claimed ahead, their handler prepares (a play joins voice),
    # and they start at their exact instant: the claim and the join are not part of lateness.
    lead_seconds: float = 3.0
    # Just before its instant a task claimed ahead is read again: cancelled elsewhere, it stops.
    recheck_seconds: float = 0.05
    batch_size: int = 2000
    error_backoff_seconds: float = 5.0

    def backoff(self, retry: int) -> timedelta:
        """Delay before retry number ``retry`` (1-based): base, 2x base, 4x base..."""
        seconds = self.retry_base_seconds * 2 ** (retry - 1)
        return timedelta(seconds=min(seconds, self.retry_max_seconds))


@dataclass(slots=True)
class _Outcome:
    outcome: RunOutcome
    error: str | None = None
    details: dict[str, Any] | None = None
    ends_task: bool = True


def _failure_outcome(task: ScheduledTask, exc: Exception) -> _Outcome:
    """Permanent failures fail at once; transient and unexpected ones are retried."""
    if isinstance(exc, PermanentTaskFailure):
        return _Outcome(RunOutcome.FAILED, str(exc), ends_task=exc.ends_task)
    if isinstance(exc, TaskFailure):
        return _Outcome(RunOutcome.RETRYING, str(exc))
    log.error("task %s: handler raised", task.id, exc_info=exc)
    return _Outcome(RunOutcome.RETRYING, f"internal error ({type(exc).__name__})")


class LeaseLostError(Exception):
    """Our lease on a task ended before the run was recorded."""


class Dispatcher:
    def __init__(
        self,
        db: Database,
        handlers: TaskHandlerRegistry,
        clock: Clock,
        notifier: TaskNotifier,
        *,
        settings: DispatcherSettings | None = None,
        shards: ShardFilter | None = None,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.handlers = handlers
        self.clock = clock
        self.notifier = notifier
        self.settings = settings or DispatcherSettings()
        self.shards = shards
        self.owner = owner or f"carillon-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()
        # Set once the first pass is done and the loop sleeps: the dispatcher is up.
        self.ready = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._runs: set[asyncio.Task[None]] = set()
        # Claimed ahead and waiting for their instant; cancelled ones are dropped before start.
        self._waiting: set[int] = set()
        self._abandoned: set[int] = set()
        # Whether we still hold a task's lease; runs due together share one read.
        self._still_ours: Coalescer[int, bool] = Coalescer(self._read_leases)
        # Test and benchmark hook: called with (task, started_at) as a handler starts.
        self.on_run_start: Callable[[ScheduledTask, datetime], None] | None = None

    @property
    def running(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    def start(self) -> None:
        if not self.running:
            self._loop_task = asyncio.create_task(self._loop(), name="carillon-dispatcher")

    async def stop(self, *, wait_for_runs: float = 10.0) -> None:
        """Stop claiming; give in-flight runs ``wait_for_runs`` seconds, then cancel them."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._runs:
            _, pending = await asyncio.wait(set(self._runs), timeout=wait_for_runs)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def wake(self) -> None:
        """A task was created, edited or cancelled: re-read the earliest due time now."""
        self._wake.set()

    def abandon(self, task_id: int) -> None:
        """A task was cancelled: if it is claimed and waiting for its instant, do not start it."""
        if task_id in self._waiting:
            self._abandoned.add(task_id)

    async def wait_idle(self) -> None:
        """Wait until no run is in flight (tests and benchmarks)."""
        while self._runs:
            await asyncio.gather(*set(self._runs), return_exceptions=True)

    async def run_due(self) -> int:
        """Claim and run everything due now, waiting for the runs; the number claimed."""
        total = 0
        while claimed := await self._dispatch_due(lead_seconds=0):
            total += claimed
            await self.wait_idle()
        await self.wait_idle()
        return total

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                claimed = await self._dispatch_due(self.settings.lead_seconds)
                if claimed >= self.settings.batch_size:
                    continue
                delay = await self._seconds_until_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher pass failed; trying again shortly")
                delay = self.settings.error_backoff_seconds
            if delay <= 0:
                # Due but not claimable this instant (another process holds it): yield briefly.
                delay = 0.05 if claimed == 0 else 0
            self.ready.set()
            await self._wait(delay)

    async def _seconds_until_next(self) -> float:
        async with self.db() as session:
            next_at = await ScheduledTaskRepository(session).next_due_at(self.shards)
        if next_at is None:
            return self.settings.max_sleep_seconds
        seconds = (next_at - self.clock.now()).total_seconds() - self.settings.lead_seconds
        return min(seconds, self.settings.max_sleep_seconds)

    async def _wait(self, seconds: float) -> None:
        if self._wake.is_set():
            return
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for future in (sleeper, waker):
                future.cancel()

    async def _dispatch_due(self, lead_seconds: float) -> int:
        """Claim the attempts due within ``lead_seconds`` in one conditional UPDATE; run them."""
        now = self.clock.now()
        lease_until = now + timedelta(seconds=self.settings.lease_seconds + lead_seconds)
        async with self.db() as session, session.begin():
            claimed = await ScheduledTaskRepository(session).claim_due(
                now + timedelta(seconds=lead_seconds),
                self.settings.batch_size,
                self.owner,
                lease_until,
                self.shards,
            )
        for task in claimed:
            run = asyncio.create_task(self._execute(task), name=f"carillon-task-{task.id}")
            self._runs.add(run)
            run.add_done_callback(self._runs.discard)
        return len(claimed)

    async def _execute(self, task: ScheduledTask) -> None:
        try:
            await self._execute_claimed(task)
        except LeaseLostError:
            log.warning("task %s: lease lost before its run was recorded", task.id)
        except Exception:
            log.exception("task %s: recording its run failed; the lease will expire", task.id)

    async def _execute_claimed(self, task: ScheduledTask) -> None:
        if not await self._until_due(task):
            return
        now = self.clock.now()
        assert task.next_run_at is not None
        assert task.occurrence_at is not None
        misfire = resolve_misfire(task, now)
        if misfire is not None:
            await self._record_missed(task, misfire, now)
            if misfire.run_now is None:
                return
            task.occurrence_at = misfire.run_now
        handler = self.handlers.get(task.task_type)
        started = self.clock.now()
        context = RunContext(task, task.occurrence_at, started, task.retry_count + 1)
        if self.on_run_start is not None:
            self.on_run_start(task, started)
        renewer = asyncio.create_task(self._renew_lease(task.id))
        try:
            if handler.in_transaction:
                await self._run_in_transaction(task, handler, context)
                return
            outcome = await self._call(handler, context)
        finally:
            renewer.cancel()
        # Runs claimed together all start before any of them spends time recording its result.
        await asyncio.sleep(0)
        await self._finish(task, context, outcome)

    async def _until_due(self, task: ScheduledTask) -> bool:
        """Prepare a task claimed ahead and sleep until it is due; False if it was cancelled."""
        assert task.next_run_at is not None
        if task.next_run_at <= self.clock.now():
            return True
        self._waiting.add(task.id)
        preparing = asyncio.create_task(self._prepare(task))
        try:
            recheck_at = task.next_run_at - timedelta(seconds=self.settings.recheck_seconds)
            await self.clock.sleep((recheck_at - self.clock.now()).total_seconds())
            if task.id not in self._abandoned and not await self._still_ours.submit(task.id):
                self._abandoned.add(task.id)
            await self.clock.sleep((task.next_run_at - self.clock.now()).total_seconds())
        finally:
            self._waiting.discard(task.id)
        # A slow join still under way would race the run's own: let it end first.
        if not preparing.done():
            await asyncio.wait({preparing}, timeout=self.settings.lead_seconds)
            preparing.cancel()
        if task.id not in self._abandoned:
            return True
        self._abandoned.discard(task.id)
        async with self.db() as session, session.begin():
            await ScheduledTaskRepository(session).update_leased(
                task.id, self.owner, {"lease_owner": None, "lease_expires_at": None}
            )
        return False

    async def _prepare(self, task: ScheduledTask) -> None:
        try:
            await self.handlers.get(task.task_type).prepare(task)
        except Exception:
            log.warning("task %s: preparing failed; the run will say why", task.id, exc_info=True)

    async def _read_leases(self, task_ids: list[int]) -> list[bool | BaseException]:
        async with self.db() as session:
            ours = await ScheduledTaskRepository(session).leased_by(set(task_ids), self.owner)
        return [task_id in ours for task_id in task_ids]

    async def _call(self, handler: Any, context: RunContext) -> _Outcome:
        try:
            details = await handler.run(context)
        except Exception as exc:
            return _failure_outcome(context.task, exc)
        return _Outcome(RunOutcome.SUCCEEDED, details=details or {})

    async def _run_in_transaction(
        self, task: ScheduledTask, handler: Any, context: RunContext
    ) -> None:
        """The handler's effect, the run record and the next occurrence commit together."""
        try:
            async with self.db() as session, session.begin():
                run = await self._write(session, task, context, _Outcome(RunOutcome.SUCCEEDED))
                scoped = RunContext(
                    task,
                    context.scheduled_for,
                    context.started_at,
                    context.attempt,
                    session=session,
                    run_id=run.id,
                )
                run.details = await handler.run(scoped) or {}
                run.finished_at = self.clock.now()
                return
        except LeaseLostError:
            raise
        except Exception as exc:
            outcome = _failure_outcome(task, exc)
        await self._finish(task, context, outcome)

    async def _finish(self, task: ScheduledTask, context: RunContext, outcome: _Outcome) -> None:
        if outcome.outcome is RunOutcome.RETRYING and task.retry_count >= self.settings.max_retries:
            outcome = _Outcome(
                RunOutcome.FAILED,
                f"{outcome.error} (gave up after {task.retry_count + 1} attempts)",
            )
        async with self.db() as session, session.begin():
            await self._write(session, task, context, outcome)
        if task.status is TaskStatus.FAILED or (
            outcome.outcome is RunOutcome.FAILED and not outcome.ends_task
        ):
            await self._notify(task, outcome.error or "the task failed")

    async def _write(
        self, session: Any, task: ScheduledTask, context: RunContext, outcome: _Outcome
    ) -> TaskRun:
        """Record the run and move the task on, only while we still hold its lease."""
        now = self.clock.now()
        values = self._next_state(task, context, outcome, now)
        repo = ScheduledTaskRepository(session)
        if not await repo.update_running(task.id, self.owner, values):
            ran = outcome.outcome is RunOutcome.SUCCEEDED
            if not await repo.finish_after_cancel(task.id, self.owner, ran=ran, now=now):
                raise LeaseLostError
        else:
            for key, value in values.items():
                setattr(task, key, value)
        return await TaskRunRepository(session).add(
            TaskRun(
                task_id=task.id,
                scheduled_for=context.scheduled_for,
                started_at=context.started_at,
                finished_at=now,
                outcome=outcome.outcome,
                attempt=context.attempt,
                error=outcome.error,
                details=outcome.details or {},
            )
        )

    def _next_state(
        self, task: ScheduledTask, context: RunContext, outcome: _Outcome, now: datetime
    ) -> dict[str, Any]:
        values: dict[str, Any] = {
            "lease_owner": None,
            "lease_expires_at": None,
            "updated_at": now,
            "last_run_at": context.started_at,
        }
        if outcome.outcome is RunOutcome.RETRYING:
            retry = task.retry_count + 1
            return values | {
                "status": TaskStatus.PENDING,
                "retry_count": retry,
                "next_run_at": now + self.settings.backoff(retry),
                "occurrence_at": context.scheduled_for,
                "error_message": outcome.error,
            }
        executions = task.executions_count + int(outcome.outcome is RunOutcome.SUCCEEDED)
        values |= {"executions_count": executions, "retry_count": 0}
        if outcome.outcome is RunOutcome.FAILED:
            values["error_message"] = outcome.error
            if outcome.ends_task or not task.is_recurring:
                return values | {"status": TaskStatus.FAILED, "next_run_at": None}
        else:
            values["error_message"] = None
        following = remaining_after(task, context.scheduled_for, executions)
        if following is None:
            return values | {"status": TaskStatus.COMPLETED, "next_run_at": None}
        return values | {
            "status": TaskStatus.PENDING,
            "next_run_at": following,
            "occurrence_at": following,
        }

    async def _record_missed(self, task: ScheduledTask, missed: MissedRuns, now: datetime) -> None:
        """Record skipped occurrences; move the task to its next future run, or fail a one-shot."""
        if missed.run_now is not None:
            values: dict[str, Any] = {"occurrence_at": missed.run_now}
        elif missed.resume_at is not None:
            values = {
                "status": TaskStatus.PENDING,
                "next_run_at": missed.resume_at,
                "occurrence_at": missed.resume_at,
                "lease_owner": None,
                "lease_expires_at": None,
                "retry_count": 0,
            }
        elif task.is_recurring:
            values = {
                "status": TaskStatus.COMPLETED,
                "next_run_at": None,
                "lease_owner": None,
                "lease_expires_at": None,
            }
        else:
            values = {
                "status": TaskStatus.FAILED,
                "next_run_at": None,
                "lease_owner": None,
                "lease_expires_at": None,
                "error_message": MISSED_OFFLINE,
            }
        if missed.count:
            values["updated_at"] = now
        async with self.db() as session, session.begin():
            if not await ScheduledTaskRepository(session).update_leased(
                task.id, self.owner, values
            ):
                raise LeaseLostError
            if missed.count:
                await TaskRunRepository(session).add(
                    TaskRun(
                        task_id=task.id,
                        scheduled_for=missed.first,
                        started_at=None,
                        finished_at=now,
                        outcome=RunOutcome.MISSED,
                        error=MISSED_OFFLINE,
                        details={"missed_runs": missed.count, "last_missed": missed.last_iso},
                    )
                )
        for key, value in values.items():
            setattr(task, key, value)
        if task.status is TaskStatus.FAILED:
            await self._notify(task, MISSED_OFFLINE)

    async def _notify(self, task: ScheduledTask, reason: str) -> None:
        try:
            await self.notifier.task_failed(task, reason)
        except Exception:
            log.exception("task %s: telling the owner failed", task.id)

    async def _renew_lease(self, task_id: int) -> None:
        interval = self.settings.lease_seconds / 3
        while True:
            await self.clock.sleep(interval)
            until = self.clock.now() + timedelta(seconds=self.settings.lease_seconds)
            try:
                async with self.db() as session, session.begin():
                    await ScheduledTaskRepository(session).renew_lease(task_id, self.owner, until)
            except Exception:
                log.exception("task %s: renewing the lease failed", task_id)
