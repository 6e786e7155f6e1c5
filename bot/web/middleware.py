"""Plain ASGI middleware (no extra task per request, as Starlette's ``BaseHTTPMiddleware``
makes): request metrics, and a cap on requests handled at once.

The API shares the bot's event loop with the dispatcher: every request in flight puts its
next step in the loop's queue, ahead of a due run's own. Handling a few at a time (the
others wait their turn, costing nothing) keeps a due run's wait to about one step.

A slot is held for the handler's work only: the request's body is read before it is taken
and the answer written after it is given back, so a client that sends or reads slowly holds
up no one but itself.
"""

from __future__ import annotations

import asyncio
import time

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.metrics import Metrics

# Requests handled at once (one measured best for a due run's lateness: benchmarks/api.py).
CONCURRENT_REQUESTS = 1
# Never kept waiting: operators' probes.
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
# The largest body read before a slot is taken: task and settings forms and JSON are a few KB
# (uploads take no slot and have their own limit).
MAX_QUEUED_BODY = 1024 * 1024


def waits_elsewhere(method: str, path: str) -> bool:
    """Requests that spend their time waiting on something other than the loop (Discord
    answering the login, an upload transcoding in its thread): they take no slot, so they
    hold no one else up."""
    if path == "/auth/callback" or (method == "POST" and path.endswith("/sounds")):
        return True
    # A sound's Ogg streams from disk at the pace the browser reads it.
    return method == "GET" and path.startswith("/api/v1/sounds/") and path.endswith("/audio")


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
        if (
            scope["type"] != "http"
            or scope["path"] in PROBES
            or waits_elsewhere(scope["method"], scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        request = await _whole_body(receive)
        if request is None:
            too_large = PlainTextResponse("Request body too large", status_code=413)
            await too_large(scope, receive, send)
            return
        replayed = iter(request)

        async def receiving() -> Message:
            return next(replayed, None) or await receive()

        answer: list[Message] = []

        async def keeping(message: Message) -> None:
            answer.append(message)

        async with self._slots:
            await self.app(scope, receiving, keeping)
        for message in answer:
            await send(message)


async def _whole_body(receive: Receive) -> list[Message] | None:
    """The request's messages up to the end of its body, or None past ``MAX_QUEUED_BODY``.
    A disconnect ends it early; the application sees it as it would have."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > MAX_QUEUED_BODY:
            return None
        if not message.get("more_body", False):
            return messages
