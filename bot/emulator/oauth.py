"""Discord's OAuth2 authorization-code flow (with PKCE) as strict as Discord.

``/oauth2/authorize`` consents as the member ``consent_as`` chose (there is no login page);
``POST /api/oauth2/token`` (also under ``/api/v10``) trades the code once, within ten
minutes, for the same ``redirect_uri`` and the PKCE verifier; the bearer token then reads
``/users/@me`` (scope ``identify``) and ``/users/@me/guilds`` (scope ``guilds``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from yarl import URL

from bot.emulator.rest import API_PREFIX, json_response

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

SCOPES = frozenset({"identify", "guilds", "email", "guilds.members.read", "bot"})
CODE_LIFETIME = 600.0
TOKEN_LIFETIME = 604_800


@dataclass
class _Grant:
    user_id: int
    scopes: frozenset[str]
    redirect_uri: str
    challenge: str | None
    expires: float


@dataclass
class _Token:
    user_id: int
    scopes: frozenset[str]
    expires: float


def _oauth_error(error: str, description: str, status: int = 400) -> web.Response:
    return json_response({"error": error, "error_description": description}, status)


class OAuth2:
    """The application's OAuth2 side: its secret, its registered redirects, who consents."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.client_secret = secrets.token_urlsafe(24)
        self.redirect_uris: set[str] = set()
        self.consenting_user: int | None = None
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, _Token] = {}

    @property
    def client_id(self) -> int:
        return self.emulator.application_id

    def allow_redirect(self, uri: str) -> None:
        """Register a redirect URI, as on the Developer Portal's OAuth2 page."""
        self.redirect_uris.add(uri)

    def consent_as(self, user_id: int | None) -> None:
        """Who clicks "Authorize" on the next consent screens (None: nobody is logged in)."""
        self.consenting_user = user_id

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/oauth2/authorize", self.authorize),
            web.post("/api/oauth2/token", self.token),
            web.post(f"{API_PREFIX}/oauth2/token", self.token),
            web.get(f"{API_PREFIX}/users/@me/guilds", self.my_guilds),
        ]

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if query.get("client_id") != str(self.client_id):
            return web.Response(status=400, text="Unknown Application")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris:
            return web.Response(status=400, text="Invalid OAuth2 redirect_uri")
        target = URL(redirect_uri)
        state = {"state": query["state"]} if "state" in query else {}

        def back(**params: str) -> web.StreamResponse:
            raise web.HTTPFound(str(target.update_query({**params, **state})))

        if query.get("response_type") != "code":
            return back(error="unsupported_response_type")
        scopes = frozenset(query.get("scope", "").split())
        if not scopes or not scopes <= SCOPES:
            return back(error="invalid_scope", error_description="Invalid scope")
        challenge = query.get("code_challenge")
        if challenge is not None and query.get("code_challenge_method") != "S256":
            return back(error="invalid_request", error_description="code_challenge_method")
        if self.consenting_user is None:
            return back(error="access_denied", error_description="The user denied")
        code = secrets.token_urlsafe(22)
        self._grants[code] = _Grant(
            self.consenting_user, scopes, redirect_uri, challenge, time.monotonic() + CODE_LIFETIME
        )
        return back(code=code)

    def _client_ok(self, request: web.Request, form: dict[str, str]) -> bool:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return False
            client_id, _, client_secret = decoded.partition(":")
        return client_id == str(self.client_id) and hmac.compare_digest(
            client_secret or "", self.client_secret
        )

    async def token(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return _oauth_error("invalid_request", "the body must be form-encoded")
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not self._client_ok(request, form):
            return _oauth_error("invalid_client", "Invalid client", 401)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type", "Unsupported grant type")
        grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.expires < time.monotonic():
            return _oauth_error("invalid_grant", 'Invalid "code" in request.')
        if form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error("invalid_grant", 'Invalid "redirect_uri" in request.')
        if grant.challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not hmac.compare_digest(computed, grant.challenge):
                return _oauth_error("invalid_grant", 'Invalid "code_verifier" in request.')
        access = secrets.token_urlsafe(24)
        self._tokens[access] = _Token(
            grant.user_id, grant.scopes, time.monotonic() + TOKEN_LIFETIME
        )
        return json_response(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "refresh_token": secrets.token_urlsafe(24),
                "scope": " ".join(sorted(grant.scopes)),
            }
        )

    def bearer(self, authorization: str | None, scope: str) -> int | None:
        """The user a ``Bearer`` token speaks for, if it is live and carries ``scope``."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        token = self._tokens.get(authorization[7:])
        if token is None or token.expires < time.monotonic() or scope not in token.scopes:
            return None
        return token.user_id

    async def my_guilds(self, request: web.Request) -> web.Response:
        user_id = self.bearer(request.headers.get("Authorization"), "guilds")
        if user_id is None:
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        found = []
        for guild in self.emulator.guilds.values():
            member = guild.members.get(user_id)
            if member is None:
                continue
            found.append(
                {
                    "id": str(guild.id),
                    "name": guild.name,
                    "icon": None,
                    "owner": guild.owner_id == user_id,
                    "permissions": str(guild.base_permissions(member)),
                    "features": [],
                }
            )
        return json_response(found)
