"""The FastAPI application over one process's services and the bot's view of its members."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.errors import CarillonError
from bot.services.bundle import Services
from bot.web import admin_pages, login, operations, pages
from bot.web.http_errors import status_of
from bot.web.members import MemberView
from bot.web.middleware import ConcurrencyLimit, RequestMetrics
from bot.web.page_support import PAGES, LoginRequired, error_page
from bot.web.routes import calendar, library, tasks, when


def _is_page(request: Request) -> bool:
    return PAGES in getattr(request.scope.get("route"), "tags", ())


async def _carillon_error(request: Request, exc: Exception) -> Response:
    """The API answers JSON; a dashboard page answers a page saying the same."""
    assert isinstance(exc, CarillonError)
    if _is_page(request):
        return error_page(request, exc, status_of(exc))
    return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))


async def _login_required(request: Request, exc: Exception) -> Response:
    return error_page(request, exc, 303)


def create_app(services: Services, members: MemberView) -> FastAPI:
    app = FastAPI(
        title="Carillon",
        summary="Schedule sounds and playlists in Discord voice channels.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.services = services
    app.state.members = members
    # Added last, runs first: a request waiting for a slot is timed too.
    app.add_middleware(ConcurrencyLimit)
    app.add_middleware(RequestMetrics, metrics=services.metrics)
    app.add_exception_handler(CarillonError, _carillon_error)
    app.add_exception_handler(LoginRequired, _login_required)
    for router in (
        tasks.router,
        library.router,
        when.router,
        calendar.router,
        login.router,
        pages.router,
        admin_pages.router,
        operations.router,
    ):
        app.include_router(router)

    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    return app
