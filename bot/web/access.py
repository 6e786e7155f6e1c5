"""Who is calling: the ``access_token`` cookie (or a Bearer header), CSRF for browser
sessions, and the caller as a member of a server as the bot sees them now."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bot.errors import NotPermitted
from bot.services.actor import Actor
from bot.services.api_tokens import CALENDAR, SESSION, TokenHolder
from bot.services.bundle import Services
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

    async def admin(self, guild_id: int) -> Actor:
        """The caller as a Carillon admin of ``guild_id``; 403 otherwise."""
        actor = self.actor(guild_id)
        if not await self.services.settings.is_admin(actor):
            raise NotPermitted("Only a Carillon admin of this server may do that.")
        return actor

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
