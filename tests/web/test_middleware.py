"""The request cap: one request in the application at a time; probes and uploads never
queued."""

from __future__ import annotations

import asyncio
import socket

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.web.middleware import MAX_QUEUED_BODY, ConcurrencyLimit


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


BIG_ANSWER = b"x" * (8 * 1024 * 1024)


def slow_client_app() -> Starlette:
    async def answer(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{len(await request.body())} bytes")

    async def big(_request: Request) -> PlainTextResponse:
        return PlainTextResponse(BIG_ANSWER)

    app = Starlette(
        routes=[
            Route("/quick", answer),
            Route("/echo", echo, methods=["POST"]),
            Route("/big", big),
        ]
    )
    app.add_middleware(ConcurrencyLimit, limit=1)
    return app


async def test_a_slow_client_holds_up_no_one_but_itself() -> None:
    """Over real sockets: one client stalls halfway through its body, another never reads a
    large answer; a third is answered meanwhile, and the stalled body is then read whole."""
    config = uvicorn.Config(slow_client_app(), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]

        stalled_reader, stalled = await asyncio.open_connection("127.0.0.1", port)
        stalled.write(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhalf.")
        await stalled.drain()

        # A tiny receive buffer, never read: the big answer cannot all be written.
        hoarder = socket.socket()
        hoarder.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        hoarder.setblocking(False)
        await asyncio.get_running_loop().sock_connect(hoarder, ("127.0.0.1", port))
        await asyncio.get_running_loop().sock_sendall(
            hoarder, b"GET /big HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        await asyncio.sleep(0.5)

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            quick = await asyncio.wait_for(http.get("/quick"), 5)
        assert quick.text == "ok"

        stalled.write(b"rest.")
        await stalled.drain()
        answer = await asyncio.wait_for(stalled_reader.read(4096), 5)
        assert answer.endswith(b"10 bytes")
        stalled.close()
        hoarder.close()
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)


async def test_a_body_too_large_to_queue_is_refused() -> None:
    transport = httpx.ASGITransport(app=slow_client_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        refused = await http.post("/echo", content=b"x" * (MAX_QUEUED_BODY + 1))
        fits = await http.post("/echo", content=b"x" * MAX_QUEUED_BODY)
    assert refused.status_code == 413
    assert fits.text == f"{MAX_QUEUED_BODY} bytes"
