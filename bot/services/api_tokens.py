"""Signed tokens for the HTTP API (PyJWT, HS256 with ``[web] secret``), each stored by id so
it can be revoked: a script's minted token or a browser's session."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import jwt

from bot.clock import Clock
from bot.config import MIN_WEB_SECRET_LENGTH, WebConfig
from bot.db import Database
from bot.errors import ConfigError, NotPermitted
from bot.models.api_token import ApiToken
from bot.repositories.api_tokens import ApiTokenRepository

ALGORITHM = "HS256"
SCRIPT = "script"
SESSION = "session"
# A calendar feed's secret URL: reads one member's plays in one server, nothing else.
CALENDAR = "calendar"
KINDS = (SCRIPT, SESSION, CALENDAR)


@dataclass(frozen=True, slots=True)
class Minted:
    token: str
    token_id: str
    expires_at_unix: int


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a valid token speaks for."""

    user_id: int
    token_id: str
    kind: str
    guild_id: int | None = None


class ApiTokenService:
    def __init__(self, db: Database, web: WebConfig, clock: Clock) -> None:
        self.db = db
        self.web = web
        self.clock = clock

    def signing_key(self) -> str:
        secret = self.web.secret
        if not secret or len(secret) < MIN_WEB_SECRET_LENGTH:
            raise ConfigError(
                "web.secret",
                f"must be set, at least {MIN_WEB_SECRET_LENGTH} characters, to sign API tokens",
            )
        return secret

    async def mint(
        self,
        user_id: int,
        *,
        days: float = 30,
        kind: str = SCRIPT,
        guild_id: int | None = None,
    ) -> Minted:
        if kind not in KINDS:
            raise ValueError(kind)
        if not 0 < days <= 3650:
            raise NotPermitted("A token lasts more than 0 and at most 3650 days.")
        now = self.clock.now()
        expires = now + timedelta(days=days)
        token_id = secrets.token_hex(16)
        async with self.db() as session, session.begin():
            await ApiTokenRepository(session).add(
                ApiToken(
                    id=token_id,
                    user_id=user_id,
                    kind=kind,
                    created_at=now,
                    expires_at=expires,
                    revoked_at=None,
                )
            )
        claims: dict[str, str | int] = {
            "sub": str(user_id),
            "jti": token_id,
            "kind": kind,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        if guild_id is not None:
            claims["gid"] = str(guild_id)
        token = jwt.encode(claims, self.signing_key(), algorithm=ALGORITHM)
        return Minted(token, token_id, int(expires.timestamp()))

    async def holder(self, token: str) -> TokenHolder:
        """The token's holder; ``NotPermitted`` saying why for a forged, expired or revoked one."""
        try:
            claims = jwt.decode(
                token,
                self.signing_key(),
                algorithms=[ALGORITHM],
                options={"require": ["sub", "jti", "exp", "kind"], "verify_exp": False},
            )
            user_id = int(claims["sub"])
            token_id = str(claims["jti"])
            exp = int(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError):
            raise NotPermitted("The token is not valid: log in again or mint a new one.") from None
        if exp <= self.clock.now().timestamp():
            raise NotPermitted("The token has expired: log in again or mint a new one.")
        async with self.db() as session:
            stored = await ApiTokenRepository(session).get(token_id)
        if stored is None or stored.user_id != user_id or stored.kind != claims["kind"]:
            raise NotPermitted("The token is not valid: log in again or mint a new one.")
        if stored.revoked_at is not None:
            raise NotPermitted("The token has been revoked: log in again or mint a new one.")
        guild = claims.get("gid")
        return TokenHolder(user_id, token_id, stored.kind, int(guild) if guild else None)

    async def revoke(self, token_id: str) -> bool:
        async with self.db() as session, session.begin():
            return await ApiTokenRepository(session).revoke(token_id, self.clock.now())

    async def revoke_own(self, token_id: str, user_id: int, kind: str) -> bool:
        """Revoke ``user_id``'s own token of ``kind``; False if there is no such live one."""
        async with self.db() as session, session.begin():
            repository = ApiTokenRepository(session)
            stored = await repository.get(token_id)
            if stored is None or stored.user_id != user_id or stored.kind != kind:
                return False
            return await repository.revoke(token_id, self.clock.now())
