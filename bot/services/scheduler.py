"""The scheduler service: creating, editing, cancelling and listing tasks, and the engine's life.

``SchedulerService(db_session_factory, player_service)`` is the public entry point DESIGN.md
names; the dispatcher and the maintenance jobs start and stop with it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.db import Database
from bot.db.task_wakeups import TaskChange, TaskWakeups, announce
from bot.errors import InvalidInput, NotFound
from bot.models.scheduled_task import (
    ACTIVE_STATUSES,
    RecurrenceType,
    ScheduledTask,
    TaskStatus,
    TaskType,
)
from bot.models.task_run import RunOutcome, TaskRun
from bot.repositories.scheduled_task import ScheduledTaskRepository, ShardFilter
from bot.repositories.task_numbers import TaskNumberRepository
from bot.repositories.task_run import TaskRunRepository
from bot.scheduling.dispatcher import Dispatcher, DispatcherSettings
from bot.scheduling.handlers import HandlerRegistry
from bot.scheduling.maintenance import Maintenance
from bot.scheduling.notifier import LogNotifier, TaskNotifier
from bot.scheduling.occurrences import recurrence_columns, recurrence_of, remaining_after
from bot.scheduling.recurrence import (
    WALL_CLOCK_TYPES,
    Recurrence,
    cron_ever_matches,
    first_run_for,
    gap_anchor,
    is_valid_cron,
    localize,
    next_after,
    zone,
)
from bot.services._names import clean_task_name
from bot.services.credits import CreditService
from bot.services.settings import SettingsService, validate_timezone
from bot.services.task_handlers import TaskHandlerRegistry
from bot.services.task_parameters import TaskParameters, parameters_for
from bot.voice.play import PlayerService

log = logging.getLogger(__name__)


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


class SchedulerService:
    def __init__(
        self,
        db_session_factory: Database,
        player_service: PlayerService,
        *,
        config: Config | None = None,
        clock: Clock | None = None,
        credits: CreditService | None = None,
        handlers: HandlerRegistry | None = None,
        notifier: TaskNotifier | None = None,
        shards: ShardFilter | None = None,
        dispatcher_settings: DispatcherSettings | None = None,
        owner: str | None = None,
        dispatcher: Dispatcher | None = None,
        maintenance: Maintenance | None = None,
    ) -> None:
        """Given its ``dispatcher`` and ``maintenance`` (``bot.container`` builds them), the
        service wires nothing; given only the database and a player, it builds its own engine.

        ``owner``: this process's lease identity, stable across its restarts (see
        ``bot.scheduling.identity``); without one, a random identity per instance.
        """
        self.db = db_session_factory
        self.player = player_service
        self.config = config or Config()
        self.clock = clock or SystemClock()
        self.dispatcher = dispatcher or _own_dispatcher(
            self.db,
            player_service,
            self.config,
            self.clock,
            credits=credits,
            handlers=handlers,
            notifier=notifier,
            shards=shards,
            settings=dispatcher_settings,
            owner=owner,
        )
        self.maintenance = maintenance or Maintenance(
            self.db, self.clock, self.config, self.dispatcher
        )
        self._wakeups: TaskWakeups | None = None

    async def start(self) -> None:
        """Take back what our previous life leased, ensure the system tasks, then start the
        dispatcher and the maintenance jobs (and, on PostgreSQL, listen for the tasks other
        processes change)."""
        await self.maintenance.release_own_leases()
        await self.maintenance.ensure_daily_recharge()
        self.dispatcher.start()
        self.maintenance.start()
        if self.db.dialect == "postgresql":
            self._wakeups = TaskWakeups(self.db.url, self._woken_from_elsewhere)
            await self._wakeups.start()

    def _woken_from_elsewhere(self, change: TaskChange) -> None:
        if change.task_id is not None and change.origin != self.dispatcher.owner:
            # Messages this process keeps true about the task are redrawn.
            self.dispatcher.watchers.changed(change.task_id)
        shards = self.dispatcher.shards
        if change.guild_id is not None and shards is not None and not shards.holds(change.guild_id):
            return
        self.dispatcher.wake(change.due_at)

    async def _announce(
        self, session: AsyncSession, task_id: int, guild_id: int | None, due_at: datetime | None
    ) -> None:
        """Tell the other processes (PostgreSQL) once this transaction commits."""
        await announce(session, TaskChange(guild_id, due_at, task_id, self.dispatcher.owner))

    async def stop(self) -> None:
        """Stop claiming and let runs end; then free what we still hold, so that another
        process need not wait for our leases (a run cut short is recorded as interrupted)."""
        if self._wakeups is not None:
            await self._wakeups.stop()
            self._wakeups = None
        await self.maintenance.stop()
        await self.dispatcher.stop()
        try:
            await self.maintenance.release_own_leases()
        except SQLAlchemyError:
            log.warning("could not free our leases at stop; the next start takes them back")

    async def create_task(
        self,
        name: str,
        task_type: TaskType,
        scheduled_at: datetime,
        timezone: str = "UTC",
        parameters: TaskParameters | dict[str, Any] | None = None,
        user_id: int | None = None,
        guild_id: int | None = None,
        recurrence_type: RecurrenceType = RecurrenceType.NONE,
        cron_expression: str | None = None,
        recurrence_count: int | None = None,
        *,
        recurrence_interval: int = 1,
        until: datetime | None = None,
        misfire_grace_seconds: int | None = None,
        system_key: str | None = None,
        wall_anchor: datetime | None = None,
    ) -> ScheduledTask:
        """Store a new task. A naive ``scheduled_at`` is wall-clock time in ``timezone``.

        ``wall_anchor``: the wall time a daily-or-longer recurrence keeps when an aware
        ``scheduled_at`` was shifted out of a DST gap (the parser knows what was asked).
        Typed ``parameters`` must be the task type's; a plain dict is checked when it runs.
        """
        name = clean_task_name(name)
        stored = _stored_parameters(TaskType(task_type), parameters)
        validate_timezone(timezone)
        recurrence = _recurrence(
            recurrence_type,
            recurrence_interval,
            cron_expression,
            recurrence_count,
            until,
            _asked_wall_time(scheduled_at, timezone, wall_anchor),
        )
        first = self._first_run(scheduled_at, recurrence, timezone)
        grace = (
            self.config.scheduler.misfire_grace_seconds
            if misfire_grace_seconds is None
            else misfire_grace_seconds
        )
        now = self.clock.now()
        task = ScheduledTask(
            name=name,
            task_type=TaskType(task_type),
            status=TaskStatus.PENDING,
            scheduled_at=first,
            timezone=timezone,
            **recurrence_columns(recurrence),
            executions_count=0,
            next_run_at=first,
            occurrence_at=first,
            parameters=stored,
            user_id=user_id,
            guild_id=guild_id,
            system_key=system_key,
            created_at=now,
            updated_at=now,
            retry_count=0,
            misfire_grace_seconds=grace,
        )
        async with self.db() as session, session.begin():
            if guild_id is not None:
                task.number = await TaskNumberRepository(session).take_next(guild_id)
            await ScheduledTaskRepository(session).add(task)
            await self._announce(session, task.id, task.guild_id, task.next_run_at)
        self.dispatcher.wake(task.next_run_at)
        # A new task changes the lists of its server.
        self.dispatcher.watchers.changed(task.id)
        return task

    def _first_run(
        self, scheduled_at: datetime, recurrence: Recurrence | None, timezone: str
    ) -> datetime:
        if scheduled_at.tzinfo is None:
            scheduled_at = localize(scheduled_at, zone(timezone))
        first = first_run_for(scheduled_at, recurrence, timezone)
        if first < self.clock.now() - timedelta(
            seconds=self.config.scheduler.misfire_grace_seconds
        ):
            raise InvalidInput("that time has already passed: pick a time in the future")
        if recurrence is not None and recurrence.until is not None and recurrence.until < first:
            raise InvalidInput("'until' is before the first run: pick a later end")
        return first

    async def cancel_task(self, task_id: int) -> bool:
        """Cancel a pending or running task; False if it is finished or does not exist."""
        async with self.db() as session, session.begin():
            cancelled = await ScheduledTaskRepository(session).cancel(task_id, self.clock.now())
            if cancelled:
                await self._announce(session, task_id, None, None)
        if cancelled:
            self.dispatcher.wake()
            self.dispatcher.watchers.changed(task_id)
        return cancelled

    async def pause_task(self, task_id: int) -> bool:
        """Pause a pending or running task (a run under way plays to its end); False if it
        is neither. Its schedule stays; nothing is claimed or counted missed while paused."""
        async with self.db() as session, session.begin():
            paused = await ScheduledTaskRepository(session).pause(task_id, self.clock.now())
            if paused:
                await self._announce(session, task_id, None, None)
        if paused:
            self.dispatcher.wake()
            self.dispatcher.watchers.changed(task_id)
        return paused

    async def resume_task(self, task_id: int) -> ScheduledTask:
        """Resume a paused task from its next future occurrence (occurrences passed while it
        was paused are neither played nor recorded as missed)."""
        async with self.db() as session, session.begin():
            task = await ScheduledTaskRepository(session).get_for_update(task_id)
            if task is None:
                raise NotFound(f"there is no task #{task_id}")
            if task.status is not TaskStatus.PAUSED:
                raise InvalidInput(f"Task {task.ref} is {task.status}, not paused.")
            now = self.clock.now()
            due = task.next_run_at
            if due is not None and due < now:
                due = remaining_after(task, now, task.executions_count)
                if due is None:
                    raise InvalidInput(
                        f"Task {task.ref} has no run left after now. Give it a new time with "
                        "`/schedule edit`, or cancel it."
                    )
                task.occurrence_at = due
            task.next_run_at = due
            task.status = TaskStatus.PENDING
            task.paused_at = None
            task.retry_count = 0
            task.lease_owner = task.lease_expires_at = task.attempt_started_at = None
            task.updated_at = now
            await self._announce(session, task.id, task.guild_id, task.next_run_at)
        self.dispatcher.wake(task.next_run_at)
        self.dispatcher.watchers.changed(task_id)
        return task

    async def skip_next(self, task_id: int) -> tuple[ScheduledTask, datetime]:
        """Drop a pending recurring task's next occurrence only; the task and the dropped
        instant. The skip is recorded as a run that played nothing and charged nothing."""
        async with self.db() as session, session.begin():
            task = await ScheduledTaskRepository(session).get_for_update(task_id)
            if task is None:
                raise NotFound(f"there is no task #{task_id}")
            if task.status is TaskStatus.RUNNING:
                raise InvalidInput(
                    f"Task {task.ref} is playing right now: skip its next run once this one ends."
                )
            if task.status is not TaskStatus.PENDING or task.occurrence_at is None:
                raise InvalidInput(f"Task {task.ref} is {task.status}: it has no next run to skip.")
            dropped = task.occurrence_at
            following = remaining_after(task, dropped, task.executions_count)
            if following is None:
                raise InvalidInput(
                    f"Task {task.ref} has no run after its next one: cancel it instead."
                )
            now = self.clock.now()
            task.next_run_at = task.occurrence_at = following
            task.retry_count = 0
            task.lease_owner = task.lease_expires_at = None
            task.updated_at = now
            await TaskRunRepository(session).add(
                TaskRun(
                    task_id=task.id,
                    scheduled_for=dropped,
                    started_at=None,
                    finished_at=now,
                    outcome=RunOutcome.SKIPPED,
                    error=None,
                    details={"skipped_by": "member"},
                )
            )
            await self._announce(session, task.id, task.guild_id, following)
        self.dispatcher.wake(following)
        self.dispatcher.watchers.changed(task_id)
        return task, dropped

    async def get_task(self, task_id: int) -> ScheduledTask | None:
        async with self.db() as session:
            return await ScheduledTaskRepository(session).get(task_id)

    async def get_user_tasks(
        self,
        user_id: int,
        status: TaskStatus | Sequence[TaskStatus] | None = None,
        limit: int = 25,
        *,
        guild_id: int | None = None,
        offset: int = 0,
    ) -> list[ScheduledTask]:
        async with self.db() as session:
            return await ScheduledTaskRepository(session).filter(
                user_id=user_id,
                guild_id=guild_id,
                statuses=_statuses(status),
                limit=limit,
                offset=offset,
            )

    async def list_guild_tasks(
        self,
        guild_id: int,
        status: TaskStatus | Sequence[TaskStatus] | None = None,
        *,
        user_id: int | None = None,
        limit: int = 25,
        offset: int = 0,
        due_before: datetime | None = None,
    ) -> list[ScheduledTask]:
        """Soonest first; ``due_before``: only tasks whose next attempt is before it."""
        async with self.db() as session:
            return await ScheduledTaskRepository(session).filter(
                guild_id=guild_id,
                user_id=user_id,
                statuses=_statuses(status),
                limit=limit,
                offset=offset,
                due_before=due_before,
            )

    async def count_tasks(
        self,
        *,
        guild_id: int | None = None,
        user_id: int | None = None,
        status: TaskStatus | Sequence[TaskStatus] | None = None,
    ) -> int:
        async with self.db() as session:
            return await ScheduledTaskRepository(session).count(
                guild_id=guild_id, user_id=user_id, statuses=_statuses(status)
            )

    async def count_active(self, user_id: int, guild_id: int | None = None) -> int:
        return await self.count_tasks(user_id=user_id, guild_id=guild_id, status=ACTIVE_STATUSES)

    async def get_task_runs(self, task_id: int, limit: int = 10) -> list[TaskRun]:
        async with self.db() as session:
            return await TaskRunRepository(session).for_task(task_id, limit)

    def upcoming_runs(
        self, task: ScheduledTask, limit: int = 5, before: datetime | None = None
    ) -> list[datetime]:
        """The task's next runs from its pending attempt on, honouring count and until;
        ``before``: only those before it."""
        if task.status not in ACTIVE_STATUSES or task.occurrence_at is None:
            return []
        recurrence = recurrence_of(task)
        runs = [task.next_run_at or task.occurrence_at]
        if before is not None and runs[0] >= before:
            return []
        left = None
        if recurrence is not None and recurrence.count is not None:
            left = recurrence.count - task.executions_count
        occurrence = task.occurrence_at
        while len(runs) < limit and (left is None or len(runs) < left):
            following = next_after(task.scheduled_at, recurrence, task.timezone, occurrence)
            if following is None or (before is not None and following >= before):
                break
            runs.append(following)
            occurrence = following
        return runs

    async def edit_task(
        self,
        task_id: int,
        *,
        name: str | None = None,
        scheduled_at: datetime | None = None,
        timezone: str | None = None,
        recurrence_type: RecurrenceType | None = None,
        recurrence_interval: int | None = None,
        cron_expression: str | _Unchanged | None = UNCHANGED,
        recurrence_count: int | _Unchanged | None = UNCHANGED,
        until: datetime | _Unchanged | None = UNCHANGED,
        parameters: TaskParameters | dict[str, Any] | None = None,
        wall_anchor: datetime | None = None,
    ) -> ScheduledTask:
        """Change a pending task's name, schedule or parameters; its run history stays.

        A new ``scheduled_at`` becomes the first run the recurrence is anchored to.
        ``recurrence_count`` stays the total number of runs, past ones included.
        The row is locked while it changes, and a claim ahead of its instant is dropped:
        the claimer's start then fails and the edited task is claimed afresh.
        """
        async with self.db() as session, session.begin():
            repo = ScheduledTaskRepository(session)
            task = await repo.get_for_update(task_id)
            if task is None:
                raise NotFound(f"there is no task #{task_id}")
            if task.status is TaskStatus.RUNNING:
                raise InvalidInput(f"task {task.ref} is running right now: edit it when it ends")
            if task.status not in (TaskStatus.PENDING, TaskStatus.PAUSED):
                raise InvalidInput(f"task {task.ref} is {task.status}: schedule a new task instead")
            if name is not None:
                task.name = clean_task_name(name)
            if isinstance(parameters, dict):
                task.parameters = {**task.parameters, **parameters}
            elif parameters is not None:
                task.parameters = _stored_parameters(task.task_type, parameters)
            schedule_changed = (
                any(value is not None for value in (scheduled_at, timezone, recurrence_type))
                or recurrence_interval is not None
                or any(
                    value is not UNCHANGED for value in (cron_expression, recurrence_count, until)
                )
            )
            if schedule_changed:
                self._reschedule(
                    task,
                    scheduled_at,
                    timezone,
                    recurrence_type,
                    recurrence_interval,
                    cron_expression,
                    recurrence_count,
                    until,
                    wall_anchor,
                )
            task.updated_at = self.clock.now()
            task.lease_owner = task.lease_expires_at = None
            await self._announce(session, task_id, task.guild_id, task.next_run_at)
        self.dispatcher.wake(task.next_run_at)
        self.dispatcher.watchers.changed(task_id)
        return task

    def _reschedule(
        self,
        task: ScheduledTask,
        scheduled_at: datetime | None,
        timezone: str | None,
        recurrence_type: RecurrenceType | None,
        recurrence_interval: int | None,
        cron_expression: str | _Unchanged | None,
        recurrence_count: int | _Unchanged | None,
        until: datetime | _Unchanged | None,
        wall_anchor: datetime | None,
    ) -> None:
        tz = validate_timezone(timezone) if timezone is not None else task.timezone
        kind = recurrence_type or task.recurrence_type
        cron = task.cron_expression if isinstance(cron_expression, _Unchanged) else cron_expression
        if cron_expression is None and recurrence_type is None and kind is RecurrenceType.CRON:
            kind = RecurrenceType.NONE
        if (
            recurrence_type is not None
            and recurrence_type is not RecurrenceType.CRON
            and (isinstance(cron_expression, _Unchanged))
        ):
            cron = None
        if scheduled_at is not None:
            start = scheduled_at
            asked = _asked_wall_time(scheduled_at, tz, wall_anchor)
        elif task.next_run_at is not None:
            start = task.occurrence_at or task.next_run_at
            asked = task.wall_anchor
        else:
            start = self.clock.now()
            asked = None
        recurrence = _recurrence(
            kind,
            recurrence_interval or (task.recurrence_interval if recurrence_type is None else 1),
            cron,
            task.recurrence_count if isinstance(recurrence_count, _Unchanged) else recurrence_count,
            task.until if isinstance(until, _Unchanged) else until,
            asked,
        )
        first = self._first_run(start, recurrence, tz)
        count = recurrence.count if recurrence is not None else None
        if count is not None and task.executions_count >= count:
            raise InvalidInput(
                f"this task has already run {task.executions_count} times: "
                "the count must be higher than that"
            )
        task.timezone = tz
        task.scheduled_at = first
        for column, value in recurrence_columns(recurrence).items():
            setattr(task, column, value)
        task.next_run_at = first
        task.occurrence_at = first
        task.retry_count = 0


def _own_dispatcher(
    db: Database,
    player: PlayerService,
    config: Config,
    clock: Clock,
    *,
    credits: CreditService | None,
    handlers: HandlerRegistry | None,
    notifier: TaskNotifier | None,
    shards: ShardFilter | None,
    settings: DispatcherSettings | None,
    owner: str | None,
) -> Dispatcher:
    """The engine of a scheduler built from its two public arguments (DESIGN.md section 1)."""
    if handlers is None:
        if credits is None:
            credits = CreditService(db, config, SettingsService(db, config, clock), clock)
        handlers = TaskHandlerRegistry.standard(credits, player)
    return Dispatcher(
        db,
        handlers,
        clock,
        notifier or LogNotifier(),
        settings=settings or DispatcherSettings.from_config(config.scheduler),
        shards=shards,
        owner=owner,
    )


def _stored_parameters(
    task_type: TaskType, parameters: TaskParameters | dict[str, Any] | None
) -> dict[str, Any]:
    if parameters is None or isinstance(parameters, dict):
        return dict(parameters or {})
    if not isinstance(parameters, parameters_for(task_type)):
        raise InvalidInput(f"a {task_type} task takes {parameters_for(task_type).__name__}")
    return parameters.to_json()


def _statuses(status: TaskStatus | Sequence[TaskStatus] | None) -> list[TaskStatus] | None:
    if status is None:
        return None
    if isinstance(status, TaskStatus | str):
        return [TaskStatus(status)]
    return [TaskStatus(s) for s in status]


def _asked_wall_time(
    scheduled_at: datetime, timezone: str, wall_anchor: datetime | None
) -> datetime | None:
    """The wall time a member asked for, when a DST gap moves the first run off it."""
    if wall_anchor is not None:
        return wall_anchor.replace(tzinfo=None)
    if scheduled_at.tzinfo is None:
        return gap_anchor(scheduled_at, zone(timezone))
    return None


def _recurrence(
    kind: RecurrenceType,
    interval: int,
    cron: str | None,
    count: int | None,
    until: datetime | None,
    wall_anchor: datetime | None = None,
) -> Recurrence | None:
    """Validate a recurrence's parts; None for a one-shot task."""
    kind = RecurrenceType(kind)
    if cron is not None:
        cron = " ".join(cron.split())
        if kind not in (RecurrenceType.NONE, RecurrenceType.CRON):
            raise InvalidInput("give either a repeat or a cron expression, not both")
        if not is_valid_cron(cron):
            raise InvalidInput(
                f"'{cron}' is not a five-field cron expression (minute hour day month weekday, "
                "e.g. '0 9 * * 1-5')"
            )
        if not cron_ever_matches(cron):
            raise InvalidInput(f"'{cron}' names a date that never comes, such as 30 February")
        kind = RecurrenceType.CRON
    elif kind is RecurrenceType.CRON:
        raise InvalidInput("a cron repeat needs a cron expression, e.g. '0 9 * * 1-5'")
    if interval < 1:
        raise InvalidInput("the repeat interval must be at least 1")
    if count is not None and count < 1:
        raise InvalidInput("count must be at least 1")
    if until is not None and until.tzinfo is None:
        raise InvalidInput("'until' needs a timezone")
    if kind is RecurrenceType.NONE:
        if count is not None and count > 1:
            raise InvalidInput("a count needs a repeat: add repeat or cron")
        return None
    keeps_wall_clock = kind in WALL_CLOCK_TYPES
    return Recurrence(kind, interval, cron, count, until, wall_anchor if keeps_wall_clock else None)
