"""Tokens the HTTP API accepted: a browser session or a script's minted token, revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class ApiToken(Base):
    """One signed token by its id (the JWT's ``jti``); ``revoked_at`` set: refused from then on."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # "script" (python -m bot api-token) or "session" (a browser login)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
