"""``/healthz``, ``/readyz`` and ``/metrics`` (prometheus-client) for whoever runs the bot."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from bot.models.scheduled_task import ACTIVE_STATUSES
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.services.bundle import Services

router = APIRouter(tags=["operations"])
DATABASE_TIMEOUT = 2.0


class Metrics:
    """One registry per application (tests run several bots in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "carillon_api_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "carillon_api_request_seconds",
            "HTTP request duration by route",
            ["method", "route"],
            registry=self.registry,
        )
        self.active_tasks = Gauge(
            "carillon_active_tasks",
            "Pending, running and paused tasks per server",
            ["guild_id"],
            registry=self.registry,
        )
        self.last_pass_age = Gauge(
            "carillon_dispatcher_last_pass_age_seconds",
            "Seconds since the dispatcher loop last finished a pass",
            registry=self.registry,
        )


class RequestMetrics(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        metrics: Metrics = request.app.state.metrics
        metrics.requests.labels(request.method, template, str(response.status_code)).inc()
        metrics.latency.labels(request.method, template).observe(time.perf_counter() - started)
        return response


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
    services: Services = request.app.state.services
    collected: Metrics = request.app.state.metrics
    age = _last_pass_age(services)
    if age is not None:
        collected.last_pass_age.set(age)
    try:
        async with services.db() as session:
            counts = await ScheduledTaskRepository(session).count_by_guild(ACTIVE_STATUSES)
    except Exception:
        counts = {}
    collected.active_tasks.clear()
    for guild_id, count in counts.items():
        collected.active_tasks.labels(str(guild_id)).set(count)
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
