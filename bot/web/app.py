"""The FastAPI application over one process's services and the bot's view of its members."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.errors import CarillonError, InvalidInput, LimitReached, NotFound, NotPermitted
from bot.services.bundle import Services
from bot.web import login, operations, pages
from bot.web.members import MemberView
from bot.web.routes import calendar, library, tasks, when

STATUS = ((NotFound, 404), (NotPermitted, 403), (InvalidInput, 422), (LimitReached, 422))


def _status_of(exc: CarillonError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


async def _carillon_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CarillonError)
    return JSONResponse({"detail": str(exc)}, status_code=_status_of(exc))


def create_app(services: Services, members: MemberView) -> FastAPI:
    app = FastAPI(
        title="Carillon",
        summary="Schedule sounds and playlists in Discord voice channels.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.services = services
    app.state.members = members
    app.state.metrics = operations.Metrics()
    app.add_middleware(operations.RequestMetrics)
    app.add_exception_handler(CarillonError, _carillon_error)
    for router in (
        tasks.router,
        library.router,
        when.router,
        calendar.router,
        login.router,
        pages.router,
        operations.router,
    ):
        app.include_router(router)

    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    return app
