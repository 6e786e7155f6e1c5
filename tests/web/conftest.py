"""The real bot with ``[web] enabled`` against the emulator, and an HTTP client per member.

The API is served by uvicorn inside the bot's own event loop (port 0: a free one); the
clients speak real HTTP to it. Each test runs on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from bot.config import Config, DatabaseConfig, SoundsConfig, VoiceConfig, WebConfig
from bot.emulator import Actor, Emulator
from bot.web.server import WebServer
from tests.cogs.conftest import App, app, extensions
from tests.support.e2e import World, bot_config, emulator, world

__all__ = ["app", "emulator", "extensions", "world"]

SECRET = "test-secret-0123456789abcdef-0123456789"

Client = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
def app_config(emulator: Emulator, world: World, database_url: str, tmp_path: Path) -> Config:
    config = bot_config(
        emulator,
        database=DatabaseConfig(url=database_url),
        sounds=SoundsConfig(
            directory=str(tmp_path / "sounds"), max_upload_mb=1.0, max_duration_seconds=5.0
        ),
        voice=VoiceConfig(idle_disconnect_seconds=30.0, max_playback_seconds=60.0),
        web=WebConfig(
            enabled=True,
            host="127.0.0.1",
            port=0,
            secret=SECRET,
            client_secret=emulator.oauth.client_secret,
        ),
    )
    discord_config = dataclasses.replace(config.discord, admin_role_ids=(world.admin_role.id,))
    return dataclasses.replace(config, discord=discord_config)


def base_url(app: App) -> str:
    assert isinstance(app.bot.web, WebServer)
    return app.bot.web.url


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    """``await client(member)``: an HTTP client carrying a script token for ``member`` in the
    ``access_token`` cookie (``None``: no token)."""
    opened: list[httpx.AsyncClient] = []

    async def make(member: Actor | None, *, kind: str = "script") -> httpx.AsyncClient:
        cookies = {}
        if member is not None:
            minted = await app.services.api_tokens.mint(member.id, kind=kind)
            cookies["access_token"] = minted.token
        http = httpx.AsyncClient(base_url=base_url(app), cookies=cookies, timeout=10)
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()


async def log_in(app: App, member: Actor) -> httpx.AsyncClient:
    """A browser-like client logged in through the emulator's OAuth2 as ``member``."""
    app.emulator.oauth.allow_redirect(f"{base_url(app)}/auth/callback")
    app.emulator.oauth.consent_as(member.id)
    http = httpx.AsyncClient(base_url=base_url(app), timeout=10, follow_redirects=True)
    answer = await http.get("/login")
    assert [r.status_code for r in answer.history] == [302, 302, 303], answer.text
    assert "access_token" in http.cookies
    return http
