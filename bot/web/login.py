""" "Log in with Discord": the OAuth2 authorization-code flow with PKCE and ``state``, ending in
a browser session (a revocable token in the ``access_token`` cookie)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import aiohttp
import jwt
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from yarl import URL

from bot.config import Config
from bot.errors import NotPermitted
from bot.services.api_tokens import ALGORITHM, SESSION
from bot.services.bundle import Services
from bot.web import access
from bot.web.access import COOKIE

router = APIRouter(tags=["login"], include_in_schema=False)
FLOW_COOKIE = "oauth_flow"
FLOW_LIFETIME = timedelta(minutes=10)
SESSION_DAYS = 7
SCOPES = "identify guilds"


@dataclass(frozen=True, slots=True)
class DiscordOAuth:
    """Where Discord's OAuth2 lives, from ``[discord] api_base_url`` (the emulator's too)."""

    site: URL
    api: URL

    @classmethod
    def from_config(cls, config: Config) -> DiscordOAuth:
        api = URL(config.discord.api_base_url.rstrip("/"))
        site = api.with_path(re.sub(r"/api(/v\d+)?$", "", api.path) or "/")
        return cls(site, api)

    @property
    def authorize_url(self) -> URL:
        return self.site / "oauth2" / "authorize"

    @property
    def token_url(self) -> URL:
        return self.site / "api" / "oauth2" / "token"


def public_url(request: Request, config: Config) -> str:
    """``[web] public_url``, else the address this request came to."""
    if config.web.public_url:
        return config.web.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def redirect_uri(request: Request, config: Config) -> str:
    return f"{public_url(request, config)}/auth/callback"


def secure_cookies(request: Request, config: Config) -> bool:
    return public_url(request, config).startswith("https://")


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
async def login(request: Request, next: str | None = None) -> Response:
    services: Services = request.app.state.services
    config = services.config
    client_id = request.app.state.members.application_id
    if client_id is None or not config.web.client_secret:
        return Response(
            "Log in is not set up: the bot is not connected yet, or [web] client_secret is "
            "not set.",
            status_code=503,
            media_type="text/plain",
        )
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    now = services.clock.now()
    flow = jwt.encode(
        {
            "state": state,
            "verifier": verifier,
            "next": _safe_next(next),
            "exp": int((now + FLOW_LIFETIME).timestamp()),
        },
        services.api_tokens.signing_key(),
        algorithm=ALGORITHM,
    )
    target = DiscordOAuth.from_config(config).authorize_url.with_query(
        response_type="code",
        client_id=str(client_id),
        scope=SCOPES,
        state=state,
        redirect_uri=redirect_uri(request, config),
        code_challenge=_challenge(verifier),
        code_challenge_method="S256",
        prompt="none",
    )
    response = RedirectResponse(str(target), status_code=302)
    response.set_cookie(
        FLOW_COOKIE,
        flow,
        max_age=int(FLOW_LIFETIME.total_seconds()),
        httponly=True,
        secure=secure_cookies(request, config),
        samesite="lax",
        path="/auth",
    )
    return response


def _refused(reason: str) -> Response:
    return Response(
        f"Log in failed: {reason}. Go back and try again.",
        status_code=400,
        media_type="text/plain",
    )


@router.get("/auth/callback")
async def callback(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    services: Services = request.app.state.services
    config = services.config
    try:
        flow = jwt.decode(
            request.cookies.get(FLOW_COOKIE, ""),
            services.api_tokens.signing_key(),
            algorithms=[ALGORITHM],
            options={"verify_exp": False},
        )
    except jwt.PyJWTError:
        return _refused("this log-in was not started here, or it took too long")
    if int(flow["exp"]) < services.clock.now().timestamp():
        return _refused("it took more than ten minutes")
    if not state or not secrets.compare_digest(state, str(flow["state"])):
        return _refused("the state does not match")
    if error or not code:
        return _refused(f"Discord said {error or 'nothing'}")
    user_id = await _discord_user(request, config, code, str(flow["verifier"]))
    if user_id is None:
        return _refused("Discord did not accept the code")
    minted = await services.api_tokens.mint(user_id, days=SESSION_DAYS, kind=SESSION)
    response = RedirectResponse(_safe_next(str(flow.get("next"))), status_code=303)
    response.set_cookie(
        COOKIE,
        minted.token,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        secure=secure_cookies(request, config),
        samesite="lax",
    )
    response.delete_cookie(FLOW_COOKIE, path="/auth")
    return response


async def _discord_user(request: Request, config: Config, code: str, verifier: str) -> int | None:
    oauth = DiscordOAuth.from_config(config)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(request, config),
        "code_verifier": verifier,
        "client_id": str(request.app.state.members.application_id),
        "client_secret": config.web.client_secret or "",
    }
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        async with http.post(str(oauth.token_url), data=form) as answer:
            if answer.status != 200:
                return None
            token = (await answer.json())["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with http.get(str(oauth.api / "users" / "@me"), headers=headers) as answer:
            if answer.status != 200:
                return None
            return int((await answer.json())["id"])


@router.post("/logout")
async def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Revokes the session (the page's form posts here with the CSRF token)."""
    services: Services = request.app.state.services
    token = request.cookies.get(COOKIE)
    if token:
        try:
            holder = await services.api_tokens.holder(token)
        except NotPermitted:
            holder = None
        if holder is not None:
            expected = access.csrf_token(services.api_tokens.signing_key(), holder.token_id)
            if not secrets.compare_digest(csrf_token, expected):
                return _refused("the form has expired (reload the page)")
            await services.api_tokens.revoke(holder.token_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
