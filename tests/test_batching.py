"""The coalescer: calls made in the same instant share one batch, each caller gets its own."""

from __future__ import annotations

import asyncio

from bot.batching import Coalescer


class Doubler:
    """A batch function that doubles numbers, refuses negative ones and records each batch."""

    def __init__(self, *, fail_with: Exception | None = None) -> None:
        self.batches: list[list[int]] = []
        self.fail_with = fail_with
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(items)
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return [ValueError(f"negative: {n}") if n < 0 else 2 * n for n in items]

    async def until_started(self, batches: int) -> None:
        """Yields to the event loop until ``batches`` batches have begun (a few turns at most)."""
        for _ in range(100):
            if len(self.batches) >= batches:
                return
            await asyncio.sleep(0)
        raise AssertionError(f"{batches} batches expected to begin, {len(self.batches)} did")


async def test_calls_made_together_share_one_batch_and_each_gets_its_result():
    doubler = Doubler()
    coalescer = Coalescer(doubler)
    assert await asyncio.gather(*(coalescer.submit(n) for n in range(50))) == [
        2 * n for n in range(50)
    ]
    assert doubler.batches == [list(range(50))]


async def test_calls_made_later_make_a_batch_of_their_own():
    doubler = Doubler()
    coalescer = Coalescer(doubler)
    assert await coalescer.submit(1) == 2
    assert await asyncio.gather(coalescer.submit(2), coalescer.submit(3)) == [4, 6]
    assert doubler.batches == [[1], [2, 3]]


async def test_calls_made_while_a_batch_runs_wait_for_the_next_one():
    doubler = Doubler()
    doubler.release.clear()
    coalescer = Coalescer(doubler)
    first = asyncio.ensure_future(coalescer.submit(1))
    await doubler.until_started(1)
    second = asyncio.ensure_future(coalescer.submit(2))
    await doubler.until_started(2)
    doubler.release.set()
    assert await asyncio.gather(first, second) == [2, 4]
    assert doubler.batches == [[1], [2]]


async def test_an_exception_for_one_item_is_raised_in_its_caller_only():
    coalescer = Coalescer(Doubler())
    results = await asyncio.gather(
        coalescer.submit(1), coalescer.submit(-1), coalescer.submit(3), return_exceptions=True
    )
    assert results[0] == 2
    assert isinstance(results[1], ValueError)
    assert str(results[1]) == "negative: -1"
    assert results[2] == 6


async def test_a_batch_that_fails_fails_every_caller_in_it():
    doubler = Doubler(fail_with=ConnectionError("database gone"))
    coalescer = Coalescer(doubler)
    results = await asyncio.gather(*(coalescer.submit(n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    doubler.fail_with = None
    assert await coalescer.submit(5) == 10


async def test_a_batch_with_the_wrong_number_of_results_fails_every_caller():
    async def short(items: list[int]) -> list[int | BaseException]:
        return items[1:]

    coalescer = Coalescer(short)
    results = await asyncio.gather(coalescer.submit(1), coalescer.submit(2), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_a_caller_cancelled_before_its_batch_starts_is_left_out():
    doubler = Doubler()
    coalescer = Coalescer(doubler)
    calls = [asyncio.ensure_future(coalescer.submit(n)) for n in range(3)]
    await asyncio.sleep(0)  # each call is now waiting for the batch
    calls[1].cancel()
    assert await calls[0] == 0
    assert await calls[2] == 4
    assert calls[1].cancelled()
    assert doubler.batches == [[0, 2]]


async def test_a_caller_cancelled_during_its_batch_leaves_the_others_their_results():
    doubler = Doubler()
    doubler.release.clear()
    coalescer = Coalescer(doubler)
    calls = [asyncio.ensure_future(coalescer.submit(n)) for n in range(3)]
    await doubler.until_started(1)
    assert doubler.batches == [[0, 1, 2]]
    calls[1].cancel()
    await asyncio.sleep(0)
    doubler.release.set()
    assert await calls[0] == 0
    assert await calls[2] == 4
    assert calls[1].cancelled()
    assert await coalescer.submit(7) == 14


async def test_cancelling_the_batch_cancels_its_callers():
    doubler = Doubler()
    doubler.release.clear()
    coalescer = Coalescer(doubler)
    calls = [asyncio.ensure_future(coalescer.submit(n)) for n in range(2)]
    await doubler.until_started(1)
    [flush] = coalescer._flushes
    flush.cancel()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
