"""Small text helpers shared by the embeds: safe names, durations, amounts."""

from __future__ import annotations

import discord

NAME_LIMIT = 64
MAX_LINES_SHOWN = 40


def safe(name: str, limit: int = NAME_LIMIT) -> str:
    """A member-chosen name, shortened and with markdown escaped, to show in bold or in embeds."""
    shortened = name if len(name) <= limit else name[: limit - 1] + "…"
    return discord.utils.escape_markdown(discord.utils.escape_mentions(shortened))


def seconds(value: float) -> str:
    """ "1.5 s", "2 min 05 s"."""
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"


def credits(amount: int) -> str:
    return f"{amount} credit" if abs(amount) == 1 else f"{amount} credits"


def signed(amount: int) -> str:
    return f"+{amount}" if amount > 0 else str(amount)


def kib(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
