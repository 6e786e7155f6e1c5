"""The request cap: one request in the application at a time; probes and uploads never
queued."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.web.middleware import ConcurrencyLimit


def slow_app(inside: list[str], release: asyncio.Event) -> Starlette:
    async def slow(request: Request) -> PlainTextResponse:
        inside.append(request.path_params["name"])
        await release.wait()
        return PlainTextResponse("done")

    async def answer(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route("/slow/{name}", slow),
            Route("/healthz", answer),
            Route("/api/v1/sounds", answer, methods=["POST"]),
        ]
    )
    app.add_middleware(ConcurrencyLimit, limit=1)
    return app


async def test_requests_wait_their_turn_and_probes_do_not() -> None:
    inside: list[str] = []
    release = asyncio.Event()
    transport = httpx.ASGITransport(app=slow_app(inside, release))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        first = asyncio.create_task(http.get("/slow/first"))
        second = asyncio.create_task(http.get("/slow/second"))
        for _ in range(100):
            await asyncio.sleep(0.01)
        assert inside == ["first"]  # the second waits for the first's slot
        probe = await asyncio.wait_for(http.get("/healthz"), 5)
        assert probe.text == "ok"
        upload = await asyncio.wait_for(http.post("/api/v1/sounds"), 5)
        assert upload.text == "ok"
        release.set()
        answers = await asyncio.wait_for(asyncio.gather(first, second), 5)
        assert [a.text for a in answers] == ["done", "done"]
        assert inside == ["first", "second"]
