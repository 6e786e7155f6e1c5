"""IDENTIFY turns by advisory lock, real clock with a short window: two processes (two
connections) on one bucket identify a window apart, different buckets at once, and a process
that dies holding a turn frees it."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.db.identify_turns import IdentifyTurns

pytestmark = pytest.mark.postgres

WINDOW = 0.3


async def _turn_times(turns: list[IdentifyTurns], shard_ids: list[int]) -> list[float]:
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def one(gate: IdentifyTurns, shard_id: int) -> float:
        await gate.wait_turn(shard_id)
        return loop.time() - started

    return list(await asyncio.gather(*(one(g, s) for g, s in zip(turns, shard_ids, strict=True))))


async def test_processes_on_one_bucket_identify_a_window_apart(postgres_url: str) -> None:
    fleet = [IdentifyTurns(postgres_url, 1, window=WINDOW) for _ in range(3)]
    try:
        times = sorted(await _turn_times(fleet, [0, 1, 2]))
    finally:
        for gate in fleet:
            await gate.close()

    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= WINDOW for gap in gaps), times


async def test_one_process_spaces_its_own_shards_too(postgres_url: str) -> None:
    gate = IdentifyTurns(postgres_url, 1, window=WINDOW)
    try:
        first, second = sorted(await _turn_times([gate, gate], [0, 1]))
    finally:
        await gate.close()

    assert second - first >= WINDOW


async def test_different_buckets_identify_together(postgres_url: str) -> None:
    fleet = [IdentifyTurns(postgres_url, 2, window=5.0) for _ in range(2)]
    try:
        times = await asyncio.wait_for(_turn_times(fleet, [0, 1]), 2.0)
    finally:
        for gate in fleet:
            await gate.close()

    assert max(times) < 2.0


async def test_a_dead_processs_turn_is_free_at_once(postgres_url: str) -> None:
    dying, survivor = IdentifyTurns(postgres_url, 1, window=60.0), IdentifyTurns(postgres_url, 1)
    try:
        await dying.wait_turn(0)
        await dying.close()  # its connection ends, as a killed process's does
        await asyncio.wait_for(survivor.wait_turn(3), 2.0)
    finally:
        await survivor.close()
