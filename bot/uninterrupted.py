"""Work a cancellation must not cut in half, and a way to wait for it at shutdown.

A database transaction is such work: cancelled mid-statement, SQLAlchemy gives its SQLite
connection up without a rollback, and that connection keeps the write lock until it is
collected, so every later ``BEGIN IMMEDIATE`` of the process waits and fails. Shielded, a
cancelled caller returns at once while the transaction ends as it would have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class Uninterrupted:
    def __init__(self) -> None:
        self._running: set[asyncio.Task[Any]] = set()

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Await ``work``; cancelling the caller does not cancel it."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def drain(self, within: float) -> None:
        """Wait (at most ``within`` seconds) until the work under way has ended."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=within)
