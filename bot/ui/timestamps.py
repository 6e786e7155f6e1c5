"""Discord timestamps: each member sees the instant in their own local time."""

from __future__ import annotations

from datetime import datetime


def _unix(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return int(instant.timestamp())


def full(instant: datetime) -> str:
    """``<t:UNIX:F>``: "Tuesday, 1 December 2026 09:00"."""
    return f"<t:{_unix(instant)}:F>"


def relative(instant: datetime) -> str:
    """``<t:UNIX:R>``: "in 4 days"."""
    return f"<t:{_unix(instant)}:R>"


def full_and_relative(instant: datetime) -> str:
    return f"{full(instant)} ({relative(instant)})"
