"""The rules members and admins meet when they schedule: zones, caps, intervals, ownership."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter

from bot.clock import Clock
from bot.config import Config
from bot.errors import InvalidInput, LimitReached, NotFound
from bot.models.scheduled_task import (
    ACTIVE_STATUSES,
    RecurrenceType,
    ScheduledTask,
    TaskStatus,
    TaskType,
)
from bot.models.sound import Playlist, Sound
from bot.models.task_run import TaskRun
from bot.repositories.playlists import PlaylistRepository
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.repositories.settings import SettingsRepository
from bot.repositories.sounds import SoundRepository
from bot.scheduling.occurrences import recurrence_of
from bot.scheduling.recurrence import Recurrence
from bot.services.ids import parse_id
from bot.services.player import PlaylistMode
from bot.services.playlists import PlaylistService
from bot.services.scheduler import UNCHANGED, SchedulerService
from bot.services.settings import SettingsService, zone_for
from bot.services.sounds import SoundService
from bot.timeparse import Schedule, parse_when

MIN_MEMBER_INTERVAL = timedelta(minutes=15)
MAX_PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks: a member of a server, with what decides whether they are a Carillon admin.

    ``is_admin`` when already known; otherwise the service asks the settings, and only when a
    rule needs the answer (most commands never do).
    """

    user_id: int
    guild_id: int
    is_admin: bool | None = None
    role_ids: tuple[int, ...] = ()
    is_owner: bool = False


@dataclass(frozen=True, slots=True)
class WhenInput:
    """The ``when`` text and the options that refine it."""

    when: str | None = None
    repeat: str | None = None
    cron: str | None = None
    count: int | None = None
    until: str | None = None

    @property
    def changes_schedule(self) -> bool:
        return any(v not in (None, "") for v in (self.when, self.repeat, self.cron))


@dataclass(frozen=True, slots=True)
class PlayTarget:
    """Where a play goes: the voice channel, and the text channel for messages about it."""

    voice_channel_id: int | None
    text_channel_id: int | None
    is_voice: bool = True


@dataclass(frozen=True, slots=True)
class TaskPage:
    tasks: Sequence[ScheduledTask]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class TaskDetails:
    task: ScheduledTask
    upcoming: Sequence[datetime]
    runs: Sequence[TaskRun]


@dataclass(frozen=True, slots=True)
class _MemberContext:
    timezone: str
    cap: int
    active: int
    # Found by exact name; None sends the lookup to the library (ids, and its NotFound).
    named: Sound | Playlist | None = None


NO_SUCH_TASK = "You have no task #{id}. See your tasks with `/schedule list`."
NO_SUCH_SERVER_TASK = "This server has no task #{id}. See every task with `/admin tasks`."


class MemberTaskService:
    """What ``/schedule`` and ``/admin`` do, on top of the scheduler and the settings."""

    def __init__(
        self,
        scheduler: SchedulerService,
        settings: SettingsService,
        sounds: SoundService,
        playlists: PlaylistService,
        clock: Clock,
        config: Config,
    ) -> None:
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
                    user_id=actor.user_id, guild_id=actor.guild_id, statuses=ACTIVE_STATUSES
                )
            named: Sound | Playlist | None = None
            if sound is not None:
                named = await SoundRepository(session).by_name(actor.guild_id, sound)
            elif playlist is not None:
                named = await PlaylistRepository(session).by_name(actor.guild_id, playlist)
        return _MemberContext(zone_for(member, server), server.max_active_tasks, active, named)

    def parse_in(self, timezone: str, when: WhenInput) -> Schedule:
        return parse_when(
            when.when,
            now=self.clock.now(),
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
    ) -> ScheduledTask:
        _check_target(target)
        context = await self._member_context(actor, count_active=True, sound=sound)
        found = context.named or await self.sounds.find(actor.guild_id, sound)
        return await self._schedule_play(
            actor,
            context,
            TaskType.PLAY_SOUND,
            found.name,
            {"sound_id": found.id, "native": native},
            when,
            target,
            name,
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
    ) -> ScheduledTask:
        _check_target(target)
        context = await self._member_context(actor, count_active=True, playlist=playlist)
        found = context.named or await self.playlists.find(actor.guild_id, playlist)
        parameters: dict[str, Any] = {
            "playlist_id": found.id,
            "mode": PlaylistMode(mode).value,
            "shuffle": shuffle,
            "native": native,
        }
        return await self._schedule_play(
            actor, context, TaskType.PLAY_PLAYLIST, found.name, parameters, when, target, name
        )

    async def _schedule_play(
        self,
        actor: Actor,
        context: _MemberContext,
        task_type: TaskType,
        default_name: str,
        parameters: dict[str, Any],
        when: WhenInput,
        target: PlayTarget,
        name: str | None,
    ) -> ScheduledTask:
        schedule = self.parse_in(context.timezone, when)
        await self._check_interval(actor, schedule)
        self._check_cap(context)
        return await self._create(
            actor,
            name or default_name,
            task_type,
            schedule,
            {
                **parameters,
                "channel_id": target.voice_channel_id,
                "text_channel_id": target.text_channel_id,
            },
            user_id=actor.user_id,
        )

    async def schedule_recharge(
        self,
        actor: Actor,
        when: WhenInput,
        amount: int,
        member_id: int | None,
        member_name: str | None = None,
        text_channel_id: int | None = None,
    ) -> ScheduledTask:
        """An admin's system credit-recharge task, for one member or everyone in the server."""
        if amount < 1:
            raise InvalidInput("The amount must be at least 1 credit.")
        schedule = await self.parse(actor, when)
        who = member_name or "everyone"
        parameters = {
            "amount": amount,
            "member_id": member_id,
            "created_by": actor.user_id,
            "text_channel_id": text_channel_id,
        }
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
        parameters: dict[str, Any],
        *,
        user_id: int | None,
    ) -> ScheduledTask:
        recurrence = schedule.recurrence
        return await self.scheduler.create_task(
            name=_name(name),
            task_type=task_type,
            scheduled_at=schedule.first_run,
            timezone=schedule.timezone,
            parameters=parameters,
            user_id=user_id,
            guild_id=actor.guild_id,
            recurrence_type=recurrence.type if recurrence else RecurrenceType.NONE,
            cron_expression=recurrence.cron if recurrence else None,
            recurrence_count=recurrence.count if recurrence else None,
            recurrence_interval=recurrence.interval if recurrence else 1,
            until=recurrence.until if recurrence else None,
            wall_anchor=recurrence.wall_anchor if recurrence else None,
        )

    async def is_admin(self, actor: Actor) -> bool:
        if actor.is_admin is not None:
            return actor.is_admin
        return await self.settings.is_admin(
            actor.guild_id, actor.user_id, actor.role_ids, is_owner=actor.is_owner
        )

    async def _check_interval(self, actor: Actor, schedule: Schedule) -> None:
        if schedule.recurrence is None or shortest_gap(schedule.recurrence) >= MIN_MEMBER_INTERVAL:
            return
        if not await self.is_admin(actor):
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

    async def owned(self, actor: Actor, task_id: int) -> ScheduledTask:
        """The member's own task in this server; NotFound otherwise, whoever else owns it."""
        task = await self.scheduler.get_task(task_id)
        if task is None or task.user_id != actor.user_id or task.guild_id != actor.guild_id:
            raise NotFound(NO_SUCH_TASK.format(id=task_id))
        return task

    async def in_server(self, actor: Actor, task_id: int) -> ScheduledTask:
        """Any task of this server (admins)."""
        task = await self.scheduler.get_task(task_id)
        if task is None or task.guild_id != actor.guild_id:
            raise NotFound(NO_SUCH_SERVER_TASK.format(id=task_id))
        return task

    async def may_manage(self, actor: Actor, task_id: int) -> ScheduledTask | None:
        """The task if ``actor`` owns it or is an admin of its server, else None."""
        task = await self.scheduler.get_task(task_id)
        if task is None or task.guild_id != actor.guild_id:
            return None
        if task.user_id == actor.user_id or await self.is_admin(actor):
            return task
        return None

    async def cancel(self, actor: Actor, task_id: int, *, as_admin: bool = False) -> ScheduledTask:
        task = await (self.in_server if as_admin else self.owned)(actor, task_id)
        return await self._cancel(task)

    async def _cancel(self, task: ScheduledTask) -> ScheduledTask:
        if task.status not in ACTIVE_STATUSES:
            raise InvalidInput(f"Task #{task.id} is already {task.status}: there is nothing left.")
        if not await self.scheduler.cancel_task(task.id):
            raise InvalidInput(f"Task #{task.id} has just finished: there is nothing left.")
        task.status = TaskStatus.CANCELLED
        task.next_run_at = None
        return task

    async def cancel_by_button(self, actor: Actor, task_id: int) -> ScheduledTask | None:
        """None when ``actor`` may not cancel it (the button then refuses without details)."""
        task = await self.may_manage(actor, task_id)
        if task is None:
            return None
        return await self._cancel(task)

    async def details(self, actor: Actor, task_id: int, *, as_admin: bool = False) -> TaskDetails:
        task = await (self.in_server if as_admin else self.owned)(actor, task_id)
        return TaskDetails(
            task,
            self.scheduler.upcoming_runs(task, 5),
            await self.scheduler.get_task_runs(task.id, 5),
        )

    async def page(
        self,
        guild_id: int,
        *,
        user_id: int | None,
        status: TaskStatus | None,
        page: int,
        per_page: int = MAX_PAGE_SIZE,
    ) -> TaskPage:
        """One page of tasks; ``user_id`` None means every task of the server (admins)."""
        statuses = [status] if status is not None else None
        async with self.scheduler.db() as session:
            repository = ScheduledTaskRepository(session)
            total = await repository.count(guild_id=guild_id, user_id=user_id, statuses=statuses)
            pages = max(1, -(-total // per_page))
            page = min(max(page, 0), pages - 1)
            tasks = await repository.filter(
                guild_id=guild_id,
                user_id=user_id,
                statuses=statuses,
                limit=per_page,
                offset=page * per_page,
            )
        return TaskPage(tasks, page, pages, total)

    async def for_autocomplete(
        self, actor: Actor, text: str, *, everyone: bool = False, active_only: bool = True
    ) -> list[ScheduledTask]:
        """Up to 25 tasks matching ``text`` by id or name: the member's, or (``everyone``) all."""
        tasks = await self.scheduler.list_guild_tasks(
            actor.guild_id,
            ACTIVE_STATUSES if active_only else None,
            user_id=None if everyone else actor.user_id,
            limit=100,
        )
        needle = text.strip().lstrip("#").casefold()
        if not needle:
            return tasks[:25]
        found = [t for t in tasks if needle in f"{t.id} {t.name}".casefold()]
        task_id = parse_id(needle)
        if task_id is not None and all(t.id != task_id for t in found):
            exact = await self.scheduler.get_task(task_id)
            if exact is not None and self._offered(exact, actor, everyone, active_only):
                found.insert(0, exact)
        return found[:25]

    @staticmethod
    def _offered(task: ScheduledTask, actor: Actor, everyone: bool, active_only: bool) -> bool:
        mine = everyone or task.user_id == actor.user_id
        live = not active_only or task.status in ACTIVE_STATUSES
        return task.guild_id == actor.guild_id and mine and live

    async def edit(
        self, actor: Actor, task_id: int, when: WhenInput, name: str | None
    ) -> ScheduledTask:
        task = await self.owned(actor, task_id)
        if not when.changes_schedule and when.count is None and not when.until and name is None:
            raise InvalidInput(
                "Say what to change: give a new `when`, `repeat`, `cron`, `count`, `until` "
                "or `name`."
            )
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = _name(name)
        if when.changes_schedule:
            changes |= await self._new_schedule(actor, task, await self.timezone(actor), when)
        elif when.count is not None or when.until:
            changes |= self._new_limits(task, when)
        return await self.scheduler.edit_task(task.id, **changes)

    async def _new_schedule(
        self, actor: Actor, task: ScheduledTask, timezone: str, when: WhenInput
    ) -> dict[str, Any]:
        text = when.when or _anchor(task)
        schedule = self.parse_in(
            timezone, WhenInput(text, when.repeat, when.cron, when.count, when.until)
        )
        await self._check_interval(actor, schedule)
        recurrence = schedule.recurrence
        return {
            "scheduled_at": schedule.first_run,
            "timezone": schedule.timezone,
            "recurrence_type": recurrence.type if recurrence else RecurrenceType.NONE,
            "recurrence_interval": recurrence.interval if recurrence else 1,
            "cron_expression": recurrence.cron if recurrence else None,
            "recurrence_count": recurrence.count if recurrence else None,
            "until": recurrence.until if recurrence else None,
            "wall_anchor": recurrence.wall_anchor if recurrence else None,
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


def _check_target(target: PlayTarget) -> None:
    if target.voice_channel_id is None:
        raise InvalidInput("Join a voice channel first, or pick one with the `channel` option.")
    if not target.is_voice:
        raise InvalidInput("That is not a voice channel: pick a voice channel to play in.")


def shortest_gap(recurrence: Recurrence) -> timedelta:
    """The shortest time between two runs of ``recurrence`` (exact for cron, ignoring DST)."""
    if recurrence.type is RecurrenceType.MINUTELY:
        return timedelta(minutes=recurrence.interval)
    if recurrence.type is RecurrenceType.HOURLY:
        return timedelta(hours=recurrence.interval)
    if recurrence.type is not RecurrenceType.CRON or recurrence.cron is None:
        return timedelta(days=1)
    minutes, hours = croniter.expand(recurrence.cron)[0][:2]
    if minutes == ["*"]:
        return timedelta(minutes=1)
    ordered = sorted(int(m) for m in minutes)
    gaps = [later - earlier for earlier, later in itertools.pairwise(ordered)]
    every_hour = hours == ["*"] or any((int(h) + 1) % 24 in hours for h in hours)
    if every_hour or len(ordered) == 1:
        gaps.append(60 - ordered[-1] + ordered[0])
    return timedelta(minutes=min(gaps))


def _anchor(task: ScheduledTask) -> str:
    """The task's pending occurrence as a ``when`` text, for edits that keep the time."""
    at = task.occurrence_at or task.next_run_at or task.scheduled_at
    return f"<t:{int(at.timestamp())}>"


def _name(name: str) -> str:
    cleaned = " ".join(name.split())[:100]
    if not cleaned:
        raise InvalidInput("A task needs a name: give a few words in `name`.")
    return cleaned


def member_tasks_from(services: Any) -> MemberTaskService:
    """The service over a container's ``Services`` (cogs and buttons build it the same way)."""
    return MemberTaskService(
        services.scheduler,
        services.settings,
        services.sounds,
        services.playlists,
        services.clock,
        services.config,
    )
