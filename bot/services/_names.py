"""Validation of the names members give: sounds, playlists and tasks."""

from __future__ import annotations

import re

from bot.errors import InvalidInput

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()-])")

MAX_NAME_LENGTH = 64
MAX_TASK_NAME_LENGTH = 100


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


def clean_task_name(name: str) -> str:
    """Collapse whitespace and check the length; raises ``InvalidInput``."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("A task needs a name: give a few words in `name`.")
    if len(cleaned) > MAX_TASK_NAME_LENGTH:
        raise InvalidInput(
            f"A task name can be at most {MAX_TASK_NAME_LENGTH} characters; "
            f"that one has {len(cleaned)}."
        )
    return cleaned


def quoted(name: str, limit: int = 80) -> str:
    """A member-given name inside an error text: in quotes, shortened, markdown escaped (the
    texts reach Discord, which would render ``**`` or ``||`` in it)."""
    shortened = name if len(name) <= limit else name[: limit - 1] + "…"
    return "'" + _MARKDOWN.sub(r"\\\1", shortened) + "'"
