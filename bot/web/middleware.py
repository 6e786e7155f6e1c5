"""Plain ASGI middleware (no extra task per request, as Starlette's ``BaseHTTPMiddleware``
makes): request metrics, and a cap on requests handled at once.

The API shares the bot's event loop with the dispatcher: every request in flight puts its
next step in the loop's queue, ahead of a due run's own. Handling a few at a time (the
others wait their turn, costing nothing) keeps a due run's wait to a step or two.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.metrics import Metrics

# Requests handled at once; probes (health, readiness, metrics) never wait behind them.
# Two, not one: a request waiting on something else (an upload transcoding in its thread,
# Discord answering the login) leaves the other slot free.
CONCURRENT_REQUESTS = 2
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestMetrics:
    """Counts and times each HTTP request by its route template (never its raw path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.api_requests.labels(method, template, str(status)).inc()
            elapsed = time.perf_counter() - started
            self.metrics.api_latency.labels(method, template).observe(elapsed)


class ConcurrencyLimit:
    """At most ``limit`` HTTP requests in the application at once; the rest queue in order."""

    def __init__(self, app: ASGIApp, limit: int = CONCURRENT_REQUESTS) -> None:
        self.app = app
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBES:
            await self.app(scope, receive, send)
            return
        async with self._slots:
            await self.app(scope, receive, send)
