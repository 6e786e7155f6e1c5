"""The dashboard's admin page: credit recharges, the server's settings and its admin roles,
under the same rules as ``/admin recharge``, ``/admin settings`` and ``/admin roles``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from bot.errors import CarillonError, InvalidInput
from bot.models.scheduled_task import ACTIVE_STATUSES, TaskType
from bot.services.settings import NO_ANNOUNCEMENTS, EffectiveGuildSettings
from bot.services.task_requests import WhenInput
from bot.timezones import resolve_zone
from bot.web.access import Member
from bot.web.http_errors import status_of
from bot.web.page_support import (
    PAGES,
    FormMember,
    PageMember,
    back,
    local_time,
    server_page,
    zone_of,
)
from bot.web.schemas import z

router = APIRouter(include_in_schema=False, tags=[PAGES])
# The announcements choice besides a channel id (as /admin settings' `announcements`).
WHERE_SCHEDULED = "scheduled"
NOWHERE = "none"


async def _admin(member: PageMember) -> Member:
    member.require_admin()
    return member


async def _form_admin(member: FormMember) -> Member:
    member.require_admin()
    return member


PageAdmin = Annotated[Member, Depends(_admin)]
FormAdmin = Annotated[Member, Depends(_form_admin)]


def _announcements_value(settings: EffectiveGuildSettings) -> str:
    if not settings.announces:
        return NOWHERE
    if settings.announcement_channel_id is None:
        return WHERE_SCHEDULED
    return str(settings.announcement_channel_id)


async def _admin_page(
    request: Request, admin: Member, *, status: int = 200, **extra: Any
) -> Response:
    services = admin.services
    guild_id = admin.guild_id
    timezone = await zone_of(request, admin)
    zone = ZoneInfo(timezone)
    tasks = await services.scheduler.list_guild_tasks(guild_id, ACTIVE_STATUSES, limit=100)
    recharges = [
        {
            "ref": t.ref,
            "name": t.name,
            "iso": z(t.next_run_at),
            "local": local_time(t.next_run_at, zone),
        }
        for t in tasks
        if t.task_type == TaskType.CREDIT_RECHARGE
    ]
    configured = list(services.config.discord.admin_role_ids)
    stored = await services.settings.admin_role_ids(guild_id)
    names = dict(admin.members.roles(guild_id))
    admin_roles = [
        {"id": r, "name": names.get(r, str(r)), "configured": r in configured}
        for r in configured + [r for r in stored if r not in configured]
    ]
    taken = {role["id"] for role in admin_roles}
    settings = await services.settings.guild(guild_id)
    return server_page(
        request,
        admin,
        "admin.html",
        status,
        timezone=timezone,
        recharges=recharges,
        admin_roles=admin_roles,
        other_roles=[(r, name) for r, name in names.items() if r not in taken],
        settings=settings,
        announcements=_announcements_value(settings),
        text_channels=admin.members.text_channels(guild_id),
        **extra,
    )


@router.get("/servers/{guild_id}/admin", response_class=HTMLResponse)
async def admin_page(request: Request, admin: PageAdmin) -> Response:
    return await _admin_page(request, admin)


async def _admin_action(
    request: Request, admin: Member, act: Callable[[], Awaitable[Any]], done: str
) -> Response:
    try:
        await act()
    except CarillonError as exc:
        return await _admin_page(request, admin, status=status_of(exc), error=str(exc))
    return back(admin, f"/admin?done={done}")


@router.post("/servers/{guild_id}/admin/recharges")
async def recharge_from_form(
    request: Request,
    admin: FormAdmin,
    amount: Annotated[int, Form()],
    when: Annotated[str, Form(max_length=200)],
    timezone: Annotated[str | None, Form()] = None,
) -> Response:
    async def act() -> None:
        await admin.services.member_tasks.schedule_recharge(
            admin.actor, WhenInput(when), amount, None, timezone=timezone or None
        )

    return await _admin_action(request, admin, act, "recharge")


def _announcement_channel(admin: Member, value: str) -> int | None:
    """The form's announcements choice as ``set_announcements`` takes it."""
    if value == WHERE_SCHEDULED:
        return None
    if value == NOWHERE:
        return NO_ANNOUNCEMENTS
    channels = dict(admin.members.text_channels(admin.guild_id))
    if not value.isdigit() or int(value) not in channels:
        raise InvalidInput("announcements: pick one of this server's text channels.")
    return int(value)


@router.post("/servers/{guild_id}/admin/settings")
async def settings_from_form(
    request: Request,
    admin: FormAdmin,
    timezone: Annotated[str, Form(max_length=64)],
    default_cost: Annotated[int, Form()],
    recharge_amount: Annotated[int, Form()],
    recharge_cap: Annotated[int, Form()],
    max_active_tasks: Annotated[int, Form()],
    announcements: Annotated[str, Form(max_length=30)],
) -> Response:
    """Every field of ``/admin settings`` at once; each checked as there."""

    async def act() -> None:
        settings = admin.services.settings
        channel = _announcement_channel(admin, announcements)
        await settings.update_guild(
            admin.guild_id,
            timezone=resolve_zone(timezone),
            default_sound_cost=default_cost,
            recharge_amount=recharge_amount,
            recharge_cap=recharge_cap,
            max_active_tasks=max_active_tasks,
        )
        await settings.set_announcements(admin.guild_id, channel)

    return await _admin_action(request, admin, act, "settings")


@router.post("/servers/{guild_id}/admin/roles")
async def add_role_from_form(
    request: Request, admin: FormAdmin, role_id: Annotated[int, Form()]
) -> Response:
    async def act() -> None:
        if role_id not in dict(admin.members.roles(admin.guild_id)):
            raise InvalidInput("role_id: pick one of this server's roles.")
        await admin.services.settings.add_admin_role(admin.guild_id, role_id, admin.user_id)

    return await _admin_action(request, admin, act, "roles")


@router.post("/servers/{guild_id}/admin/roles/{role_id}/remove")
async def remove_role_from_form(request: Request, admin: FormAdmin, role_id: int) -> Response:
    async def act() -> None:
        if role_id in admin.services.config.discord.admin_role_ids:
            raise InvalidInput(
                "That role is an admin role in the bot's config file ([discord] "
                "admin_role_ids): only whoever runs the bot can remove it."
            )
        if not await admin.services.settings.remove_admin_role(admin.guild_id, role_id):
            raise InvalidInput("That role was not an admin role.")

    return await _admin_action(request, admin, act, "roles")
