"""A member's upcoming plays in one server as an ICS feed at a secret, revocable URL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from icalendar import Calendar, Event

from bot.errors import NotFound, NotPermitted
from bot.services.api_tokens import CALENDAR
from bot.services.bundle import Services
from bot.web.access import CallerDep
from bot.web.login import public_url

router = APIRouter(tags=["calendar"])
HORIZON = timedelta(days=60)
EVENT_LENGTH = timedelta(minutes=5)
FEED_DAYS = 3650


@router.post("/api/v1/calendar", status_code=201)
async def new_feed(request: Request, caller: CallerDep, guild_id: int) -> dict[str, Any]:
    """A new secret feed URL for the caller's plays in ``guild_id``."""
    caller.actor(guild_id)
    minted = await caller.services.api_tokens.mint(
        caller.user_id, days=FEED_DAYS, kind=CALENDAR, guild_id=guild_id
    )
    config = caller.services.config
    return {
        "url": f"{public_url(request, config)}/calendar/{minted.token}.ics",
        "token_id": minted.token_id,
    }


@router.delete("/api/v1/calendar/{token_id}", status_code=204)
async def revoke_feed(token_id: str, caller: CallerDep) -> Response:
    tokens = caller.services.api_tokens
    if not await tokens.revoke_own(token_id, caller.user_id, CALENDAR):
        raise NotFound("You have no live calendar link with that id.")
    return Response(status_code=204)


@router.get("/calendar/{token}.ics", include_in_schema=False)
async def feed(request: Request, token: str) -> Response:
    services: Services = request.app.state.services
    try:
        holder = await services.api_tokens.holder(token)
    except NotPermitted as exc:
        raise HTTPException(404, str(exc)) from None
    if holder.kind != CALENDAR or holder.guild_id is None:
        raise HTTPException(404, "Not a calendar link.")
    actor = request.app.state.members.actor(holder.user_id, holder.guild_id)
    now = services.clock.now()
    plays = await services.task_queries.plays_between(
        holder.guild_id, now, now + HORIZON, user_id=actor.user_id
    )
    guild_name = request.app.state.members.guild_name(holder.guild_id)
    calendar = Calendar()
    calendar.add("prodid", "-//Carillon//plays//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Carillon: {guild_name}")
    for at, task in plays:
        event = Event()
        event.add("uid", f"task-{task.id}-{int(at.timestamp())}@carillon")
        event.add("summary", task.name)
        event.add("dtstart", at)
        event.add("dtend", at + EVENT_LENGTH)
        event.add("dtstamp", now)
        event.add("description", f"Task {task.ref} in {guild_name}")
        calendar.add_component(event)
    return Response(calendar.to_ical(), media_type="text/calendar; charset=utf-8")
