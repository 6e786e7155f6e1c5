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
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.batching import Coalescer
from bot.clock import Clock
from bot.config import SchedulerConfig
from bot.db import Database
from bot.errors import PermanentTaskFailure, RunSkipped, TaskFailure
from bot.metrics import Metrics
from bot.models.scheduled_task import ScheduledTask, TaskStatus
from bot.models.task_run import RunOutcome, TaskRun
from bot.repositories.scheduled_task import ScheduledTaskRepository, ShardFilter, paused_row
from bot.repositories.task_run import TaskRunRepository
from bot.scheduling.handlers import HandlerRegistry, RunContext
from bot.scheduling.notifier import TaskNotifier
from bot.scheduling.occurrences import MissedRuns, remaining_after, resolve_misfire
from bot.scheduling.watchers import TaskWatchers
from bot.uninterrupted import Uninterrupted

log = logging.getLogger(__name__)

MISSED_OFFLINE = "missed while the bot was offline"
REPLAYED = "interrupted by a restart; played again"
NOT_REPLAYED = "interrupted by a restart; not played again (the task does not replay)"


@dataclass(frozen=True, slots=True)
class DispatcherSettings:
    max_retries: int = 3
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    # Renewed every third of itself while held: a crashed holder's work is free this soon.
    lease_seconds: float = 15.0
    max_sleep_seconds: float = 3600.0
    # Attempts due this soon are claimed ahead, their handler prepares (a play joins voice),
    # and they start at their exact instant: the claim and the join are not part of lateness.
    lead_seconds: float = 3.0
    # A pass claims what is due within lead + this: a steady stream of attempts costs the
    # loop a pass per this long, not one per attempt.
    claim_slack_seconds: float = 1.0
    # Claims per statement (the loop claims again at once when one is full), and runs
    # recorded per transaction: small enough that no batch holds the event loop long.
    batch_size: int = 500
    record_batch_size: int = 250
    # Runs whose effect commits with their record (a recharge) in open transactions at once:
    # the rest of a burst waits here, not for a pooled connection, whose wait times out (a
    # burst of thousands failed its tail with "internal error (TimeoutError)").
    open_transactions: int = 8
    error_backoff_seconds: float = 5.0

    @classmethod
    def from_config(cls, scheduler: SchedulerConfig) -> DispatcherSettings:
        """The settings a configured process runs with (the rest are the engine's)."""
        return cls(max_retries=scheduler.max_retries)

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
    if isinstance(exc, RunSkipped):
        return _Outcome(RunOutcome.SKIPPED, details={"skipped": str(exc)}, ends_task=False)
    if isinstance(exc, PermanentTaskFailure):
        return _Outcome(RunOutcome.FAILED, str(exc), ends_task=exc.ends_task)
    if isinstance(exc, TaskFailure):
        return _Outcome(RunOutcome.RETRYING, str(exc))
    log.error("task %s: handler raised", task.id, exc_info=exc)
    return _Outcome(RunOutcome.RETRYING, f"internal error ({type(exc).__name__})")


class LeaseLostError(Exception):
    """Our lease on a task ended before the run was recorded."""


@dataclass(frozen=True, slots=True)
class _Record:
    task: ScheduledTask
    context: RunContext
    outcome: _Outcome


class Dispatcher:
    def __init__(
        self,
        db: Database,
        handlers: HandlerRegistry,
        clock: Clock,
        notifier: TaskNotifier,
        *,
        settings: DispatcherSettings | None = None,
        shards: ShardFilter | None = None,
        owner: str | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics or Metrics()
        self.handlers = handlers
        self.clock = clock
        self.notifier = notifier
        self.settings = settings or DispatcherSettings()
        self.shards = shards
        self.owner = owner or f"carillon-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        # Transactions a stop must let end (see bot.uninterrupted).
        self._work = Uninterrupted()
        # When the sleeping loop will look again; None while a pass is under way.
        self._next_pass: datetime | None = None
        # Set once the first pass is done and the loop sleeps: the dispatcher is up.
        self.ready = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        # time.monotonic() at the end of the loop's last pass (readiness reports its age)
        self.last_pass_monotonic: float | None = None
        self._runs: set[asyncio.Task[None]] = set()
        # The claim each leased task's run holds (claimed ahead, or running); one renewer
        # keeps them all. A task edited while claimed is claimed again: the newer claim wins.
        self._claims: dict[int, ScheduledTask] = {}
        self._renewer: asyncio.Task[None] | None = None
        self._transactions = asyncio.Semaphore(self.settings.open_transactions)
        # Runs due together start in one conditional UPDATE and are recorded in one batch.
        self._starts: Coalescer[int, bool] = Coalescer(self._start_batch)
        self._records: Coalescer[_Record, TaskStatus | None] = Coalescer(self._record_batch)
        # Test and benchmark hooks: called with (task, started_at) as a handler starts, and
        # with (task, recorded_at) once its run record is committed.
        self.on_run_start: Callable[[ScheduledTask, datetime], None] | None = None
        self.on_run_recorded: Callable[[ScheduledTask, datetime], None] | None = None
        # Told each task whose run (or missed runs) was recorded, and by the scheduler
        # service each task a member changed.
        self.watchers = TaskWatchers()

    @property
    def running(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    def start(self) -> None:
        if not self.running:
            self._loop_task = asyncio.create_task(self._loop(), name="carillon-dispatcher")

    async def stop(self, *, wait_for_runs: float = 10.0) -> None:
        """Stop claiming and drop runs still waiting for their instant; give runs under way
        ``wait_for_runs`` seconds, then cancel them. No transaction is cut in half."""
        self._stopping.set()
        self._wake.set()
        if self._loop_task is not None:
            await asyncio.wait({self._loop_task}, timeout=wait_for_runs)
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._runs:
            _, pending = await asyncio.wait(set(self._runs), timeout=wait_for_runs)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        await self._work.drain(wait_for_runs)
        self._stopping.clear()

    def wake(self, due_at: datetime | None = None) -> None:
        """A task was created, edited, cancelled or rescheduled: re-read the earliest due time.

        ``due_at``: when the changed attempt is due; if the sleeping loop looks again before
        it must be claimed anyway, it is left asleep.
        """
        lead = timedelta(seconds=self.settings.lead_seconds)
        if due_at is not None and self._next_pass is not None and due_at - lead >= self._next_pass:
            return
        self._wake.set()

    def claimed_ids(self) -> frozenset[int]:
        """The tasks this dispatcher holds a claim on now (claimed ahead or running)."""
        return frozenset(self._claims)

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
        while not self._stopping.is_set():
            self._wake.clear()
            self._next_pass = None
            try:
                claimed = await self._dispatch_due(
                    self.settings.lead_seconds + self.settings.claim_slack_seconds
                )
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
            self.last_pass_monotonic = time.monotonic()
            self._next_pass = self.clock.now() + timedelta(seconds=max(0.0, delay))
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
                now,
                now + timedelta(seconds=lead_seconds),
                self.settings.batch_size,
                self.owner,
                lease_until,
                self.shards,
            )
        for task in claimed:
            self._claims[task.id] = task
            run = asyncio.create_task(self._execute(task), name=f"carillon-task-{task.id}")
            self._runs.add(run)
            run.add_done_callback(self._runs.discard)
        if claimed:
            self._keep_leases()
        return len(claimed)

    async def _execute(self, task: ScheduledTask) -> None:
        try:
            await self._execute_claimed(task)
        except LeaseLostError:
            log.warning("task %s: lease lost before its run was recorded", task.id)
        except Exception:
            log.exception("task %s: recording its run failed; the lease will expire", task.id)
        finally:
            if self._claims.get(task.id) is task:
                del self._claims[task.id]

    async def _execute_claimed(self, task: ScheduledTask) -> None:
        if not await self._until_due(task):
            return  # stopping: the claim is released with the others
        if self._claims.get(task.id) is not task:
            return  # edited meanwhile and claimed again: that claim's run goes ahead
        assert task.next_run_at is not None
        assert task.occurrence_at is not None
        misfire = resolve_misfire(task, self.clock.now())
        if misfire is not None:
            if not await self._record_missed(task, misfire, self.clock.now()):
                return
            if misfire.run_now is None:
                return
            task.occurrence_at = misfire.run_now
        if not await self._starts.submit(task.id):
            log.info("task %s: cancelled or edited before its instant; not started", task.id)
            return
        started = self.clock.now()
        interrupted = task.attempt_started_at is not None
        context = RunContext(
            task, task.occurrence_at, started, task.retry_count + 1, interrupted=interrupted
        )
        if interrupted and not replays_interrupted(task):
            skipped = _Outcome(RunOutcome.FAILED, NOT_REPLAYED, ends_task=False)
            await self._finish(task, context, skipped)
            return
        handler = self.handlers.get(task.task_type)
        if context.attempt == 1:
            lateness = (started - context.scheduled_for).total_seconds()
            self.metrics.dispatch_lateness.labels(str(task.task_type)).observe(max(0.0, lateness))
        if self.on_run_start is not None:
            self.on_run_start(task, started)
        if handler.in_transaction:
            await self._run_in_transaction(task, handler, context)
            return
        outcome = await self._call(handler, context)
        # Runs started together all start before any of them spends time recording its result.
        await asyncio.sleep(0)
        await self._finish(task, context, outcome)

    async def _until_due(self, task: ScheduledTask) -> bool:
        """Prepare a task claimed ahead and sleep until it is due; False if we stop first."""
        assert task.next_run_at is not None
        if task.next_run_at <= self.clock.now():
            return not self._stopping.is_set()
        preparing = asyncio.create_task(self._prepare(task))
        due = asyncio.ensure_future(
            self.clock.sleep((task.next_run_at - self.clock.now()).total_seconds())
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({due, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            due.cancel()
            stopping.cancel()
        # A slow join still under way would race the run's own: let it end first.
        if not preparing.done():
            await asyncio.wait({preparing}, timeout=self.settings.lead_seconds)
            preparing.cancel()
        return not self._stopping.is_set()

    async def _prepare(self, task: ScheduledTask) -> None:
        try:
            await self.handlers.get(task.task_type).prepare(task)
        except Exception:
            log.warning("task %s: preparing failed; the run will say why", task.id, exc_info=True)

    async def _start_batch(self, task_ids: list[int]) -> list[bool | BaseException]:
        now = self.clock.now()
        until = now + timedelta(seconds=self.settings.lease_seconds)
        async with self.db() as session, session.begin():
            started = await ScheduledTaskRepository(session).start(task_ids, self.owner, now, until)
        return [task_id in started for task_id in task_ids]

    async def _call(self, handler: Any, context: RunContext) -> _Outcome:
        try:
            details = await handler.run(context)
        except Exception as exc:
            return _failure_outcome(context.task, exc)
        return _Outcome(RunOutcome.SUCCEEDED, details=_with_replay_note(context, details or {}))

    async def _run_in_transaction(
        self, task: ScheduledTask, handler: Any, context: RunContext
    ) -> None:
        """The handler's effect, the run record and the next occurrence commit together."""
        try:
            row, status = await self._work.run(self._commit_in_transaction(task, handler, context))
        except LeaseLostError:
            raise
        except Exception as exc:
            await self._finish(task, context, _failure_outcome(task, exc))
            return
        self._apply(task, row, status)
        self._count_run(task, RunOutcome.SUCCEEDED)
        if self.on_run_recorded is not None:
            self.on_run_recorded(task, self.clock.now())
        self.watchers.changed(task.id)
        self._wake_for([task])

    async def _commit_in_transaction(
        self, task: ScheduledTask, handler: Any, context: RunContext
    ) -> tuple[dict[str, Any], TaskStatus]:
        """The transaction itself: the task's next state, the run, the handler's effect."""
        record = _Record(task, context, _Outcome(RunOutcome.SUCCEEDED))
        async with self._transactions, self.db() as session, session.begin():
            now = self.clock.now()
            row = self._row(record, now)
            written = await ScheduledTaskRepository(session).record_runs(self.owner, [row])
            if task.id not in written:
                raise LeaseLostError
            run = TaskRun(**self._run_values(record, now))
            await TaskRunRepository(session).add(run)
            scoped = replace(context, session=session, run_id=run.id)
            run.details = _with_replay_note(context, await handler.run(scoped) or {})
            run.finished_at = self.clock.now()
        return row, written[task.id]

    async def _finish(self, task: ScheduledTask, context: RunContext, outcome: _Outcome) -> None:
        if outcome.outcome is RunOutcome.RETRYING and task.retry_count >= self.settings.max_retries:
            outcome = _Outcome(
                RunOutcome.FAILED,
                f"{outcome.error} (gave up after {task.retry_count + 1} attempts)",
            )
        if await self._records.submit(_Record(task, context, outcome)) is None:
            raise LeaseLostError
        if task.status is TaskStatus.FAILED or (
            outcome.outcome is RunOutcome.FAILED and not outcome.ends_task
        ):
            await self._notify(task, outcome.error or "the task failed")

    async def _record_batch(
        self, records: list[_Record]
    ) -> list[TaskStatus | BaseException | None]:
        """Record runs that ended together: a transaction per ``record_batch`` of them.

        Each batch costs four statements whatever its size (read and lock the tasks, update
        the running ones, update the ones cancelled while they ran, insert the runs), so a
        burst of runs never queues a transaction per run on the connection.
        """
        results: list[TaskStatus | BaseException | None] = []
        size = self.settings.record_batch_size
        for offset in range(0, len(records), size):
            chunk = records[offset : offset + size]
            now = self.clock.now()
            rows = [self._row(record, now) for record in chunk]
            async with self.db() as session, session.begin():
                written = await ScheduledTaskRepository(session).record_runs(self.owner, rows)
                await TaskRunRepository(session).add_all(
                    [self._run_values(r, now) for r in chunk if r.task.id in written]
                )
            recorded = self.clock.now()
            for record, row in zip(chunk, rows, strict=True):
                status = written.get(record.task.id)
                if status is not None:
                    log.debug(
                        "task %s: %s, shard %s",
                        record.task.id,
                        record.outcome.outcome.value,
                        self._runner(record.task)["shard_id"],
                    )
                    self._apply(record.task, row, status)
                    self._count_run(record.task, record.outcome.outcome)
                    if self.on_run_recorded is not None:
                        self.on_run_recorded(record.task, recorded)
                    self.watchers.changed(record.task.id)
                results.append(status)
        # Only what was written: a task whose lease was lost still holds its claim-time state.
        self._wake_for(
            r.task for r, status in zip(records, results, strict=True) if status is not None
        )
        return results

    def _row(self, record: _Record, now: datetime) -> dict[str, Any]:
        """Every column a run's record sets on its task, and the same for a cancelled one."""
        task, context, outcome = record.task, record.context, record.outcome
        ran = outcome.outcome is RunOutcome.SUCCEEDED
        last_run_at = context.started_at
        done = {
            "lease_owner": None,
            "lease_expires_at": None,
            "attempt_started_at": None,
            "updated_at": now,
            "last_run_at": last_run_at,
        }
        cancelled = done | {"executions_count": task.executions_count + int(ran)}
        return {"id": task.id, **done, **self._next_state(task, context, outcome, now)} | {
            "cancelled_values": cancelled
        }

    def _run_values(self, record: _Record, now: datetime) -> dict[str, Any]:
        context, outcome = record.context, record.outcome
        return {
            "task_id": record.task.id,
            "scheduled_for": context.scheduled_for,
            "started_at": context.started_at,
            "finished_at": now,
            "outcome": outcome.outcome,
            "attempt": context.attempt,
            "error": outcome.error,
            "details": outcome.details or {},
            **self._runner(record.task),
        }

    def _runner(self, task: ScheduledTask) -> dict[str, Any]:
        """A run record's ``runner`` and ``shard_id``: this process, and the shard through
        which it holds the task's guild."""
        shards = self.shards
        shard_id = (
            shards.shard_of(task.guild_id)
            if shards is not None and task.guild_id is not None
            else None
        )
        return {"runner": self.owner, "shard_id": shard_id}

    @staticmethod
    def _apply(task: ScheduledTask, row: dict[str, Any], status: TaskStatus) -> None:
        if status is TaskStatus.PAUSED:
            row, status = paused_row(row), TaskStatus.RUNNING
        values = row if status is TaskStatus.RUNNING else row["cancelled_values"]
        for key, value in values.items():
            if key not in ("id", "cancelled_values"):
                setattr(task, key, value)
        if status is not TaskStatus.RUNNING:
            task.status = status

    def _next_state(
        self, task: ScheduledTask, context: RunContext, outcome: _Outcome, now: datetime
    ) -> dict[str, Any]:
        """The task's schedule after this run: every key always set, for one executemany."""
        values: dict[str, Any] = {
            "status": TaskStatus.PENDING,
            "executions_count": task.executions_count,
            "retry_count": 0,
            "error_message": outcome.error,
        }
        if outcome.outcome is RunOutcome.RETRYING:
            retry = task.retry_count + 1
            return values | {
                "retry_count": retry,
                "next_run_at": now + self.settings.backoff(retry),
                "occurrence_at": context.scheduled_for,
            }
        executions = task.executions_count + int(outcome.outcome is RunOutcome.SUCCEEDED)
        values["executions_count"] = executions
        if outcome.outcome is RunOutcome.FAILED and (outcome.ends_task or not task.is_recurring):
            return values | {
                "status": TaskStatus.FAILED,
                "next_run_at": None,
                "occurrence_at": context.scheduled_for,
            }
        following = remaining_after(task, context.scheduled_for, executions)
        if following is None:
            return values | {
                "status": TaskStatus.COMPLETED,
                "next_run_at": None,
                "occurrence_at": context.scheduled_for,
            }
        return values | {"next_run_at": following, "occurrence_at": following}

    async def _record_missed(self, task: ScheduledTask, missed: MissedRuns, now: datetime) -> bool:
        """Record skipped occurrences; move the task to its next future run, or fail a one-shot.

        False when the task was cancelled or edited since we claimed it: nothing to do.
        """
        released = {"lease_owner": None, "lease_expires_at": None, "attempt_started_at": None}
        if missed.run_now is not None:
            values: dict[str, Any] = {"occurrence_at": missed.run_now}
        elif missed.resume_at is not None:
            values = released | {
                "next_run_at": missed.resume_at,
                "occurrence_at": missed.resume_at,
                "retry_count": 0,
            }
        elif task.is_recurring:
            values = released | {"status": TaskStatus.COMPLETED, "next_run_at": None}
        else:
            values = released | {
                "status": TaskStatus.FAILED,
                "next_run_at": None,
                "error_message": MISSED_OFFLINE,
            }
        if missed.count:
            values["updated_at"] = now
        if not await self._work.run(self._write_missed(task, missed, values, now)):
            return False
        if missed.count:
            self._count_run(task, RunOutcome.MISSED)
            self.metrics.missed_runs.labels(str(task.task_type)).inc(missed.count)
        for key, value in values.items():
            setattr(task, key, value)
        if missed.run_now is None:
            self.watchers.changed(task.id)
            self._wake_for([task])
        if task.status is TaskStatus.FAILED:
            await self._notify(task, MISSED_OFFLINE)
        return True

    async def _write_missed(
        self, task: ScheduledTask, missed: MissedRuns, values: dict[str, Any], now: datetime
    ) -> bool:
        async with self.db() as session, session.begin():
            if not await ScheduledTaskRepository(session).update_leased(
                task.id, self.owner, values, status=TaskStatus.PENDING
            ):
                return False
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
                        **self._runner(task),
                    )
                )
        return True

    def _count_run(self, task: ScheduledTask, outcome: RunOutcome) -> None:
        self.metrics.runs.labels(str(task.task_type), str(outcome)).inc()

    def _wake_for(self, tasks: Iterable[ScheduledTask]) -> None:
        """Runs just recorded set their tasks' next attempts: the loop must see the earliest."""
        due = [t.next_run_at for t in tasks if t.status is TaskStatus.PENDING and t.next_run_at]
        if due:
            self.wake(min(due))

    async def _notify(self, task: ScheduledTask, reason: str) -> None:
        try:
            await self.notifier.task_failed(task, reason)
        except Exception:
            log.exception("task %s: telling the owner failed", task.id)

    def _keep_leases(self) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._renew_leases(), name="carillon-leases")

    async def _renew_leases(self) -> None:
        """While we hold leases, extend them all every third of a lease, in one UPDATE."""
        interval = self.settings.lease_seconds / 3
        while self._claims:
            await self.clock.sleep(interval)
            if not self._claims:
                return
            until = self.clock.now() + timedelta(seconds=self.settings.lease_seconds)
            try:
                await self._work.run(self._renew(list(self._claims), until))
            except Exception:
                log.exception("renewing %d leases failed", len(self._claims))

    async def _renew(self, task_ids: list[int], until: datetime) -> None:
        async with self.db() as session, session.begin():
            await ScheduledTaskRepository(session).renew_leases(task_ids, self.owner, until)


def replays_interrupted(task: ScheduledTask) -> bool:
    """Whether an attempt a crash interrupted runs again (within its grace): per task."""
    return bool(task.parameters.get("replay_interrupted", True))


def _with_replay_note(context: RunContext, details: dict[str, Any]) -> dict[str, Any]:
    if context.interrupted:
        return {**details, "note": REPLAYED}
    return details
