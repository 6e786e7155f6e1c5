"""The dashboard: server-rendered pages (Jinja2) over the same services as the API.

Readable without JavaScript; forms post here with the session's CSRF token in a hidden field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from bot.errors import CarillonError
from bot.models.scheduled_task import TaskStatus
from bot.services.api_tokens import CALENDAR
from bot.services.task_requests import WhenInput
from bot.web.access import Member
from bot.web.http_errors import status_of
from bot.web.login import public_url
from bot.web.page_support import (
    PAGES,
    FormMember,
    PageMember,
    back,
    local_time,
    render,
    server_page,
    session,
    zone_of,
)
from bot.web.routes.calendar import FEED_DAYS
from bot.web.routes.tasks import schedule_play, when_of
from bot.web.schemas import TaskCreate

router = APIRouter(include_in_schema=False, tags=[PAGES])
WEEK = timedelta(days=7)
# A week page lists this many plays, then links to the rest of the week.
PLAYS_PER_PAGE = 100


def _later_from(request: Request, now: datetime) -> datetime:
    """Where a "Later plays" link starts the list (``?from=``), never before now."""
    wanted = request.query_params.get("from", "")
    try:
        start = datetime.fromisoformat(wanted)
    except ValueError:
        return now
    if start.tzinfo is None:
        return now
    return max(start, now)


@dataclass(frozen=True, slots=True)
class WeekPlay:
    """One play in the week view (a page shows hundreds: attributes, not dict keys)."""

    iso: Markup
    time: Markup
    task_id: int
    # The task as members name it in Discord ("#3"); URLs keep the global id.
    ref: str
    url: Markup
    name: str
    mine: bool
    repeats: bool
    # The task's next run in the view: Pause and Skip next act on it, so they show there.
    next: bool


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    caller = await session(request)
    request.state.caller = caller
    servers = []
    if caller is not None:
        members = caller.members
        servers = [(g, members.guild_name(g)) for g in members.guild_ids(caller.user_id)]
    return render(request, "index.html", caller, servers=servers)


async def _week_page(
    request: Request, member: Member, *, status: int = 200, **extra: Any
) -> Response:
    everyone = member.is_admin and request.query_params.get("all") == "1"
    services = member.services
    timezone = await zone_of(request, member)
    zone = ZoneInfo(timezone)
    now = services.clock.now()
    owner = None if everyone else member.user_id
    start = _later_from(request, now)
    plays = await services.task_queries.plays_between(
        member.guild_id, start, now + WEEK, user_id=owner, limit=PLAYS_PER_PAGE + 1
    )
    later = None
    if len(plays) > PLAYS_PER_PAGE:
        plays = plays[:PLAYS_PER_PAGE]
        # The next page starts just after this one's last play (ties share its instant).
        later = (plays[-1][0] + timedelta(microseconds=1)).isoformat()
    days: dict[str, list[WeekPlay]] = {}
    for at, task in plays:
        local = at.astimezone(zone)
        days.setdefault(local.strftime("%A %d %B"), []).append(
            WeekPlay(
                # Digits and punctuation only: nothing to escape.
                iso=Markup(at.isoformat()),
                time=Markup(local.strftime("%H:%M")),
                task_id=task.id,
                ref=task.ref,
                url=Markup(f"/servers/{member.guild_id}/tasks/{task.id}"),
                name=task.name,
                mine=task.user_id == member.user_id,
                repeats=task.is_recurring,
                next=at == task.next_run_at,
            )
        )
    paused = await services.scheduler.list_guild_tasks(
        member.guild_id, TaskStatus.PAUSED, user_id=owner, limit=25
    )
    return server_page(
        request,
        member,
        "server.html",
        status,
        everyone=everyone,
        timezone=timezone,
        days=list(days.items()),
        later=later,
        paged=start != now,
        paused=paused,
        sounds=await services.sounds.list(member.guild_id),
        channels=member.members.voice_channels(member.guild_id),
        **extra,
    )


@router.get("/servers/{guild_id}", response_class=HTMLResponse)
async def week(request: Request, member: PageMember) -> Response:
    return await _week_page(request, member)


@router.post("/servers/{guild_id}/tasks")
async def create_from_form(
    request: Request,
    member: FormMember,
    sound_id: Annotated[int, Form()],
    channel_id: Annotated[int, Form()],
    when: Annotated[str, Form(max_length=200)],
    timezone: Annotated[str | None, Form()] = None,
    name: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    try:
        body = TaskCreate(
            task_type="play_sound",
            when=when,
            timezone=timezone or None,
            parameters={"sound_id": sound_id},
            guild_id=member.guild_id,
            channel_id=channel_id,
            name=name or None,
        )
        schedule, zone = when_of(
            body.when, None, body.timezone, body.recurrence_type, None, None, required=True
        )
        await schedule_play(member.caller, member.actor, body, schedule, zone)
    except CarillonError as exc:
        return await _week_page(
            request, member, status=status_of(exc), error=str(exc), form_when=when
        )
    return back(member)


TaskAction = Callable[[Member, int], Awaitable[Any]]


async def _cancel(member: Member, task_id: int) -> None:
    await member.services.member_tasks.cancel(member.actor, task_id, as_admin=member.is_admin)


async def _pause(member: Member, task_id: int) -> None:
    await member.services.member_tasks.pause(member.actor, task_id, as_admin=member.is_admin)


async def _resume(member: Member, task_id: int) -> None:
    await member.services.member_tasks.resume(member.actor, task_id, as_admin=member.is_admin)


async def _skip(member: Member, task_id: int) -> None:
    await member.services.member_tasks.skip(member.actor, task_id, as_admin=member.is_admin)


TASK_ACTIONS: dict[str, TaskAction] = {
    "cancel": _cancel,
    "pause": _pause,
    "resume": _resume,
    "skip": _skip,
}


def _task_route(action: str, act: TaskAction) -> None:
    async def from_form(request: Request, member: FormMember, task_id: int) -> Response:
        try:
            await act(member, task_id)
        except CarillonError as exc:
            return await _week_page(request, member, status=status_of(exc), error=str(exc))
        return back(member)

    from_form.__name__ = f"{action}_from_form"
    router.add_api_route(
        f"/servers/{{guild_id}}/tasks/{{task_id}}/{action}", from_form, methods=["POST"]
    )


# Cancel, Pause, Resume and Skip next: the owner, or an admin of the server.
for _action, _act in TASK_ACTIONS.items():
    _task_route(_action, _act)


async def _sounds_page(
    request: Request, member: Member, *, status: int = 200, **extra: Any
) -> Response:
    sounds = await member.services.sounds.list(member.guild_id)
    return server_page(request, member, "sounds.html", status, sounds=sounds, **extra)


@router.get("/servers/{guild_id}/sounds", response_class=HTMLResponse)
async def sounds(request: Request, member: PageMember) -> Response:
    return await _sounds_page(request, member)


@router.post("/servers/{guild_id}/sounds")
async def upload_from_form(
    request: Request,
    member: FormMember,
    name: Annotated[str, Form(max_length=100)],
    file: Annotated[UploadFile, File()],
) -> Response:
    service = member.services.sounds
    try:
        data = await file.read()
        service.check_upload_size(len(data), file.filename or "The file")
        await service.upload(member.guild_id, member.user_id, name, data)
    except CarillonError as exc:
        return await _sounds_page(request, member, status=status_of(exc), error=str(exc))
    return back(member, "/sounds")


async def _edit_page(
    request: Request, member: Member, task_id: int, status: int = 200, **extra: Any
) -> Response:
    task = await member.services.task_queries.owned(member.actor, task_id)
    timezone = await zone_of(request, member)
    at = task.next_run_at
    return server_page(
        request,
        member,
        "edit.html",
        status,
        task=task,
        timezone=timezone,
        next_iso=at.isoformat() if at else "",
        next_local=local_time(at, ZoneInfo(timezone)),
        **extra,
    )


@router.get("/servers/{guild_id}/tasks/{task_id}/edit", response_class=HTMLResponse)
async def edit_form(request: Request, member: PageMember, task_id: int) -> Response:
    return await _edit_page(request, member, task_id)


@router.post("/servers/{guild_id}/tasks/{task_id}/edit")
async def edit_from_form(
    request: Request,
    member: FormMember,
    task_id: int,
    when: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    try:
        task = await member.services.task_queries.owned(member.actor, task_id)
        new_name = name.strip() if name.strip() and name.strip() != task.name else None
        await member.services.member_tasks.edit(
            member.actor, task_id, WhenInput(when.strip() or None), new_name
        )
    except CarillonError as exc:
        return await _edit_page(request, member, task_id, status_of(exc), error=str(exc))
    return back(member)


async def _playlists_page(
    request: Request, member: Member, *, status: int = 200, **extra: Any
) -> Response:
    playlists = member.services.playlists
    views = []
    for playlist, _count in await playlists.list(member.guild_id):
        view = await playlists.show(member.guild_id, playlist.id)
        editable = member.is_admin or playlist.owner_id == member.user_id
        views.append({"playlist": view.playlist, "sounds": view.sounds, "editable": editable})
    return server_page(
        request,
        member,
        "playlists.html",
        status,
        playlists=views,
        sounds=await member.services.sounds.list(member.guild_id),
        **extra,
    )


@router.get("/servers/{guild_id}/playlists", response_class=HTMLResponse)
async def playlists_page(request: Request, member: PageMember) -> Response:
    return await _playlists_page(request, member)


async def _playlist_action(
    request: Request, member: Member, act: Callable[[], Awaitable[Any]]
) -> Response:
    try:
        await act()
    except CarillonError as exc:
        return await _playlists_page(request, member, status=status_of(exc), error=str(exc))
    return back(member, "/playlists")


@router.post("/servers/{guild_id}/playlists")
async def create_playlist(
    request: Request, member: FormMember, name: Annotated[str, Form(max_length=100)]
) -> Response:
    async def act() -> None:
        await member.services.playlists.create(member.guild_id, member.user_id, name)

    return await _playlist_action(request, member, act)


@router.post("/servers/{guild_id}/playlists/{playlist_id}/add")
async def add_to_playlist(
    request: Request,
    member: FormMember,
    playlist_id: int,
    sound_id: Annotated[int, Form()],
) -> Response:
    async def act() -> None:
        await member.services.playlists.add(
            member.guild_id,
            playlist_id,
            sound_id,
            actor_id=member.user_id,
            is_admin=member.is_admin,
        )

    return await _playlist_action(request, member, act)


@router.post("/servers/{guild_id}/playlists/{playlist_id}/move")
async def move_in_playlist(
    request: Request,
    member: FormMember,
    playlist_id: int,
    position: Annotated[int, Form()],
    to: Annotated[int, Form()],
) -> Response:
    async def act() -> None:
        await member.services.playlists.move(
            member.guild_id,
            playlist_id,
            position,
            to,
            actor_id=member.user_id,
            is_admin=member.is_admin,
        )

    return await _playlist_action(request, member, act)


@router.get("/servers/{guild_id}/credits", response_class=HTMLResponse)
async def credits_page(request: Request, member: PageMember) -> Response:
    credits = member.services.credits
    zone = ZoneInfo(await zone_of(request, member))
    history = [
        {
            "iso": t.created_at.isoformat(),
            "local": local_time(t.created_at, zone),
            "amount": t.amount,
            "balance_after": t.balance_after,
            "reason": t.reason,
        }
        for t in await credits.history(member.guild_id, member.user_id, 50)
    ]
    return server_page(
        request,
        member,
        "credits.html",
        balance=await credits.balance(member.guild_id, member.user_id),
        history=history,
    )


@router.post("/servers/{guild_id}/calendar")
async def calendar_link(request: Request, member: FormMember) -> Response:
    minted = await member.services.api_tokens.mint(
        member.user_id, days=FEED_DAYS, kind=CALENDAR, guild_id=member.guild_id
    )
    url = f"{public_url(request, member.services.config)}/calendar/{minted.token}.ics"
    return await _week_page(request, member, calendar_url=url)
