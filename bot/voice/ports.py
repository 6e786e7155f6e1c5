"""What the player needs from the rest of the core, as small protocols."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.audio.store import PlayableSound
from bot.voice.play import PlayRequest, PlayResult


class ChargeReceipt(Protocol):
    """What a charge took now; ``repeated`` when its key had been charged before."""

    @property
    def charged(self) -> int: ...

    @property
    def repeated(self) -> bool: ...


class ChargeCredits(Protocol):
    """Takes ``amount`` from a member's balance, once per ``key``; what it took and left.

    ``CreditService.charge_once`` fits; it raises ``InsufficientCredits`` (a
    ``PermanentTaskFailure``) when the balance is short. Any other ``CarillonError`` becomes
    a permanent failure too.
    """

    async def __call__(
        self,
        guild_id: int,
        user_id: int,
        amount: int,
        reason: str,
        *,
        task_id: int | None = None,
        key: str | None = None,
    ) -> ChargeReceipt: ...


class LoadSound(Protocol):
    """``SoundService.playable``: raises ``NotFound`` when the sound was deleted."""

    async def __call__(self, guild_id: int, sound_id: int) -> PlayableSound: ...


class LoadPlaylist(Protocol):
    """``PlaylistService.playable``: raises ``NotFound`` when the playlist was deleted."""

    async def __call__(self, guild_id: int, playlist_id: int) -> Sequence[PlayableSound]: ...


class Balance(Protocol):
    """``CreditService.balance``: what a member has, before a play from a command."""

    async def __call__(self, guild_id: int, user_id: int) -> int: ...


class PlaybackLimit(Protocol):
    """The server's ``max_playback_seconds`` (a server setting over the config's default)."""

    async def __call__(self, guild_id: int) -> float: ...


@dataclass(frozen=True, slots=True)
class NowPlaying:
    """What a server's player is playing: for the "now playing" message and ``/stop``."""

    request: PlayRequest
    sound: PlayableSound
    index: int
    voice_channel_id: int


class OnPlayStart(Protocol):
    """Called once per request when its first sound starts (posts "now playing")."""

    async def __call__(self, now: NowPlaying) -> None: ...


class OnPlayEnd(Protocol):
    """Called once per announced request when it ends: played out, or stopped (``result``
    says which, and ``details["stopped_by"]`` who stopped it, when a member did)."""

    async def __call__(self, now: NowPlaying, result: PlayResult) -> None: ...
