"""``LISTEN/NOTIFY`` wake-ups: a change committed in one process reaches the listeners of the
others, with its guild and due time; a change rolled back reaches no one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.db import Database
from bot.db.task_wakeups import TaskWakeups, announce

pytestmark = pytest.mark.postgres


async def test_a_committed_change_wakes_the_listeners(postgres_url: str) -> None:
    heard: list[tuple[int | None, datetime | None]] = []
    arrived = asyncio.Event()

    def on_wake(guild_id: int | None, due_at: datetime | None) -> None:
        heard.append((guild_id, due_at))
        if guild_id is not None:
            arrived.set()

    listener = TaskWakeups(postgres_url, on_wake)
    db = Database(postgres_url)
    due = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    try:
        await listener.start()
        async with db() as session:
            transaction = await session.begin()
            await announce(session, 99, None)
            await transaction.rollback()
        async with db() as session, session.begin():
            await announce(session, 5 << 22, due)
        await asyncio.wait_for(arrived.wait(), 5)
        await asyncio.sleep(0.2)
    finally:
        await listener.stop()
        await db.dispose()

    assert heard[0] == (None, None)  # the catch-up look when it starts listening
    assert (5 << 22, due) in heard
    assert all(guild != 99 for guild, _ in heard)
