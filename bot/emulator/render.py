"""Messages as a member's client shows them: mentions, channels and timestamps resolved."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.emulator.model import Message

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

_USER = re.compile(r"<@!?(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def render_text(emulator: Emulator, text: str, *, now: float | None = None) -> str:
    """``text`` with Discord markup replaced by what the client displays (times in UTC)."""

    def user(match: re.Match[str]) -> str:
        found = emulator.find_user(int(match[1]))
        return f"@{found.username}" if found else "@unknown-user"

    def channel(match: re.Match[str]) -> str:
        found = emulator.find_channel(int(match[1]))
        if found is None:
            return "#unknown-channel"
        return f"🔊{found.name}" if found.is_voice else f"#{found.name}"

    def timestamp(match: re.Match[str]) -> str:
        moment = int(match[1])
        if match[2] == "R":
            return _relative(moment - (time.time() if now is None else now))
        return datetime.fromtimestamp(moment, UTC).strftime("%a %d %b %Y %H:%M:%S UTC")

    text = _USER.sub(user, text)
    text = _CHANNEL.sub(channel, text)
    text = _TIMESTAMP.sub(timestamp, text)
    return _BOLD.sub(r"\1", text)


def render_message(emulator: Emulator, message: Message) -> list[str]:
    """The message's lines: content, then each embed's title, description, fields and footer."""
    lines = [message.content] if message.content else []
    for embed in message.embeds:
        lines += _embed_lines(embed)
    lines += _component_lines(message.components)
    lines += [f"[file {a.filename}, {len(a.data)} bytes]" for a in message.attachments]
    return [render_text(emulator, line) for line in lines]


def _component_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Buttons and menus as a member sees them: emoji and label, never the custom id."""
    lines: list[str] = []
    for row in rows:
        for item in row.get("components", []):
            if item.get("type") == 2:
                emoji = (item.get("emoji") or {}).get("name")
                label = " ".join(str(part) for part in (emoji, item.get("label")) if part)
                disabled = " (disabled)" if item.get("disabled") else ""
                lines.append(f"[{label or 'button'}{disabled}]")
            elif item.get("type") in (3, 5, 6, 7, 8):
                lines.append(f"[menu: {item.get('placeholder') or 'choose'}]")
    return lines


def _embed_lines(embed: dict[str, Any]) -> list[str]:
    lines = [str(embed[key]) for key in ("title", "description") if embed.get(key)]
    for field in embed.get("fields", []):
        value = " ".join(str(field.get("value", "")).splitlines())
        lines.append(f"{field.get('name', '')}: {value}")
    if footer := (embed.get("footer") or {}).get("text"):
        lines.append(str(footer))
    return lines


def _relative(seconds: float) -> str:
    amount = abs(round(seconds))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if amount >= size or size == 1:
            count = amount // size
            phrase = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {phrase}" if seconds >= 0 else f"{phrase} ago"
    return "now"  # pragma: no cover
