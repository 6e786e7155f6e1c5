"""Coalescing: calls made in the same instant share one batch (one query, one transaction)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BatchFunction = Callable[[list[T]], Awaitable[list[R | BaseException]]]


class Coalescer(Generic[T, R]):
    """Hands the items submitted in the same event-loop turn to ``batch`` together.

    For work that costs about as much for many items as for one: runs due at one instant
    re-read their leases in one query, plays starting together pay in one transaction.
    ``batch`` returns one result per item, in order; an exception in the list is raised in
    that item's caller only, an exception raised by ``batch`` in every caller of the batch.
    A caller cancelled before its batch starts is left out of it; once the batch has started,
    the item is processed and only the result goes unread.
    """

    def __init__(self, batch: BatchFunction[T, R]) -> None:
        self._batch = batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._flushes: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        if not self._pending:
            flush = asyncio.create_task(self._flush())
            self._flushes.add(flush)
            flush.add_done_callback(self._flushes.discard)
        self._pending.append((item, future))
        return await future

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # callers woken in this same instant join the batch
        pending, self._pending = self._pending, []
        live = [(item, future) for item, future in pending if not future.done()]
        if not live:
            return
        try:
            results = await self._batch([item for item, _ in live])
            if len(results) != len(live):
                raise RuntimeError(f"a batch of {len(live)} gave {len(results)} results")
        except asyncio.CancelledError:
            for _, future in live:
                future.cancel()
            raise
        except Exception as exc:
            results = [exc] * len(live)
        for (_, future), result in zip(live, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)
