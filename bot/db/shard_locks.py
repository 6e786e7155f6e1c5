"""Shard ownership through PostgreSQL advisory locks: no coordinator beyond the database.

Each process holds one connection for its whole life. On it, a *member* lock (one per
process) lets every process count the live ones, and one *shard* lock per shard it runs says
it owns that shard. Session-level advisory locks are dropped by PostgreSQL when their
connection ends, so a process killed with -9, or cut off from the database, frees its shards
for the survivors, who take them up on their next look (every ``LOOK_SECONDS``).

A process takes at most its fair share (``ceil(shard_count / live processes)``) and never
gives a shard up while it lives: processes started together split the shards evenly, one
started later takes only shards nobody holds.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy.engine import make_url

_log = logging.getLogger(__name__)

# Two-key advisory locks: (namespace, id); the namespaces are "CAR1" and "CAR2" in ASCII.
MEMBER_NAMESPACE = 0x43415231
SHARD_NAMESPACE = 0x43415232
LOOK_SECONDS = 5.0
# A starting process waits until the number of live processes has held this long (at most
# SETTLE_LIMIT), so processes started together see each other before they take shards.
SETTLE_SECONDS = 2.0
SETTLE_LIMIT = 20.0

_MEMBERS = """
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = $1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def asyncpg_dsn(url: str) -> str:
    """The libpq URL of a ``postgresql+asyncpg://`` SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class ShardLocks:
    """This process's share of ``shard_count`` shards, held on its own connection."""

    def __init__(self, url: str, shard_count: int) -> None:
        self.dsn = asyncpg_dsn(url)
        self.shard_count = shard_count
        self.held: list[int] = []
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def join(self) -> list[int]:
        """Connect, count in, wait for the processes starting with this one, take a share."""
        self._connection = await asyncpg.connect(self.dsn)
        await self._connection.execute(
            "SELECT pg_advisory_lock($1, pg_backend_pid())", MEMBER_NAMESPACE
        )
        await self._settle()
        return await self.take_share()

    async def _settle(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        seen, since = await self.members(), loop.time()
        while loop.time() - since < SETTLE_SECONDS and loop.time() - started < SETTLE_LIMIT:
            await asyncio.sleep(0.25)
            now = await self.members()
            if now != seen:
                seen, since = now, loop.time()

    async def members(self) -> int:
        """How many processes hold shards on this database now (this one included)."""
        assert self._connection is not None
        return int(await self._connection.fetchval(_MEMBERS, MEMBER_NAMESPACE))

    async def take_share(self) -> list[int]:
        """Lock free shards until this process holds its fair share; the ones newly taken."""
        async with self._lock:
            assert self._connection is not None
            share = math.ceil(self.shard_count / max(1, await self.members()))
            start = (await self._connection.fetchval("SELECT pg_backend_pid()")) % self.shard_count
            taken: list[int] = []
            for step in range(self.shard_count):
                if len(self.held) >= share:
                    break
                shard_id = (start + step) % self.shard_count
                if shard_id in self.held:
                    continue
                locked = await self._connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", SHARD_NAMESPACE, shard_id
                )
                if locked:
                    self.held.append(shard_id)
                    taken.append(shard_id)
            self.held.sort()
            return sorted(taken)

    async def watch(
        self,
        on_taken: Callable[[list[int]], Awaitable[None]],
        on_lost: Callable[[BaseException], Awaitable[None]],
        interval: float = LOOK_SECONDS,
    ) -> None:
        """Every ``interval``, take up orphaned shards (``on_taken``); if the connection that
        holds the locks fails, ``on_lost``: the shards are no longer this process's."""
        while True:
            await asyncio.sleep(interval)
            try:
                taken = await self.take_share()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                await on_lost(exc)
                return
            if taken:
                await on_taken(taken)

    async def close(self) -> None:
        """Let the shards go (the locks end with the connection)."""
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        try:
            await connection.close(timeout=5)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            connection.terminate()
