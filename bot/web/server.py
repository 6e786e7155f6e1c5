"""uvicorn inside the bot's own event loop: started with the bot, stopped with it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from bot.config import WebConfig

_log = logging.getLogger(__name__)


class _InLoopServer(uvicorn.Server):
    """The bot owns the process's signals; uvicorn must not take them over."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """``[web] host``/``port`` (0 picks a free port: see ``port`` once started)."""

    def __init__(self, web: WebConfig, app: FastAPI) -> None:
        self.web = web
        self.app = app
        self._server = _InLoopServer(
            uvicorn.Config(
                app,
                host=web.host,
                port=web.port,
                lifespan="off",
                log_level="warning",
                access_log=False,
            )
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        sockets = self._server.servers[0].sockets if self._server.servers else []
        return int(sockets[0].getsockname()[1]) if sockets else self.web.port

    @property
    def url(self) -> str:
        return f"http://{self.web.host}:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(), name="carillon-web")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError(f"the web server did not start on {self.url}")
            await asyncio.sleep(0.01)
        _log.info("web API listening on %s", self.url)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
