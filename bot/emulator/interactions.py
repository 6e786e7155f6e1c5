"""Interactions a member starts, and the bot's answers to them as the member sees them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.emulator.model import Channel, Guild, Member, Message
from bot.emulator.render import render_message

if TYPE_CHECKING:
    from bot.emulator.server import Emulator


ANSWER_WINDOW = 3.0
TOKEN_LIFETIME = 15 * 60.0


class CallbackType:
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class InteractionType:
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class NoResponseError(AssertionError):
    """The bot did not answer an interaction in time: "The application did not respond"."""


@dataclass
class InteractionRecord:
    """One interaction and everything the bot answered to it."""

    id: int
    token: str
    type: int
    guild: Guild
    channel: Channel
    member: Member
    data: dict[str, Any]
    source_message: Message | None = None
    callback_type: int | None = None
    callback_data: dict[str, Any] = field(default_factory=dict)
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    # The answer message's version when the bot acknowledged, so later edits are told apart.
    answered_version: int = -1
    created: float = field(default_factory=time.monotonic)

    def expired(self, window: float = ANSWER_WINDOW) -> bool:
        """Discord refuses an initial response after three seconds."""
        return time.monotonic() - self.created > window

    def token_expired(self, lifetime: float = TOKEN_LIFETIME) -> bool:
        """Follow-ups with the token are refused fifteen minutes after the interaction."""
        return time.monotonic() - self.created > lifetime

    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None


class Reply:
    """What the member sees of the bot's answer to one interaction.

    ``message`` is the answer: the original response, the message a button press updated, or
    the first followup when the bot deferred without editing. The ``wait_*`` methods wait for
    a deferred answer to arrive or for later edits and followups.
    """

    def __init__(self, emulator: Emulator, record: InteractionRecord) -> None:
        self._emulator = emulator
        self.record = record
        self._seen_version = record.answered_version
        self._seen_followups = 0

    def __repr__(self) -> str:
        message = self.message
        shown = repr(message.content) if message else "no message"
        return f"<Reply type={self.record.callback_type} ephemeral={self.ephemeral} {shown}>"

    @property
    def message(self) -> Message | None:
        record = self.record
        if record.callback_type in (
            CallbackType.DEFERRED_UPDATE_MESSAGE,
            CallbackType.UPDATE_MESSAGE,
        ):
            return record.source_message
        if record.original is not None and not record.original.deleted:
            if record.original.loading and record.followups:
                return record.followups[0]
            return record.original
        return record.followups[0] if record.followups else None

    @property
    def deferred(self) -> bool:
        return self.record.callback_type in (
            CallbackType.DEFERRED_CHANNEL_MESSAGE,
            CallbackType.DEFERRED_UPDATE_MESSAGE,
        )

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def custom_ids(self) -> list[str]:
        return self.message.custom_ids() if self.message else []

    @property
    def ephemeral(self) -> bool:
        message = self.message
        if message is not None:
            return message.ephemeral
        return bool(self.record.callback_data.get("flags", 0) & Message.EPHEMERAL)

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (custom_id, title, components), if it answered with one."""
        return self.record.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.record.choices

    @property
    def followups(self) -> list[Message]:
        return list(self.record.followups)

    @property
    def text(self) -> str:
        """Content and every embed's title, description and fields, for assertions on wording."""
        message = self.message
        return message_text(message) if message else ""

    @property
    def shown(self) -> str:
        """The answer as the member's client displays it (mentions, channels, times resolved)."""
        message = self.message
        return "\n".join(render_message(self._emulator, message)) if message else ""

    async def wait_until_ready(self, timeout: float = 5.0) -> Reply:
        """Wait for a deferred answer ("thinking…") to become a real message."""

        def ready() -> bool:
            message = self.message
            return message is not None and not message.loading

        await self._emulator.changed.wait_for(ready, timeout, "the deferred reply")
        self._seen_version = self.message.version if self.message else -1
        return self

    async def wait_for_edit(self, timeout: float = 5.0) -> Reply:
        """Wait until the answer message changes from what this reply last saw."""

        def edited() -> bool:
            message = self.message
            return message is not None and message.version > self._seen_version

        await self._emulator.changed.wait_for(edited, timeout, "an edit of the reply")
        self._seen_version = self.message.version if self.message else -1
        return self

    async def wait_for_followup(self, timeout: float = 5.0) -> Message:
        """Wait for the next followup message and return it."""
        seen = self._seen_followups
        await self._emulator.changed.wait_for(
            lambda: len(self.record.followups) > seen, timeout, "a followup message"
        )
        self._seen_followups = seen + 1
        return self.record.followups[seen]


def message_text(message: Message) -> str:
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for embed_field in embed.get("fields", []):
            parts += [embed_field.get("name", ""), embed_field.get("value", "")]
        if footer := embed.get("footer"):
            parts.append(footer.get("text", ""))
    return "\n".join(p for p in parts if p)
