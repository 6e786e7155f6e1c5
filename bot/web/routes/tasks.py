"""``/api/v1/scheduler``: the original system's routes over the member-task service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from bot.errors import InvalidInput
from bot.models.scheduled_task import RecurrenceType, ScheduledTask, TaskStatus, TaskType
from bot.scheduling.recurrence import localize
from bot.services.actor import Actor
from bot.services.task_requests import WhenInput
from bot.timeparse import TimeParseError
from bot.timeparse.context import load_zone
from bot.web.access import AdminDep, Caller, CallerDep, TaskDep, member_of
from bot.web.schemas import TaskCreate, TaskPatch, task_json, z

router = APIRouter(prefix="/api/v1/scheduler", tags=["scheduler"])
MAX_LIMIT = 100


def _instant_text(scheduled_at: datetime, timezone: str) -> str:
    """``scheduled_at`` as a ``when`` text: naive is wall clock in ``timezone``."""
    try:
        zone = load_zone(timezone)
    except InvalidInput as exc:
        raise InvalidInput(f"timezone: {exc}") from None
    if scheduled_at.tzinfo is None:
        scheduled_at = localize(scheduled_at, zone)
    return f"<t:{int(scheduled_at.timestamp())}>"


def when_of(
    when: str | None,
    scheduled_at: datetime | None,
    timezone: str | None,
    recurrence_type: RecurrenceType | None,
    cron_expression: str | None,
    recurrence_count: int | None,
    *,
    required: bool,
    instant_zone: str = "UTC",
) -> tuple[WhenInput, str | None]:
    """The body's schedule as the slash commands' input, and the zone to read it in.

    ``instant_zone``: the zone of a naive ``scheduled_at`` when ``timezone`` is not given."""
    if when and scheduled_at is not None:
        raise InvalidInput("when: give either scheduled_at or when, not both.")
    if required and not when and scheduled_at is None:
        raise InvalidInput("scheduled_at: give scheduled_at (ISO 8601) or when (such as 'in 2h').")
    if recurrence_type == RecurrenceType.CRON and not cron_expression:
        raise InvalidInput("cron_expression: required when recurrence_type is 'cron'.")
    text = when
    zone = timezone
    if scheduled_at is not None:
        zone = timezone or instant_zone
        text = _instant_text(scheduled_at, zone)
    elif timezone:
        load_zone(timezone)
    repeat = None
    if recurrence_type not in (None, RecurrenceType.NONE, RecurrenceType.CRON):
        repeat = str(recurrence_type)
    return WhenInput(text, repeat, cron_expression, recurrence_count), zone


@contextmanager
def _schedule_errors(body: TaskCreate | TaskPatch) -> Iterator[None]:
    """A time the parser refused, named by the field it came from."""
    try:
        yield
    except TimeParseError as exc:
        field = "scheduled_at" if body.scheduled_at is not None else "when"
        raise InvalidInput(f"{field}: {exc}") from None


def _int_parameter(parameters: dict[str, Any], key: str) -> int | None:
    value = parameters.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise InvalidInput(f"parameters.{key}: must be a whole number.")
    return int(value)


def _pick(parameters: dict[str, Any], id_key: str, name_key: str) -> str:
    found = _int_parameter(parameters, id_key)
    if found is not None:
        return str(found)
    name = parameters.get(name_key)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"parameters.{id_key}: give the {name_key}'s id (or its name).")
    return name


@router.post("/tasks", status_code=201)
async def create_task(body: TaskCreate, caller: CallerDep) -> dict[str, Any]:
    actor = caller.actor(body.guild_id)  # whether they are an admin is the service's to ask
    when, zone = when_of(
        body.when,
        body.scheduled_at,
        body.timezone,
        body.recurrence_type,
        body.cron_expression,
        body.recurrence_count,
        required=True,
    )
    with _schedule_errors(body):
        task = await schedule_play(caller, actor, body, when, zone)
    return task_json(task)


async def schedule_play(
    caller: Caller, actor: Actor, body: TaskCreate, when: WhenInput, zone: str | None
) -> ScheduledTask:
    channel_id = body.channel_id or _int_parameter(body.parameters, "channel_id")
    tasks = caller.services.member_tasks
    if body.task_type == TaskType.PLAY_SOUND:
        target = caller.members.play_target(body.guild_id, channel_id)
        sound = _pick(body.parameters, "sound_id", "sound")
        task = await tasks.schedule_sound(actor, sound, when, target, body.name, timezone=zone)
    elif body.task_type == TaskType.PLAY_PLAYLIST:
        target = caller.members.play_target(body.guild_id, channel_id)
        playlist = _pick(body.parameters, "playlist_id", "playlist")
        task = await tasks.schedule_playlist(
            actor,
            playlist,
            when,
            target,
            body.name,
            mode=body.parameters.get("mode", "continuous"),
            shuffle=bool(body.parameters.get("shuffle", False)),
            timezone=zone,
        )
    else:
        raise InvalidInput(
            "task_type: credit_recharge is a system task: an admin creates it with "
            "POST /api/v1/scheduler/admin/system-tasks."
        )
    return task


@router.get("/tasks")
async def list_tasks(
    caller: CallerDep,
    status: TaskStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    guild_id: int | None = None,
) -> list[dict[str, Any]]:
    """The caller's own tasks, newest first; in one server with ``guild_id``."""
    if guild_id is not None:
        caller.actor(guild_id)
        page = await caller.services.task_queries.page(
            guild_id, user_id=caller.user_id, status=status, page=0, per_page=limit
        )
        return [task_json(t) for t in page.tasks]
    tasks = await caller.services.scheduler.get_user_tasks(caller.user_id, status, limit=limit)
    return [task_json(t) for t in tasks]


@router.get("/tasks/{task_id}")
async def get_task(access: TaskDep) -> dict[str, Any]:
    member = access.member
    details = await member.services.task_queries.details(
        member.actor, access.task.id, as_admin=access.as_admin
    )
    return task_json(details.task) | {
        "upcoming_runs": [z(at) for at in details.upcoming],
        "runs": [
            {
                "scheduled_for": z(run.scheduled_for),
                "started_at": z(run.started_at),
                "finished_at": z(run.finished_at),
                "outcome": str(run.outcome) if run.outcome is not None else None,
                "error": run.error,
            }
            for run in details.runs
        ],
    }


@router.patch("/tasks/{task_id}")
async def edit_task(body: TaskPatch, access: TaskDep) -> dict[str, Any]:
    """Members edit their own tasks (as ``/schedule edit``). A ``scheduled_at`` moves the
    first run and keeps the recurrence unless the body changes it; naive, it is wall clock
    in ``timezone`` (else the task's own zone)."""
    when, zone = when_of(
        body.when,
        body.scheduled_at,
        body.timezone,
        body.recurrence_type,
        body.cron_expression,
        body.recurrence_count,
        required=False,
        instant_zone=access.task.timezone,
    )
    member = access.member
    with _schedule_errors(body):
        task = await member.services.member_tasks.edit(
            member.actor,
            access.task.id,
            when,
            body.name,
            timezone=zone,
            keep_recurrence=body.scheduled_at is not None,
        )
    return task_json(task)


@router.delete("/tasks/{task_id}", status_code=204)
async def cancel_task(access: TaskDep) -> Response:
    member = access.member
    await member.services.member_tasks.cancel(
        member.actor, access.task.id, as_admin=access.as_admin
    )
    return Response(status_code=204)


@router.post("/tasks/{task_id}/pause")
async def pause_task(access: TaskDep) -> dict[str, Any]:
    """As ``/schedule pause``: nothing plays until it is resumed; the schedule stays."""
    member = access.member
    task = await member.services.member_tasks.pause(
        member.actor, access.task.id, as_admin=access.as_admin
    )
    return task_json(task)


@router.post("/tasks/{task_id}/resume")
async def resume_task(access: TaskDep) -> dict[str, Any]:
    """As ``/schedule resume``: from the next occurrence still ahead."""
    member = access.member
    task = await member.services.member_tasks.resume(
        member.actor, access.task.id, as_admin=access.as_admin
    )
    return task_json(task)


@router.post("/tasks/{task_id}/skip")
async def skip_task(access: TaskDep) -> dict[str, Any]:
    """As ``/schedule skip``: drops the next occurrence only; ``skipped`` is its instant."""
    member = access.member
    task, dropped = await member.services.member_tasks.skip(
        member.actor, access.task.id, as_admin=access.as_admin
    )
    return task_json(task) | {"skipped": z(dropped)}


@router.get("/admin/tasks")
async def admin_tasks(
    admin: AdminDep,
    status: TaskStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Every task of the server (``guild_id``; admins)."""
    page = await admin.services.task_queries.page(
        admin.guild_id, user_id=None, status=status, page=offset // limit, per_page=limit
    )
    return [task_json(t) for t in page.tasks]


@router.post("/admin/system-tasks", status_code=201)
async def create_system_task(body: TaskCreate, caller: CallerDep) -> dict[str, Any]:
    """A credit recharge for one member (``parameters.member_id``) or everyone."""
    admin = await member_of(caller, body.guild_id)
    actor = admin.require_admin()
    if body.task_type != TaskType.CREDIT_RECHARGE:
        raise InvalidInput(
            "task_type: a system task is a credit_recharge; plays go to POST "
            "/api/v1/scheduler/tasks."
        )
    when, zone = when_of(
        body.when,
        body.scheduled_at,
        body.timezone,
        body.recurrence_type,
        body.cron_expression,
        body.recurrence_count,
        required=True,
    )
    amount = _int_parameter(body.parameters, "amount")
    if amount is None:
        raise InvalidInput("parameters.amount: give the number of credits to add.")
    member_id = _int_parameter(body.parameters, "member_id")
    if member_id is not None:
        caller.members.actor(member_id, body.guild_id)
    with _schedule_errors(body):
        task = await caller.services.member_tasks.schedule_recharge(
            actor, when, amount, member_id, text_channel_id=body.channel_id, timezone=zone
        )
    return task_json(task)
