"""The rules members and admins meet when they schedule: zones, caps, intervals, ownership.

Reading tasks (pages, details, autocomplete) is ``bot.services.task_queries``; the request
types are ``bot.services.task_requests``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Config
from bot.errors import InvalidInput, LimitReached
from bot.models.scheduled_task import (
    LIVE_STATUSES,
    ScheduledTask,
    TaskStatus,
    TaskType,
)
from bot.models.sound import Playlist, Sound
from bot.repositories.playlists import PlaylistRepository
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.repositories.settings import SettingsRepository
from bot.repositories.sounds import SoundRepository
from bot.scheduling.occurrences import recurrence_columns, recurrence_of
from bot.scheduling.recurrence import shortest_gap
from bot.services.actor import Actor
from bot.services.playlists import PlaylistService
from bot.services.scheduler import UNCHANGED, SchedulerService
from bot.services.settings import SettingsService, zone_for
from bot.services.sounds import SoundService
from bot.services.task_parameters import (
    PlaylistParameters,
    RechargeParameters,
    SoundParameters,
    TaskParameters,
)
from bot.services.task_queries import TaskQueries
from bot.services.task_refs import TaskRef
from bot.services.task_requests import PlayTarget, WhenInput
from bot.timeparse import Schedule, parse_when
from bot.voice.play import PlaylistMode

MIN_MEMBER_INTERVAL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class _MemberContext:
    timezone: str
    cap: int
    active: int
    # Found by exact name; None sends the lookup to the library (ids, and its NotFound).
    named: Sound | Playlist | None = None


class MemberTaskService:
    """What ``/schedule`` and ``/admin`` change: schedule, edit and cancel, under the rules."""

    def __init__(
        self,
        scheduler: SchedulerService,
        settings: SettingsService,
        sounds: SoundService,
        playlists: PlaylistService,
        clock: Clock,
        config: Config,
        queries: TaskQueries,
    ) -> None:
        self.queries = queries
        self.scheduler = scheduler
        self.settings = settings
        self.sounds = sounds
        self.playlists = playlists
        self.clock = clock
        self.config = config

    async def parse(self, actor: Actor, when: WhenInput) -> Schedule:
        """The member's text read in their zone; ``InvalidInput`` saying what is wrong."""
        return self.parse_in(await self.timezone(actor), when)

    async def timezone(self, actor: Actor) -> str:
        """The member's zone, else the server's default (one session: autocomplete is hot)."""
        return (await self._member_context(actor, count_active=False)).timezone

    async def _member_context(
        self,
        actor: Actor,
        *,
        count_active: bool,
        sound: str | None = None,
        playlist: str | None = None,
    ) -> _MemberContext:
        """Zone, cap, active tasks and the sound or playlist by name, in one session."""
        async with self.scheduler.db() as session:
            repository = SettingsRepository(session)
            server = self.settings.effective(actor.guild_id, await repository.guild(actor.guild_id))
            member = await repository.member(actor.user_id)
            active = 0
            if count_active:
                active = await ScheduledTaskRepository(session).count(
                    user_id=actor.user_id, guild_id=actor.guild_id, statuses=LIVE_STATUSES
                )
            named: Sound | Playlist | None = None
            if sound is not None:
                named = await SoundRepository(session).by_name(actor.guild_id, sound)
            elif playlist is not None:
                named = await PlaylistRepository(session).by_name(actor.guild_id, playlist)
        return _MemberContext(zone_for(member, server), server.max_active_tasks, active, named)

    async def first_without_timezone(self, actor: Actor) -> bool:
        """The member has just made their first task here and never set a time zone."""
        if await self.settings.member_timezone(actor.user_id) is not None:
            return False
        count = await self.scheduler.count_tasks(user_id=actor.user_id, guild_id=actor.guild_id)
        return count == 1

    def parse_in(self, timezone: str, when: WhenInput, now: datetime | None = None) -> Schedule:
        """``now``: the reference instant (default: the clock's)."""
        return parse_when(
            when.when,
            now=now or self.clock.now(),
            timezone=timezone,
            config=self.config.time,
            repeat=when.repeat or None,
            cron=when.cron or None,
            count=when.count,
            until=when.until or None,
        )

    async def schedule_sound(
        self,
        actor: Actor,
        sound: str,
        when: WhenInput,
        target: PlayTarget,
        name: str | None,
        *,
        native: bool = True,
        timezone: str | None = None,
    ) -> ScheduledTask:
        """``timezone`` reads ``when`` in that zone instead of the member's (the HTTP API's
        ``timezone`` field)."""
        context = await self._member_context(actor, count_active=True, sound=sound)
        schedule = self.parse_in(timezone or context.timezone, when)
        channel_id = _voice_channel(target)
        found = context.named or await self.sounds.find(actor.guild_id, sound)
        parameters = SoundParameters(
            found.id,
            channel_id,
            target.text_channel_id,
            announce=target.announce,
            skip_if_empty=target.skip_if_empty,
            native=native,
        )
        return await self._schedule_play(
            actor, context, TaskType.PLAY_SOUND, found.name, parameters, schedule, name
        )

    async def schedule_playlist(
        self,
        actor: Actor,
        playlist: str,
        when: WhenInput,
        target: PlayTarget,
        name: str | None,
        *,
        mode: PlaylistMode = PlaylistMode.CONTINUOUS,
        shuffle: bool = False,
        native: bool = True,
        timezone: str | None = None,
    ) -> ScheduledTask:
        context = await self._member_context(actor, count_active=True, playlist=playlist)
        schedule = self.parse_in(timezone or context.timezone, when)
        channel_id = _voice_channel(target)
        found = context.named or await self.playlists.find(actor.guild_id, playlist)
        parameters = PlaylistParameters(
            found.id,
            channel_id,
            PlaylistMode(mode),
            shuffle,
            target.text_channel_id,
            announce=target.announce,
            skip_if_empty=target.skip_if_empty,
            native=native,
        )
        return await self._schedule_play(
            actor, context, TaskType.PLAY_PLAYLIST, found.name, parameters, schedule, name
        )

    async def _schedule_play(
        self,
        actor: Actor,
        context: _MemberContext,
        task_type: TaskType,
        default_name: str,
        parameters: TaskParameters,
        schedule: Schedule,
        name: str | None,
    ) -> ScheduledTask:
        """``schedule`` was read before the channel and the sound: a bad ``when`` is told
        first, whatever else is missing."""
        await self._check_interval(actor, schedule)
        self._check_cap(context)
        return await self._create(
            actor, name or default_name, task_type, schedule, parameters, user_id=actor.user_id
        )

    async def schedule_recharge(
        self,
        actor: Actor,
        when: WhenInput,
        amount: int,
        member_id: int | None,
        member_name: str | None = None,
        text_channel_id: int | None = None,
        *,
        timezone: str | None = None,
    ) -> ScheduledTask:
        """An admin's system credit-recharge task, for one member or everyone in the server."""
        parameters = RechargeParameters(amount, member_id, actor.user_id, text_channel_id)
        schedule = self.parse_in(timezone, when) if timezone else await self.parse(actor, when)
        who = member_name or "everyone"
        return await self._create(
            actor,
            f"Recharge {amount} credits for {who}",
            TaskType.CREDIT_RECHARGE,
            schedule,
            parameters,
            user_id=None,
        )

    async def _create(
        self,
        actor: Actor,
        name: str,
        task_type: TaskType,
        schedule: Schedule,
        parameters: TaskParameters,
        *,
        user_id: int | None,
    ) -> ScheduledTask:
        return await self.scheduler.create_task(
            name=name,
            task_type=task_type,
            scheduled_at=schedule.first_run,
            timezone=schedule.timezone,
            parameters=parameters,
            user_id=user_id,
            guild_id=actor.guild_id,
            **recurrence_columns(schedule.recurrence),
        )

    async def _check_interval(self, actor: Actor, schedule: Schedule) -> None:
        if schedule.recurrence is None or shortest_gap(schedule.recurrence) >= MIN_MEMBER_INTERVAL:
            return
        if not await self.settings.is_admin(actor):
            minutes = int(MIN_MEMBER_INTERVAL.total_seconds() // 60)
            raise InvalidInput(
                f"A repeating task may run at most every {minutes} minutes. "
                f'Pick a longer interval, such as "every {minutes} minutes" or "every hour".'
            )

    @staticmethod
    def _check_cap(context: _MemberContext) -> None:
        if context.active >= context.cap:
            raise LimitReached(
                f"You already have {context.active} active tasks, the most this server allows "
                f"({context.cap}). Cancel one with `/schedule cancel` first."
            )

    async def cancel(
        self, actor: Actor, task_id: TaskRef, *, as_admin: bool = False
    ) -> ScheduledTask:
        task = await (self.queries.in_server if as_admin else self.queries.owned)(actor, task_id)
        return await self._cancel(task)

    async def _cancel(self, task: ScheduledTask) -> ScheduledTask:
        if task.status not in LIVE_STATUSES:
            raise InvalidInput(f"Task {task.ref} is already {task.status}: there is nothing left.")
        if not await self.scheduler.cancel_task(task.id):
            raise InvalidInput(f"Task {task.ref} has just finished: there is nothing left.")
        task.status = TaskStatus.CANCELLED
        task.next_run_at = None
        return task

    async def cancel_by_button(self, actor: Actor, task_id: int) -> ScheduledTask | None:
        """None when ``actor`` may not cancel it (the button then refuses without details)."""
        task = await self.queries.may_manage(actor, task_id)
        if task is None:
            return None
        return await self._cancel(task)

    async def _managed(self, actor: Actor, task_id: TaskRef, as_admin: bool) -> ScheduledTask:
        return await (self.queries.in_server if as_admin else self.queries.owned)(actor, task_id)

    async def pause(
        self, actor: Actor, task_id: TaskRef, *, as_admin: bool = False
    ) -> ScheduledTask:
        return await self._pause(await self._managed(actor, task_id, as_admin))

    async def _pause(self, task: ScheduledTask) -> ScheduledTask:
        if task.status is TaskStatus.PAUSED:
            raise InvalidInput(
                f"Task {task.ref} is already paused: resume it with `/schedule resume`."
            )
        if not await self.scheduler.pause_task(task.id):
            raise InvalidInput(f"Task {task.ref} is {task.status}: there is nothing to pause.")
        return await self.queries.owned_or_gone(task)

    async def resume(
        self, actor: Actor, task_id: TaskRef, *, as_admin: bool = False
    ) -> ScheduledTask:
        task = await self._managed(actor, task_id, as_admin)
        return await self.scheduler.resume_task(task.id)

    async def skip(
        self, actor: Actor, task_id: TaskRef, *, as_admin: bool = False
    ) -> tuple[ScheduledTask, datetime]:
        task = await self._managed(actor, task_id, as_admin)
        return await self.scheduler.skip_next(task.id)

    async def by_button(self, actor: Actor, task_id: int) -> ScheduledTask | None:
        """The task ``actor`` may press a button of (owner or admin), else None."""
        return await self.queries.may_manage(actor, task_id)

    async def pause_task(self, task: ScheduledTask) -> ScheduledTask:
        """Pause a task already checked with ``by_button``."""
        return await self._pause(task)

    async def resume_task(self, task: ScheduledTask) -> ScheduledTask:
        return await self.scheduler.resume_task(task.id)

    async def skip_task(self, task: ScheduledTask) -> tuple[ScheduledTask, datetime]:
        return await self.scheduler.skip_next(task.id)

    async def edit(
        self,
        actor: Actor,
        task_id: TaskRef,
        when: WhenInput,
        name: str | None,
        *,
        timezone: str | None = None,
        keep_recurrence: bool = False,
    ) -> ScheduledTask:
        """``timezone`` reads ``when`` in that zone instead of the member's (the HTTP API's
        ``timezone`` field); the task then keeps its wall clock there. ``keep_recurrence``:
        a ``when`` without a recurrence moves the first run and keeps the task's recurrence
        (the API's ``scheduled_at``: fields left out stay as they are)."""
        task = await self.queries.owned(actor, task_id)
        if not when.changes_schedule and when.count is None and not when.until and name is None:
            raise InvalidInput(
                "Say what to change: give a new `when`, `repeat`, `cron`, `count`, `until` "
                "or `name`."
            )
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if when.changes_schedule:
            zone = timezone or await self.timezone(actor)
            changes |= await self._new_schedule(actor, task, zone, when, keep_recurrence)
        elif when.count is not None or when.until:
            changes |= self._new_limits(task, when)
        return await self.scheduler.edit_task(task.id, **changes)

    async def _new_schedule(
        self,
        actor: Actor,
        task: ScheduledTask,
        timezone: str,
        when: WhenInput,
        keep_recurrence: bool = False,
    ) -> dict[str, Any]:
        text = when.when or _anchor(task)
        schedule = self.parse_in(
            timezone, WhenInput(text, when.repeat, when.cron, when.count, when.until)
        )
        if keep_recurrence and schedule.recurrence is None:
            return {"scheduled_at": schedule.first_run, "timezone": schedule.timezone}
        await self._check_interval(actor, schedule)
        return {
            "scheduled_at": schedule.first_run,
            "timezone": schedule.timezone,
            **recurrence_columns(schedule.recurrence),
        }

    def _new_limits(self, task: ScheduledTask, when: WhenInput) -> dict[str, Any]:
        if recurrence_of(task) is None:
            raise InvalidInput(
                "`count` and `until` only apply to a repeating task: give `repeat` or a "
                'repeating `when` such as "every day at 9am".'
            )
        changes: dict[str, Any] = {"recurrence_count": UNCHANGED, "until": UNCHANGED}
        if when.count is not None:
            changes["recurrence_count"] = when.count
        if when.until:
            probe = self.parse_in(
                task.timezone, WhenInput(_anchor(task), "daily", None, None, when.until)
            )
            assert probe.recurrence is not None
            changes["until"] = probe.recurrence.until
        return changes


def _voice_channel(target: PlayTarget) -> int:
    if target.voice_channel_id is None:
        raise InvalidInput("Join a voice channel first, or pick one with the `channel` option.")
    if not target.is_voice:
        raise InvalidInput("That is not a voice channel: pick a voice channel to play in.")
    return target.voice_channel_id


def _anchor(task: ScheduledTask) -> str:
    """The task's pending occurrence as a ``when`` text, for edits that keep the time."""
    at = task.occurrence_at or task.next_run_at or task.scheduled_at
    return f"<t:{int(at.timestamp())}>"
