"""The contract between whoever asks for a play (scheduler, cogs) and the voice player."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.audio.order import PlaylistMode


@dataclass(frozen=True, slots=True)
class PlayRequest:
    """One play: a sound, or a playlist with its mode, into a voice channel of a server.

    ``payer_id`` is charged when playback starts; ``task_id`` is set for scheduled plays and
    ``text_channel_id`` is where the "now playing" message goes, naming ``task_name`` and
    offering Cancel when ``cancellable`` (the task has later runs). ``charge_key`` names the
    occurrence a scheduled play is for: it is charged once, however often it is played.
    ``replay``: an earlier attempt was cut off by a restart (the now-playing message says so).
    ``native``: sounds from the server's soundboard are sent with ``send_sound`` where the
    bot may, instead of streamed.
    """

    guild_id: int
    voice_channel_id: int
    payer_id: int | None
    sound_id: int | None = None
    playlist_id: int | None = None
    mode: PlaylistMode = PlaylistMode.CONTINUOUS
    shuffle: bool = False
    task_id: int | None = None
    text_channel_id: int | None = None
    native: bool = False
    # Not part of what is played: prepare's request and the run's are the same play.
    charge_key: str | None = field(default=None, compare=False)
    replay: bool = field(default=False, compare=False)
    task_name: str | None = field(default=None, compare=False)
    # The task's number in its server, as members see it.
    task_number: int | None = field(default=None, compare=False)
    cancellable: bool = field(default=False, compare=False)
    # Post "now playing" (a quiet task does not); skip the play when nobody is listening.
    announce: bool = field(default=True, compare=False)
    skip_if_empty: bool = field(default=False, compare=False)


@dataclass(slots=True)
class PlayResult:
    """What happened: facts that go into the run record's details."""

    queued_seconds: float = 0.0
    played_seconds: float = 0.0
    sounds_played: int = 0
    credits_charged: int = 0
    stopped: bool = False
    details: dict[str, Any] = field(default_factory=dict)


class PlayerService(Protocol):
    """Plays requests one at a time per server (FIFO); raises ``TaskFailure`` subclasses.

    ``PermanentTaskFailure`` for what retrying cannot fix (sound deleted, channel gone,
    missing permissions, not enough credits), ``TransientTaskFailure`` for the rest.
    """

    async def play(self, request: PlayRequest) -> PlayResult: ...

    async def prepare(self, request: PlayRequest) -> bool:
        """Get ready for a play due in a few seconds (load it, join its channel); False if
        it cannot join now. The play itself reports any problem."""
        ...
