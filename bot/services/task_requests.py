"""What a member asks for when scheduling: the ``when`` text and where a play goes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WhenInput:
    """The ``when`` text and the options that refine it."""

    when: str | None = None
    repeat: str | None = None
    cron: str | None = None
    count: int | None = None
    until: str | None = None

    @property
    def changes_schedule(self) -> bool:
        return any(v not in (None, "") for v in (self.when, self.repeat, self.cron))


@dataclass(frozen=True, slots=True)
class PlayTarget:
    """Where a play goes: the voice channel, and the text channel for messages about it."""

    voice_channel_id: int | None
    text_channel_id: int | None
    is_voice: bool = True
    # Post "now playing" for each run; skip a run nobody would hear (recorded, not charged).
    announce: bool = True
    skip_if_empty: bool = False
