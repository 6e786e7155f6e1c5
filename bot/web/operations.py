"""``/healthz``, ``/readyz`` and ``/metrics`` (prometheus-client) for whoever runs the bot."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.models.scheduled_task import TaskStatus
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.services.bundle import Services

router = APIRouter(tags=["operations"])
DATABASE_TIMEOUT = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


async def _database_answers(services: Services) -> str | None:
    async def probe() -> None:
        async with services.db() as session:
            await session.execute(text("SELECT 1 FROM scheduled_tasks LIMIT 1"))

    try:
        await asyncio.wait_for(probe(), DATABASE_TIMEOUT)
    except Exception as exc:  # any failure means not ready; say which
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


def _last_pass_age(services: Services) -> float | None:
    last = services.scheduler.dispatcher.last_pass_monotonic
    return None if last is None else round(time.monotonic() - last, 3)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready: the gateway is connected, the database answers, the dispatcher loop runs."""
    services: Services = request.app.state.services
    client = request.app.state.members.client
    dispatcher = services.scheduler.dispatcher
    database_error = await _database_answers(services)
    checks: dict[str, Any] = {
        "gateway": {"ok": client.is_ready() and not client.is_closed()},
        "database": {"ok": database_error is None, "error": database_error},
        "dispatcher": {
            "ok": dispatcher.running and dispatcher.last_pass_monotonic is not None,
            "last_pass_age_seconds": _last_pass_age(services),
        },
    }
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus text, unauthenticated as Prometheus expects: serve ``[web]`` on an internal
    address (the default host is 127.0.0.1) or keep ``/metrics`` off the public proxy. The
    labels hold no member ids or names."""
    services: Services = request.app.state.services
    collected = services.metrics
    age = _last_pass_age(services)
    if age is not None:
        collected.last_pass_age.set(age)
    try:
        async with services.db() as session:
            counts = await ScheduledTaskRepository(session).count_by_guild([TaskStatus.PENDING])
    except Exception:
        counts = None  # the database is away: the last depths stay (/readyz says why)
    if counts is not None:
        collected.queue_depth.clear()
        for guild_id, count in counts.items():
            collected.queue_depth.labels(str(guild_id)).set(count)
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
