"""Turns to IDENTIFY, shared by every process of the bot through PostgreSQL.

Discord accepts one IDENTIFY per 5 s per bucket (``shard_id % max_concurrency``) across all
of an application's connections and answers one over that with INVALID_SESSION. discord.py
spaces the IDENTIFYs of one process only, so processes starting together collide. Here a
process takes its bucket's advisory lock before it IDENTIFYs and keeps it for the window:
the next IDENTIFY of that bucket, in any process, waits for it. A process that dies holding
the lock frees it early (its connection ends); the IDENTIFY that follows may then be refused,
and discord.py retries it.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from bot.db.shard_locks import asyncpg_dsn

_log = logging.getLogger(__name__)

# Two-key advisory lock (namespace, bucket); "CAR3" in ASCII, beside shard_locks' CAR1/CAR2.
IDENTIFY_NAMESPACE = 0x43415233
# Discord's window, plus room for the IDENTIFY to travel after the turn is taken.
IDENTIFY_WINDOW = 5.0
WINDOW_MARGIN = 0.5
POLL_SECONDS = 0.25
_DATABASE_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


class IdentifyTurns:
    """One IDENTIFY per window per bucket among every process on the database."""

    def __init__(self, url: str, max_concurrency: int = 1, window: float = IDENTIFY_WINDOW) -> None:
        self.dsn = asyncpg_dsn(url)
        self.max_concurrency = max(1, max_concurrency)
        self.window = window
        self._connection: asyncpg.Connection | None = None
        self._statement = asyncio.Lock()  # one statement at a time on the connection
        self._buckets: dict[int, asyncio.Lock] = {}
        self._releases: set[asyncio.Task[None]] = set()

    async def wait_turn(self, shard_id: int) -> None:
        """Return once this process may IDENTIFY ``shard_id``; its bucket stays taken for
        the window. If the database cannot be reached, return anyway: Discord refuses an
        IDENTIFY too soon, and discord.py identifies again."""
        bucket = shard_id % self.max_concurrency
        local = self._buckets.setdefault(bucket, asyncio.Lock())
        await local.acquire()
        try:
            while True:
                if await self._try_lock(bucket):
                    break
                await asyncio.sleep(POLL_SECONDS)
        except _DATABASE_ERRORS as exc:
            _log.warning("identify turn for shard %d without the database (%s)", shard_id, exc)
        except BaseException:
            local.release()
            raise
        release = asyncio.get_running_loop().create_task(
            self._release_after(bucket, local), name=f"carillon-identify-{bucket}"
        )
        self._releases.add(release)
        release.add_done_callback(self._releases.discard)

    async def _try_lock(self, bucket: int) -> bool:
        async with self._statement:
            if self._connection is None or self._connection.is_closed():
                self._connection = await asyncpg.connect(self.dsn)
            return bool(
                await self._connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", IDENTIFY_NAMESPACE, bucket
                )
            )

    async def _release_after(self, bucket: int, local: asyncio.Lock) -> None:
        try:
            await asyncio.sleep(self.window + WINDOW_MARGIN)
            async with self._statement:
                if self._connection is not None and not self._connection.is_closed():
                    await self._connection.execute(
                        "SELECT pg_advisory_unlock($1, $2)", IDENTIFY_NAMESPACE, bucket
                    )
        except _DATABASE_ERRORS as exc:
            _log.warning("could not give the identify turn back (%s); the connection ends it", exc)
        finally:
            local.release()

    async def close(self) -> None:
        for release in list(self._releases):
            release.cancel()
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        try:
            await connection.close(timeout=5)
        except (*_DATABASE_ERRORS, TimeoutError):
            connection.terminate()
