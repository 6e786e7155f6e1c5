"""Validation of sound and playlist names."""

from __future__ import annotations

from bot.errors import InvalidInput

MAX_NAME_LENGTH = 64


def clean_name(name: str, what: str) -> str:
    """Collapse whitespace and check length and characters; raises ``InvalidInput``."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(f"Give the {what} a name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"That {what} name is {len(cleaned)} characters long; use at most {MAX_NAME_LENGTH}."
        )
    if not cleaned.isprintable():
        raise InvalidInput(f"A {what} name can only hold printable characters.")
    return cleaned
