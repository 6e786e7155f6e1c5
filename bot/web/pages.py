"""The dashboard: server-rendered pages (Jinja2) over the same services as the API.

Readable without JavaScript; forms post here with the session's CSRF token in a hidden field.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot.errors import CarillonError, NotPermitted
from bot.models.scheduled_task import ACTIVE_STATUSES, TaskType
from bot.services.api_tokens import CALENDAR
from bot.services.bundle import Services
from bot.services.task_requests import WhenInput
from bot.timeparse.context import load_zone
from bot.web.access import COOKIE, Caller, csrf_token
from bot.web.login import public_url
from bot.web.routes.calendar import FEED_DAYS
from bot.web.routes.tasks import schedule_play, when_of
from bot.web.schemas import TaskCreate, z

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
WEEK = timedelta(days=7)


async def _session(request: Request) -> Caller | None:
    services: Services = request.app.state.services
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        holder = await services.api_tokens.holder(token)
    except NotPermitted:
        return None
    if holder.kind == CALENDAR:
        return None
    return Caller(holder.user_id, holder, services, request.app.state.members)


def _csrf(caller: Caller) -> str:
    return csrf_token(caller.services.api_tokens.signing_key(), caller.holder.token_id)


def _to_login(request: Request) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def _render(
    request: Request, name: str, caller: Caller | None, status: int = 200, **context: Any
) -> HTMLResponse:
    context |= {
        "user_id": caller.user_id if caller else None,
        "csrf": _csrf(caller) if caller else "",
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    caller = await _session(request)
    servers = []
    if caller is not None:
        members = caller.members
        servers = [(g, members.guild_name(g)) for g in members.guild_ids(caller.user_id)]
    return _render(request, "index.html", caller, servers=servers)


async def _zone(request: Request, caller: Caller, guild_id: int) -> str:
    """The browser's zone (the cookie the page's script sets), else the member's."""
    wanted = request.query_params.get("tz") or unquote(request.cookies.get("tz", ""))
    if wanted:
        try:
            load_zone(wanted)
            return wanted
        except CarillonError:
            pass
    return await caller.services.member_tasks.timezone(caller.actor(guild_id))


async def _week_page(
    request: Request, caller: Caller, guild_id: int, *, status: int = 200, **extra: Any
) -> Response:
    actor, is_admin = await caller.may_admin(guild_id)
    everyone = is_admin and request.query_params.get("all") == "1"
    services = caller.services
    timezone = await _zone(request, caller, guild_id)
    zone = ZoneInfo(timezone)
    now = services.clock.now()
    plays = await services.task_queries.plays_between(
        guild_id, now, now + WEEK, user_id=None if everyone else actor.user_id
    )
    days: dict[str, list[dict[str, Any]]] = {}
    for at, task in plays:
        local = at.astimezone(zone)
        days.setdefault(local.strftime("%A %d %B"), []).append(
            {
                "iso": at.isoformat(),
                "time": local.strftime("%H:%M"),
                "name": task.name,
                "task_id": task.id,
                "mine": task.user_id == actor.user_id,
            }
        )
    return _render(
        request,
        "server.html",
        caller,
        status,
        guild_id=guild_id,
        guild_name=caller.members.guild_name(guild_id),
        is_admin=is_admin,
        everyone=everyone,
        timezone=timezone,
        days=list(days.items()),
        sounds=await services.sounds.list(guild_id),
        channels=caller.members.voice_channels(guild_id),
        **extra,
    )


Page = Callable[[Request, Caller, int], Coroutine[Any, Any, Response]]


async def _guarded(request: Request, guild_id: int, page: Page) -> Response:
    caller = await _session(request)
    if caller is None:
        return _to_login(request)
    try:
        return await page(request, caller, guild_id)
    except CarillonError as exc:
        status = 403 if isinstance(exc, NotPermitted) else 404
        return _render(request, "index.html", caller, status, error=str(exc), servers=[])


@router.get("/servers/{guild_id}", response_class=HTMLResponse)
async def week(request: Request, guild_id: int) -> Response:
    return await _guarded(request, guild_id, _week_page)


def _check_form(caller: Caller, token: str) -> None:
    if not hmac.compare_digest(token, _csrf(caller)):
        raise NotPermitted("The form has expired: reload the page and try again.")


@router.post("/servers/{guild_id}/tasks")
async def create_from_form(
    request: Request,
    guild_id: int,
    csrf_token: Annotated[str, Form()],
    sound_id: Annotated[int, Form()],
    channel_id: Annotated[int, Form()],
    when: Annotated[str, Form(max_length=200)],
    timezone: Annotated[str | None, Form()] = None,
    name: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    async def create(request: Request, caller: Caller, guild_id: int) -> Response:
        try:
            _check_form(caller, csrf_token)
            body = TaskCreate(
                task_type="play_sound",
                when=when,
                timezone=timezone or None,
                parameters={"sound_id": sound_id},
                guild_id=guild_id,
                channel_id=channel_id,
                name=name or None,
            )
            schedule, zone = when_of(
                body.when, None, body.timezone, body.recurrence_type, None, None, required=True
            )
            await schedule_play(caller, caller.actor(guild_id), body, schedule, zone)
        except CarillonError as exc:
            return await _week_page(
                request, caller, guild_id, status=422, error=str(exc), form_when=when
            )
        return RedirectResponse(f"/servers/{guild_id}", status_code=303)

    return await _guarded(request, guild_id, create)


@router.post("/servers/{guild_id}/tasks/{task_id}/cancel")
async def cancel_from_form(
    request: Request, guild_id: int, task_id: int, csrf_token: Annotated[str, Form()]
) -> Response:
    async def cancel(request: Request, caller: Caller, guild_id: int) -> Response:
        try:
            _check_form(caller, csrf_token)
            actor, is_admin = await caller.may_admin(guild_id)
            await caller.services.member_tasks.cancel(actor, task_id, as_admin=is_admin)
        except CarillonError as exc:
            return await _week_page(request, caller, guild_id, status=422, error=str(exc))
        return RedirectResponse(f"/servers/{guild_id}", status_code=303)

    return await _guarded(request, guild_id, cancel)


async def _sounds_page(
    request: Request, caller: Caller, guild_id: int, *, status: int = 200, **extra: Any
) -> Response:
    _, is_admin = await caller.may_admin(guild_id)
    return _render(
        request,
        "sounds.html",
        caller,
        status,
        guild_id=guild_id,
        guild_name=caller.members.guild_name(guild_id),
        sounds=await caller.services.sounds.list(guild_id),
        is_admin=is_admin,
        **extra,
    )


@router.get("/servers/{guild_id}/sounds", response_class=HTMLResponse)
async def sounds(request: Request, guild_id: int) -> Response:
    return await _guarded(request, guild_id, _sounds_page)


@router.post("/servers/{guild_id}/sounds")
async def upload_from_form(
    request: Request,
    guild_id: int,
    csrf_token: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=100)],
    file: Annotated[UploadFile, File()],
) -> Response:
    async def upload(request: Request, caller: Caller, guild_id: int) -> Response:
        service = caller.services.sounds
        try:
            _check_form(caller, csrf_token)
            caller.actor(guild_id)
            data = await file.read()
            service.check_upload_size(len(data), file.filename or "The file")
            await service.upload(guild_id, caller.user_id, name, data)
        except CarillonError as exc:
            return await _sounds_page(request, caller, guild_id, status=422, error=str(exc))
        return RedirectResponse(f"/servers/{guild_id}/sounds", status_code=303)

    return await _guarded(request, guild_id, upload)


def _local(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%a %d %b %Y %H:%M") if at is not None else "never"


async def _edit_page(
    request: Request, caller: Caller, guild_id: int, task_id: int, status: int = 200, **extra: Any
) -> Response:
    actor = caller.actor(guild_id)
    task = await caller.services.task_queries.owned(actor, task_id)
    timezone = await _zone(request, caller, guild_id)
    at = task.next_run_at
    return _render(
        request,
        "edit.html",
        caller,
        status,
        guild_id=guild_id,
        task=task,
        timezone=timezone,
        next_iso=at.isoformat() if at else "",
        next_local=_local(at, ZoneInfo(timezone)),
        **extra,
    )


@router.get("/servers/{guild_id}/tasks/{task_id}/edit", response_class=HTMLResponse)
async def edit_form(request: Request, guild_id: int, task_id: int) -> Response:
    async def page(request: Request, caller: Caller, guild_id: int) -> Response:
        return await _edit_page(request, caller, guild_id, task_id)

    return await _guarded(request, guild_id, page)


@router.post("/servers/{guild_id}/tasks/{task_id}/edit")
async def edit_from_form(
    request: Request,
    guild_id: int,
    task_id: int,
    csrf_token: Annotated[str, Form()],
    when: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    async def edit(request: Request, caller: Caller, guild_id: int) -> Response:
        try:
            _check_form(caller, csrf_token)
            actor = caller.actor(guild_id)
            task = await caller.services.task_queries.owned(actor, task_id)
            new_name = name.strip() if name.strip() and name.strip() != task.name else None
            await caller.services.member_tasks.edit(
                actor, task_id, WhenInput(when.strip() or None), new_name
            )
        except CarillonError as exc:
            return await _edit_page(request, caller, guild_id, task_id, 422, error=str(exc))
        return RedirectResponse(f"/servers/{guild_id}", status_code=303)

    return await _guarded(request, guild_id, edit)


async def _playlists_page(
    request: Request, caller: Caller, guild_id: int, *, status: int = 200, **extra: Any
) -> Response:
    actor, is_admin = await caller.may_admin(guild_id)
    playlists = caller.services.playlists
    views = []
    for playlist, _count in await playlists.list(guild_id):
        view = await playlists.show(guild_id, playlist.id)
        editable = is_admin or playlist.owner_id == actor.user_id
        views.append({"playlist": view.playlist, "sounds": view.sounds, "editable": editable})
    return _render(
        request,
        "playlists.html",
        caller,
        status,
        guild_id=guild_id,
        guild_name=caller.members.guild_name(guild_id),
        is_admin=is_admin,
        playlists=views,
        sounds=await caller.services.sounds.list(guild_id),
        **extra,
    )


@router.get("/servers/{guild_id}/playlists", response_class=HTMLResponse)
async def playlists_page(request: Request, guild_id: int) -> Response:
    return await _guarded(request, guild_id, _playlists_page)


def _playlist_action(
    request: Request, guild_id: int, csrf: str, act: Callable[[Caller, int, bool], Awaitable[Any]]
) -> Awaitable[Response]:
    async def page(request: Request, caller: Caller, guild_id: int) -> Response:
        try:
            _check_form(caller, csrf)
            actor, is_admin = await caller.may_admin(guild_id)
            await act(caller, actor.user_id, is_admin)
        except CarillonError as exc:
            return await _playlists_page(request, caller, guild_id, status=422, error=str(exc))
        return RedirectResponse(f"/servers/{guild_id}/playlists", status_code=303)

    return _guarded(request, guild_id, page)


@router.post("/servers/{guild_id}/playlists")
async def create_playlist(
    request: Request,
    guild_id: int,
    csrf_token: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=100)],
) -> Response:
    async def act(caller: Caller, user_id: int, _is_admin: bool) -> None:
        await caller.services.playlists.create(guild_id, user_id, name)

    return await _playlist_action(request, guild_id, csrf_token, act)


@router.post("/servers/{guild_id}/playlists/{playlist_id}/add")
async def add_to_playlist(
    request: Request,
    guild_id: int,
    playlist_id: int,
    csrf_token: Annotated[str, Form()],
    sound_id: Annotated[int, Form()],
) -> Response:
    async def act(caller: Caller, user_id: int, is_admin: bool) -> None:
        await caller.services.playlists.add(
            guild_id, playlist_id, sound_id, actor_id=user_id, is_admin=is_admin
        )

    return await _playlist_action(request, guild_id, csrf_token, act)


@router.post("/servers/{guild_id}/playlists/{playlist_id}/move")
async def move_in_playlist(
    request: Request,
    guild_id: int,
    playlist_id: int,
    csrf_token: Annotated[str, Form()],
    position: Annotated[int, Form()],
    to: Annotated[int, Form()],
) -> Response:
    async def act(caller: Caller, user_id: int, is_admin: bool) -> None:
        await caller.services.playlists.move(
            guild_id, playlist_id, position, to, actor_id=user_id, is_admin=is_admin
        )

    return await _playlist_action(request, guild_id, csrf_token, act)


async def _credits_page(request: Request, caller: Caller, guild_id: int) -> Response:
    actor, is_admin = await caller.may_admin(guild_id)
    credits = caller.services.credits
    zone = ZoneInfo(await _zone(request, caller, guild_id))
    history = [
        {
            "iso": t.created_at.isoformat(),
            "local": _local(t.created_at, zone),
            "amount": t.amount,
            "balance_after": t.balance_after,
            "reason": t.reason,
        }
        for t in await credits.history(guild_id, actor.user_id, 50)
    ]
    return _render(
        request,
        "credits.html",
        caller,
        guild_id=guild_id,
        guild_name=caller.members.guild_name(guild_id),
        is_admin=is_admin,
        balance=await credits.balance(guild_id, actor.user_id),
        history=history,
    )


@router.get("/servers/{guild_id}/credits", response_class=HTMLResponse)
async def credits_page(request: Request, guild_id: int) -> Response:
    return await _guarded(request, guild_id, _credits_page)


async def _admin_page(
    request: Request, caller: Caller, guild_id: int, *, status: int = 200, **extra: Any
) -> Response:
    await caller.admin(guild_id)
    services = caller.services
    timezone = await _zone(request, caller, guild_id)
    zone = ZoneInfo(timezone)
    tasks = await services.scheduler.list_guild_tasks(guild_id, ACTIVE_STATUSES, limit=100)
    recharges = [
        {"id": t.id, "name": t.name, "iso": z(t.next_run_at), "local": _local(t.next_run_at, zone)}
        for t in tasks
        if t.task_type == TaskType.CREDIT_RECHARGE
    ]
    configured = list(services.config.discord.admin_role_ids)
    stored = await services.settings.admin_role_ids(guild_id)
    role_ids = configured + [r for r in stored if r not in configured]
    return _render(
        request,
        "admin.html",
        caller,
        status,
        guild_id=guild_id,
        guild_name=caller.members.guild_name(guild_id),
        is_admin=True,
        timezone=timezone,
        recharges=recharges,
        admin_roles=caller.members.role_names(guild_id, role_ids),
        **extra,
    )


@router.get("/servers/{guild_id}/admin", response_class=HTMLResponse)
async def admin_page(request: Request, guild_id: int) -> Response:
    return await _guarded(request, guild_id, _admin_page)


@router.post("/servers/{guild_id}/admin/recharges")
async def recharge_from_form(
    request: Request,
    guild_id: int,
    csrf_token: Annotated[str, Form()],
    amount: Annotated[int, Form()],
    when: Annotated[str, Form(max_length=200)],
    timezone: Annotated[str | None, Form()] = None,
) -> Response:
    async def create(request: Request, caller: Caller, guild_id: int) -> Response:
        try:
            _check_form(caller, csrf_token)
            actor = await caller.admin(guild_id)
            await caller.services.member_tasks.schedule_recharge(
                actor, WhenInput(when), amount, None, timezone=timezone or None
            )
        except NotPermitted:
            raise
        except CarillonError as exc:
            return await _admin_page(request, caller, guild_id, status=422, error=str(exc))
        return RedirectResponse(f"/servers/{guild_id}/admin", status_code=303)

    return await _guarded(request, guild_id, create)


@router.post("/servers/{guild_id}/calendar")
async def calendar_link(
    request: Request, guild_id: int, csrf_token: Annotated[str, Form()]
) -> Response:
    async def create(request: Request, caller: Caller, guild_id: int) -> Response:
        _check_form(caller, csrf_token)
        caller.actor(guild_id)
        minted = await caller.services.api_tokens.mint(
            caller.user_id, days=FEED_DAYS, kind=CALENDAR, guild_id=guild_id
        )
        url = f"{public_url(request, caller.services.config)}/calendar/{minted.token}.ics"
        return await _week_page(request, caller, guild_id, calendar_url=url)

    return await _guarded(request, guild_id, create)
