"""``LISTEN/NOTIFY`` wake-ups: a change committed in one process reaches the listeners of the
others, with its guild, due time, task and origin; a change rolled back reaches no one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.db import Database
from bot.db.task_wakeups import TaskChange, TaskWakeups, announce, parse

pytestmark = pytest.mark.postgres


async def test_a_committed_change_wakes_the_listeners(postgres_url: str) -> None:
    heard: list[TaskChange] = []
    arrived = asyncio.Event()

    def on_change(change: TaskChange) -> None:
        heard.append(change)
        if change.guild_id is not None:
            arrived.set()

    listener = TaskWakeups(postgres_url, on_change)
    db = Database(postgres_url)
    due = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    try:
        await listener.start()
        async with db() as session:
            transaction = await session.begin()
            await announce(session, TaskChange(99, None))
            await transaction.rollback()
        async with db() as session, session.begin():
            await announce(session, TaskChange(5 << 22, due, 7, "carillon-a"))
        await asyncio.wait_for(arrived.wait(), 5)
        await asyncio.sleep(0.2)
    finally:
        await listener.stop()
        await db.dispose()

    assert heard[0] == TaskChange()  # the catch-up look when it starts listening
    assert TaskChange(5 << 22, due, 7, "carillon-a") in heard
    assert all(change.guild_id != 99 for change in heard)


@pytest.mark.parametrize(
    "payload",
    ['{"guild": "5"}', '{"task": 1.5}', '{"due": "soon"}', "[]", "not json"],
)
def test_a_malformed_notice_is_refused(payload: str) -> None:
    with pytest.raises((ValueError, TypeError, AttributeError)):
        parse(payload)


def test_an_empty_notice_is_a_change_of_unknown_task() -> None:
    assert parse("{}") == TaskChange()
