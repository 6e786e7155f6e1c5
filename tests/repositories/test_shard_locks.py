"""Shard ownership by advisory lock: processes joining together split the shards evenly, a
closed (dead) process's shards go to the survivors, and a lost connection is reported."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.db.shard_locks import ShardLocks, asyncpg_dsn

pytestmark = pytest.mark.postgres


async def test_processes_joining_together_split_the_shards_and_survivors_take_a_dead_ones(
    postgres_url: str,
) -> None:
    fleet = [ShardLocks(postgres_url, 6) for _ in range(3)]
    try:
        shares = await asyncio.gather(*(locks.join() for locks in fleet))
        assert sorted(s for share in shares for s in share) == list(range(6))
        assert [len(share) for share in shares] == [2, 2, 2]

        await fleet[0].close()
        taken = [await locks.take_share() for locks in fleet[1:]]

        assert sorted(s for share in taken for s in share) == sorted(shares[0])
        assert sorted(fleet[1].held + fleet[2].held) == list(range(6))
        assert await fleet[1].take_share() == []
    finally:
        for locks in fleet:
            await locks.close()


async def test_a_lost_connection_frees_the_shards_and_is_reported(postgres_url: str) -> None:
    first, second = ShardLocks(postgres_url, 2), ShardLocks(postgres_url, 2)
    lost: list[BaseException] = []
    try:
        assert await first.join() == [0, 1]
        assert await second.join() == []
        watching = asyncio.create_task(first.watch(_ignore, _record(lost), interval=0.1))
        admin = await asyncpg.connect(asyncpg_dsn(postgres_url))
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1",
            first._connection.get_server_pid(),  # type: ignore[union-attr]
        )
        await admin.close()
        await asyncio.wait_for(watching, 5)

        assert len(lost) == 1
        assert await second.take_share() == [0, 1]
    finally:
        await first.close()
        await second.close()


async def _ignore(_shards: list[int]) -> None:
    return None


def _record(into: list[BaseException]):  # type: ignore[no-untyped-def]
    async def record(exc: BaseException) -> None:
        into.append(exc)

    return record
