"""The time source: the core never calls ``datetime.now`` directly, so tests move time."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Aware-UTC time, and a sleep that follows the same time."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """Time that only moves when a test says so; sleepers wake when it passes their deadline."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._now.timestamp()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + timedelta(seconds=seconds), future))
        try:
            await future
        finally:
            self._sleepers = [(d, f) for d, f in self._sleepers if f is not future]

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (aware), waking every sleeper whose deadline has passed."""
        self._now = when.astimezone(UTC)
        for deadline, future in list(self._sleepers):
            if deadline <= self._now and not future.done():
                future.set_result(None)

    def advance(self, seconds: float = 0, **delta: float) -> None:
        self.set(self._now + timedelta(seconds=seconds, **delta))

    @property
    def sleepers(self) -> int:
        return sum(1 for _, f in self._sleepers if not f.done())
