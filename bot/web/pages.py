"""The dashboard: server-rendered pages (Jinja2) over the same services as the API.

Readable without JavaScript; forms post here with the session's CSRF token in a hidden field.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot.errors import CarillonError, NotPermitted
from bot.services.api_tokens import CALENDAR
from bot.services.bundle import Services
from bot.timeparse.context import load_zone
from bot.web.access import COOKIE, Caller, csrf_token
from bot.web.routes.tasks import schedule_play, when_of
from bot.web.schemas import TaskCreate

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
        return _render(request, "index.html", caller, 404, error=str(exc), servers=[])


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
    caller.actor(guild_id)
    return _render(
        request,
        "sounds.html",
        caller,
        status,
        guild_id=guild_id,
        guild_name=caller.members.guild_name(guild_id),
        sounds=await caller.services.sounds.list(guild_id),
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
