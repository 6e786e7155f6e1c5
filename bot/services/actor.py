"""Who asks for something: a member of a server."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks: a member of a server, with what decides whether they are a Carillon admin.

    ``is_admin`` when already known; otherwise the service asks the settings, and only when a
    rule needs the answer (most commands never do).
    """

    user_id: int
    guild_id: int
    is_admin: bool | None = None
    role_ids: tuple[int, ...] = ()
    is_owner: bool = False
