"""Name matching shared by the sound and playlist repositories."""

from __future__ import annotations

from sqlalchemy import ColumnElement, case
from sqlalchemy.orm import InstrumentedAttribute


def name_key(name: str) -> str:
    """The unique, case-insensitive form of a name."""
    return " ".join(name.split()).casefold()


def like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def prefix_then_substring(
    column: InstrumentedAttribute[str], text: str
) -> tuple[ColumnElement[bool], ColumnElement[int]]:
    """A filter matching ``text`` anywhere in ``column``, and a sort key putting prefixes first."""
    key = like_escaped(name_key(text))
    matches = column.like(f"%{key}%", escape="\\")
    rank = case((column.like(f"{key}%", escape="\\"), 0), else_=1)
    return matches, rank
