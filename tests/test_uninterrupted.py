"""A transaction whose caller is cancelled mid-statement still ends, and frees SQLite's lock."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import text

from bot.db import Database
from bot.uninterrupted import Uninterrupted

# A statement that keeps SQLite busy for a while, inside a write transaction.
SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) "
    "SELECT count(*) FROM c"
)


async def test_a_cancelled_caller_leaves_no_lock_behind(sqlite_url: str) -> None:
    db, other = Database(sqlite_url), Database(sqlite_url)
    work = Uninterrupted()

    async def write_slowly() -> None:
        async with db() as session, session.begin():
            await session.execute(text("UPDATE scheduled_tasks SET name = name"))
            await session.execute(text(SLOW))

    caller = asyncio.create_task(work.run(write_slowly()))
    await asyncio.sleep(0.05)
    caller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await caller
    await work.drain(10)
    try:
        # Another process's write goes through at once: the transaction ended, lock and all.
        async with other() as session, session.begin():
            await asyncio.wait_for(
                session.execute(text("UPDATE scheduled_tasks SET name = name")), timeout=2
            )
    finally:
        await db.dispose()
        await other.dispose()
