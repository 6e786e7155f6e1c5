"""Who is calling: the ``access_token`` cookie (or a Bearer header), CSRF for browser
sessions, and the caller as a member of a server as the bot sees them now."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bot.errors import NotFound, NotPermitted
from bot.models.scheduled_task import ScheduledTask
from bot.services.actor import Actor
from bot.services.api_tokens import CALENDAR, SESSION, TokenHolder
from bot.services.bundle import Services
from bot.services.task_queries import NO_SUCH_TASK
from bot.web.members import MemberView

COOKIE = "access_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: int
    holder: TokenHolder
    services: Services
    members: MemberView

    def actor(self, guild_id: int) -> Actor:
        """The caller in ``guild_id``; 404 when they are not a member there."""
        return self.members.actor(self.user_id, guild_id)

    async def may_admin(self, guild_id: int) -> tuple[Actor, bool]:
        actor = self.actor(guild_id)
        return actor, await self.services.settings.is_admin(actor)


def csrf_token(secret: str, token_id: str) -> str:
    """The CSRF token of one browser session: bound to it, so another session's is refused."""
    return hmac.new(secret.encode(), f"csrf:{token_id}".encode(), hashlib.sha256).hexdigest()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def caller(request: Request) -> Caller:
    services: Services = request.app.state.services
    token = _bearer(request) or request.cookies.get(COOKIE)
    if not token:
        raise HTTPException(401, "Log in, or send a token in the access_token cookie.")
    try:
        holder = await services.api_tokens.holder(token)
    except NotPermitted as exc:
        raise HTTPException(401, str(exc)) from None
    if holder.kind == CALENDAR:
        raise HTTPException(401, "A calendar link only reads its calendar.")
    if holder.kind == SESSION and request.method not in SAFE_METHODS:
        expected = csrf_token(services.config.web.secret or "", holder.token_id)
        if not hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), expected):
            raise HTTPException(403, f"Missing or wrong {CSRF_HEADER}: reload the page.")
    return Caller(holder.user_id, holder, services, request.app.state.members)


CallerDep = Annotated[Caller, Depends(caller)]


@dataclass(frozen=True, slots=True)
class Member:
    """The caller as a member of one server, as the bot sees them now."""

    caller: Caller
    actor: Actor
    is_admin: bool

    @property
    def services(self) -> Services:
        return self.caller.services

    @property
    def members(self) -> MemberView:
        return self.caller.members

    @property
    def guild_id(self) -> int:
        return self.actor.guild_id

    @property
    def user_id(self) -> int:
        return self.actor.user_id

    def require_admin(self) -> Actor:
        if not self.is_admin:
            raise NotPermitted("Only a Carillon admin of this server may do that.")
        return self.actor


async def member_of(caller: Caller, guild_id: int) -> Member:
    """``caller`` in ``guild_id``: 404 when they (or the bot) are not in it."""
    actor, is_admin = await caller.may_admin(guild_id)
    return Member(caller, actor, is_admin)


async def _member(caller: CallerDep, guild_id: int) -> Member:
    return await member_of(caller, guild_id)


async def _admin(member: Annotated[Member, Depends(_member)]) -> Member:
    member.require_admin()
    return member


MemberDep = Annotated[Member, Depends(_member)]
"""The caller in the request's ``guild_id`` (path or query)."""
AdminDep = Annotated[Member, Depends(_admin)]
"""The caller as a Carillon admin of the request's ``guild_id``; 403 otherwise."""


@dataclass(frozen=True, slots=True)
class TaskAccess:
    """A task and the caller in its server: its owner, or an admin there."""

    task: ScheduledTask
    member: Member

    @property
    def as_admin(self) -> bool:
        return self.member.is_admin


async def task_access(caller: Caller, task_id: int) -> TaskAccess:
    """The task where the caller may see it; 404 (never 403) for anyone else's elsewhere."""
    task = await caller.services.scheduler.get_task(task_id)
    if task is None or task.guild_id is None:
        raise NotFound(NO_SUCH_TASK.format(id=task_id))
    try:
        member = await member_of(caller, task.guild_id)
    except NotFound:
        raise NotFound(NO_SUCH_TASK.format(id=task_id)) from None
    if task.user_id != caller.user_id and not member.is_admin:
        raise NotFound(NO_SUCH_TASK.format(id=task_id))
    return TaskAccess(task, member)


async def _task(caller: CallerDep, task_id: int) -> TaskAccess:
    return await task_access(caller, task_id)


TaskDep = Annotated[TaskAccess, Depends(_task)]
"""The path's ``task_id`` with the caller in its server."""
