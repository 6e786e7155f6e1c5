"""CreditRepository on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.models.credits import CreditTransaction
from bot.repositories.credits import CreditRepository

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
GUILD = 100


def entry(user_id: int, amount: int, key: str | None = None) -> CreditTransaction:
    return CreditTransaction(
        guild_id=GUILD,
        user_id=user_id,
        amount=amount,
        balance_after=amount,
        reason="test",
        created_at=NOW,
        idempotency_key=key,
    )


async def test_opening_balances_twice_at_once_opens_each_once(database: Database) -> None:
    async def open_them() -> set[tuple[int, int]]:
        async with database() as session, session.begin():
            return await CreditRepository(session).insert_absent(
                {(GUILD, 1): 20, (GUILD, 2): 20}, NOW
            )

    opened = await asyncio.gather(open_them(), open_them())

    assert opened[0] | opened[1] == {(GUILD, 1), (GUILD, 2)}
    assert opened[0] & opened[1] == set()
    async with database() as session:
        balances = await CreditRepository(session).balances(GUILD)
    assert [(b.user_id, b.balance) for b in balances] == [(1, 20), (2, 20)]


async def test_an_idempotency_key_is_charged_once(database: Database) -> None:
    async with database() as session, session.begin():
        repo = CreditRepository(session)
        await repo.record(entry(1, -5, "play:1:a"))
        await repo.record_all([entry(2, -5, "play:1:b"), entry(2, 3)])

    async with database() as session:
        assert await CreditRepository(session).charged_keys(["play:1:a", "play:1:b", "x"]) == {
            "play:1:a",
            "play:1:b",
        }
    with pytest.raises(IntegrityError):
        async with database() as session, session.begin():
            await CreditRepository(session).record(entry(1, -5, "play:1:a"))


async def test_history_is_newest_first_and_per_member(database: Database) -> None:
    async with database() as session, session.begin():
        repo = CreditRepository(session)
        for amount in (1, 2, 3):
            await repo.record(entry(1, amount))
        await repo.record(entry(2, 9))

    async with database() as session:
        history = await CreditRepository(session).history(GUILD, 1, limit=2)
    assert [e.amount for e in history] == [3, 2]
