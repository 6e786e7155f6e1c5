"""Small helpers shared by tests of the core."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.errors import TaskFailure
from bot.voice.play import PlayRequest, PlayResult


@dataclass
class RecordingPlayer:
    """A ``PlayerService`` that records requests instead of joining voice (the engine's view).

    ``failures`` are raised, in order, by the next plays; ``gate`` holds plays until set.
    """

    requests: list[PlayRequest] = field(default_factory=list)
    prepared: list[tuple[int, int]] = field(default_factory=list)
    failures: list[TaskFailure] = field(default_factory=list)
    gate: asyncio.Event | None = None

    async def prepare(self, request: PlayRequest) -> bool:
        self.prepared.append((request.guild_id, request.voice_channel_id))
        return True

    async def play(self, request: PlayRequest) -> PlayResult:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        if self.failures:
            raise self.failures.pop(0)
        return PlayResult(played_seconds=1.0, sounds_played=1)


async def eventually(predicate: Callable[[], bool], within: float = 5.0) -> None:
    """Let the event loop run until ``predicate`` holds (real time bounds only the test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)
