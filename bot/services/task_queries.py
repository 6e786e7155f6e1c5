"""Reading a server's tasks as members and admins see them: pages, details, pickers, access."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.errors import NotFound
from bot.models.scheduled_task import ACTIVE_STATUSES, LIVE_STATUSES, ScheduledTask, TaskStatus
from bot.models.task_run import TaskRun
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.services.actor import Actor
from bot.services.ids import parse_id
from bot.services.scheduler import SchedulerService
from bot.services.settings import SettingsService
from bot.services.task_refs import TaskNumber, TaskRef, shown_id

MAX_PAGE_SIZE = 10
# A week of a task every 15 minutes (the members' shortest interval), and some.
MAX_RUNS_IN_VIEW = 800


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


NO_SUCH_TASK = "You have no task #{id}. See your tasks with `/schedule list`."
NO_SUCH_SERVER_TASK = "This server has no task #{id}. See every task with `/admin tasks`."


class TaskQueries:
    """Read-only: which tasks a member may see or manage, and how they are listed."""

    def __init__(self, scheduler: SchedulerService, settings: SettingsService) -> None:
        self.scheduler = scheduler
        self.settings = settings

    async def find(self, guild_id: int, ref: TaskRef) -> ScheduledTask | None:
        """The task ``ref`` names: by its number in ``guild_id``, or by its global id."""
        if isinstance(ref, TaskNumber):
            async with self.scheduler.db() as session:
                return await ScheduledTaskRepository(session).get_by_number(guild_id, ref.value)
        return await self.scheduler.get_task(ref)

    async def numbers(self, task_ids: Sequence[int]) -> dict[int, int]:
        """The numbers members know the given tasks by (a purged task has none)."""
        async with self.scheduler.db() as session:
            return await ScheduledTaskRepository(session).numbers(task_ids)

    async def owned(self, actor: Actor, ref: TaskRef) -> ScheduledTask:
        """The member's own task in this server; NotFound otherwise, whoever else owns it."""
        task = await self.find(actor.guild_id, ref)
        if task is None or task.user_id != actor.user_id or task.guild_id != actor.guild_id:
            raise NotFound(NO_SUCH_TASK.format(id=shown_id(ref)))
        return task

    async def in_server(self, actor: Actor, ref: TaskRef) -> ScheduledTask:
        """Any task of this server (admins)."""
        task = await self.find(actor.guild_id, ref)
        if task is None or task.guild_id != actor.guild_id:
            raise NotFound(NO_SUCH_SERVER_TASK.format(id=shown_id(ref)))
        return task

    async def may_manage(self, actor: Actor, task_id: int) -> ScheduledTask | None:
        """The task if ``actor`` owns it or is an admin of its server, else None."""
        task = await self.scheduler.get_task(task_id)
        if task is None or task.guild_id != actor.guild_id:
            return None
        if task.user_id == actor.user_id or await self.settings.is_admin(actor):
            return task
        return None

    async def owned_or_gone(self, task: ScheduledTask) -> ScheduledTask:
        """``task`` as it is stored now (after a change); NotFound if it was purged."""
        fresh = await self.scheduler.get_task(task.id)
        if fresh is None:
            raise NotFound(NO_SUCH_TASK.format(id=task.number or task.id))
        return fresh

    async def details(self, actor: Actor, ref: TaskRef, *, as_admin: bool = False) -> TaskDetails:
        task = await (self.in_server if as_admin else self.owned)(actor, ref)
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
        status: TaskStatus | Sequence[TaskStatus] | None,
        page: int,
        per_page: int = MAX_PAGE_SIZE,
        with_system: bool = False,
    ) -> TaskPage:
        """One page of tasks; ``user_id`` None means every task of the server (admins), and
        ``with_system`` adds the tasks of no server (the daily recharge)."""
        statuses = [status] if isinstance(status, TaskStatus) else status
        async with self.scheduler.db() as session:
            repository = ScheduledTaskRepository(session)
            total = await repository.count(
                guild_id=guild_id, user_id=user_id, statuses=statuses, with_system=with_system
            )
            pages = max(1, -(-total // per_page))
            page = min(max(page, 0), pages - 1)
            tasks = await repository.filter(
                guild_id=guild_id,
                user_id=user_id,
                statuses=statuses,
                limit=per_page,
                offset=page * per_page,
                with_system=with_system,
            )
        return TaskPage(tasks, page, pages, total)

    async def plays_between(
        self,
        guild_id: int,
        start: datetime,
        end: datetime,
        *,
        user_id: int | None,
        limit: int = 500,
    ) -> list[tuple[datetime, ScheduledTask]]:
        """Each upcoming play from ``start`` to ``end``, in time order: the member's tasks, or
        (``user_id`` None) the server's. At most ``limit`` plays."""
        # Soonest first: each task has a play at its next attempt, so the first ``limit``
        # plays come from the first ``limit`` tasks.
        tasks = await self.scheduler.list_guild_tasks(
            guild_id, ACTIVE_STATUSES, user_id=user_id, limit=limit, due_before=end
        )
        plays: list[tuple[datetime, ScheduledTask]] = []
        for task in tasks:
            for at in self.scheduler.upcoming_runs(task, MAX_RUNS_IN_VIEW, before=end):
                if at >= start:
                    plays.append((at, task))
        plays.sort(key=lambda play: (play[0], play[1].id))
        return plays[:limit]

    async def for_autocomplete(
        self,
        actor: Actor,
        text: str,
        *,
        everyone: bool = False,
        active_only: bool = True,
        statuses: Sequence[TaskStatus] | None = None,
    ) -> list[ScheduledTask]:
        """Up to 25 tasks matching ``text`` by number or name: the member's, or (``everyone``)
        all.

        ``statuses``: only tasks in these (else live ones, or with ``active_only`` off any).
        """
        if statuses is None and active_only:
            statuses = LIVE_STATUSES
        tasks = await self.scheduler.list_guild_tasks(
            actor.guild_id,
            statuses,
            user_id=None if everyone else actor.user_id,
            limit=100,
        )
        needle = text.strip().lstrip("#").casefold()
        if not needle:
            return tasks[:25]
        found = [t for t in tasks if needle in f"{t.number} {t.name}".casefold()]
        number = parse_id(needle)
        if number is not None and all(t.number != number for t in found):
            exact = await self.find(actor.guild_id, TaskNumber(number))
            if exact is not None and self._offered(exact, actor, everyone, statuses):
                found.insert(0, exact)
        return found[:25]

    @staticmethod
    def _offered(
        task: ScheduledTask, actor: Actor, everyone: bool, statuses: Sequence[TaskStatus] | None
    ) -> bool:
        mine = everyone or task.user_id == actor.user_id
        live = statuses is None or task.status in statuses
        return task.guild_id == actor.guild_id and mine and live
