"""The dashboard's shared pieces: the session, the member in the path's server, the forms'
CSRF check, and rendering a page (errors included)."""

from __future__ import annotations

import hmac
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from bot.errors import CarillonError, InvalidInput, NotPermitted
from bot.services.api_tokens import CALENDAR
from bot.services.bundle import Services
from bot.timeparse.context import load_zone
from bot.web.access import COOKIE, Caller, Member, csrf_token, member_of

PAGES = "pages"
"""The tag of every dashboard route: their errors are pages, not JSON."""
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class LoginRequired(Exception):
    """A page was asked for without a session: the handler sends the browser to log in."""


class FormExpired(InvalidInput):
    """A form's CSRF field does not belong to this session."""


async def session(request: Request) -> Caller | None:
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


def form_token(caller: Caller) -> str:
    return csrf_token(caller.services.api_tokens.signing_key(), caller.holder.token_id)


async def _logged_in(request: Request) -> Caller:
    caller = await session(request)
    if caller is None:
        raise LoginRequired
    return caller


async def _page_member(request: Request, guild_id: int) -> Member:
    """The logged-in member in the path's server; an error page (404) when not a member."""
    caller = await _logged_in(request)
    request.state.caller = caller
    return await member_of(caller, guild_id)


PageMember = Annotated[Member, Depends(_page_member)]


async def _form_member(member: PageMember, csrf_token: Annotated[str, Form()]) -> Member:
    """A form's poster: the session's member, and the form's CSRF field must match it."""
    if not hmac.compare_digest(csrf_token, form_token(member.caller)):
        raise FormExpired("The form has expired: reload the page and try again.")
    return member


FormMember = Annotated[Member, Depends(_form_member)]


def to_login(request: Request) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def render(
    request: Request, name: str, caller: Caller | None, status: int = 200, **context: Any
) -> HTMLResponse:
    context |= {
        "user_id": caller.user_id if caller else None,
        # Hex digits: marked safe once, not escaped again for each of a page's forms.
        "csrf": Markup(form_token(caller)) if caller else "",
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, exc: Exception, status: int) -> Response:
    """A page's failure as a page (the API's are JSON): its message, nothing internal."""
    if isinstance(exc, LoginRequired):
        return to_login(request)
    caller = getattr(request.state, "caller", None)
    return render(request, "index.html", caller, status, error=str(exc), servers=[])


def back(member: Member, path: str = "") -> Response:
    return RedirectResponse(f"/servers/{member.guild_id}{path}", status_code=303)


async def zone_of(request: Request, member: Member) -> str:
    """The browser's zone (the cookie the page's script sets), else the member's."""
    wanted = request.query_params.get("tz") or unquote(request.cookies.get("tz", ""))
    if wanted:
        try:
            load_zone(wanted)
            return wanted
        except CarillonError:
            pass
    return await member.services.member_tasks.timezone(member.actor)


def server_page(
    request: Request, member: Member, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page of one server: its name, its tabs (Admin for admins)."""
    return render(
        request,
        name,
        member.caller,
        status,
        guild_id=member.guild_id,
        guild_name=member.members.guild_name(member.guild_id),
        is_admin=member.is_admin,
        **context,
    )


def local_time(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%a %d %b %Y %H:%M") if at is not None else "never"
