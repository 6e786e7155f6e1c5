"""Charges made in the same instant (plays starting together) commit in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from bot.config import parse_config
from bot.db import Database
from bot.errors import InsufficientCredits, InvalidInput
from bot.repositories.credits import CreditRepository
from bot.services.credits import CreditService
from bot.services.settings import SettingsService

CONFIG = parse_config({"credits": {"starting_balance": 5}})
MISSING_TASK = 999_999
GUILD_A, GUILD_B = 1 << 22, 2 << 22


@pytest.fixture
def credits(database, clock) -> CreditService:
    return CreditService(database, CONFIG, SettingsService(database, CONFIG, clock), clock)


@pytest.fixture
def commits(database: Database) -> Iterator[list[None]]:
    """One entry per transaction the database commits."""
    seen: list[None] = []

    def count(_connection: object) -> None:
        seen.append(None)

    event.listen(database.engine.sync_engine, "commit", count)
    yield seen
    event.remove(database.engine.sync_engine, "commit", count)


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    """Every SQL statement sent to the database (an executemany counts once)."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def ledger(database: Database, guild: int, user: int) -> list[tuple[int, int, str]]:
    async with database() as session:
        entries = await CreditRepository(session).history(guild, user, 50)
    return [(e.amount, e.balance_after, e.reason) for e in reversed(entries)]


async def test_fifty_plays_in_fifty_servers_pay_in_one_transaction(
    credits, database, commits, statements
):
    for guild in range(10):
        await credits.set(guild, 1, 20, actor_id=None)
    commits.clear()
    statements.clear()
    # Servers 0-9 member 1 has 20; everyone else is new and starts with 5.
    members = [(guild, user) for guild in range(10) for user in range(1, 6)]
    results = await asyncio.gather(
        *(credits.charge(g, u, u, f"played bell {g}/{u}") for g, u in members)
    )
    assert results == [(20 if u == 1 else 5) - u for _, u in members]
    assert len(commits) == 1
    # Read the balances, write the changed ones, the new ones and the ledger: whatever the size.
    assert len([s for s in statements if not s.startswith("BEGIN")]) == 4, statements
    for guild in range(10):
        assert await ledger(database, guild, 1) == [
            (5, 5, "starting balance"),
            (15, 20, "set by an admin"),
            (-1, 19, f"played bell {guild}/1"),
        ]
        assert await ledger(database, guild, 4) == [
            (5, 5, "starting balance"),
            (-4, 1, f"played bell {guild}/4"),
        ]
    assert [await credits.balance(9, u) for u in range(1, 6)] == [19, 3, 2, 1, 0]


async def test_a_short_member_is_refused_while_the_others_in_the_batch_pay(credits, database):
    await credits.set(1, 2, 3, actor_id=None)
    results = await asyncio.gather(
        credits.charge(1, 1, 4, "bell"),
        credits.charge(1, 2, 4, "bell"),  # has 3
        credits.charge(1, 3, 6, "bell"),  # new: would start with 5
        credits.charge(2, 1, 5, "bell"),
        return_exceptions=True,
    )
    assert results[0] == 1
    assert results[3] == 0
    short, new_and_short = results[1], results[2]
    assert isinstance(short, InsufficientCredits)
    assert (short.balance, short.cost) == (3, 4)
    assert str(short).startswith("not enough credits: this costs 4 and the balance is 3.")
    assert isinstance(new_and_short, InsufficientCredits)
    assert (new_and_short.balance, new_and_short.cost) == (5, 6)
    assert await ledger(database, 1, 2) == [(5, 5, "starting balance"), (-2, 3, "set by an admin")]
    # As alone: a refused charge leaves nothing behind, not even a new member's balance.
    assert await ledger(database, 1, 3) == []
    assert await ledger(database, 1, 1) == [(5, 5, "starting balance"), (-4, 1, "bell")]


async def test_one_member_charged_thrice_in_a_batch_pays_in_turn(credits, database):
    results = await asyncio.gather(
        credits.charge(1, 1, 3, "first"),
        credits.charge(1, 1, 3, "second"),
        credits.charge(1, 1, 2, "third"),
        return_exceptions=True,
    )
    assert results[0] == 2
    refused = results[1]
    assert isinstance(refused, InsufficientCredits)
    assert refused.balance == 2
    assert "the balance is 2" in str(refused)
    assert results[2] == 0
    assert await ledger(database, 1, 1) == [
        (5, 5, "starting balance"),
        (-3, 2, "first"),
        (-2, 0, "third"),
    ]


async def test_a_negative_charge_is_refused_before_it_joins_a_batch(credits, database):
    with pytest.raises(InvalidInput):
        await credits.charge(1, 1, -1, "refund?")
    assert await ledger(database, 1, 1) == []


async def test_a_batch_that_fails_as_a_whole_charges_each_alone(credits, database, caplog):
    """A ledger entry naming a task that does not exist breaks the shared transaction."""
    caplog.set_level(logging.WARNING, logger="bot.services.credits")
    results = await asyncio.gather(
        credits.charge(1, 1, 2, "bell"),
        credits.charge(1, 2, 2, "bell", task_id=MISSING_TASK),
        credits.charge(2, 1, 3, "bell"),
        return_exceptions=True,
    )
    assert "3 charges failed together; charging each alone" in caplog.text
    assert results[0] == 3
    assert isinstance(results[1], IntegrityError)
    assert results[2] == 2
    assert await ledger(database, 1, 1) == [(5, 5, "starting balance"), (-2, 3, "bell")]
    assert await ledger(database, 1, 2) == []
    assert await ledger(database, 2, 1) == [(5, 5, "starting balance"), (-3, 2, "bell")]


async def test_a_lone_charge_that_fails_raises_its_error(credits, database, caplog):
    with pytest.raises(IntegrityError):
        await credits.charge(1, 1, 2, "bell", task_id=MISSING_TASK)
    assert "charging each alone" not in caplog.text
    assert await credits.charge(1, 1, 2, "bell") == 3


async def test_a_keyed_charge_is_taken_once_however_often_it_is_made(credits, database):
    first = await credits.charge_once(GUILD_A, 1, 2, "played bell", key="play:7:2026-12-01")
    again = await asyncio.gather(
        *(credits.charge_once(GUILD_A, 1, 2, "played bell", key="play:7:2026-12-01") for _ in "ab")
    )
    assert (first.balance, first.charged, first.repeated) == (3, 2, False)
    assert [(r.balance, r.charged, r.repeated) for r in again] == [(3, 0, True)] * 2
    other = await credits.charge_once(GUILD_A, 1, 2, "played bell", key="play:7:2026-12-02")
    assert (other.balance, other.charged) == (1, 2)
    assert await ledger(database, GUILD_A, 1) == [
        (5, 5, "starting balance"),
        (-2, 3, "played bell"),
        (-2, 1, "played bell"),
    ]


async def test_two_processes_charging_one_key_charge_it_once(database_url, clock):
    """The unique key holds across connections: the loser sees the winner's charge."""
    databases = [Database(database_url), Database(database_url)]
    services = [
        CreditService(db, CONFIG, SettingsService(db, CONFIG, clock), clock) for db in databases
    ]
    try:
        await services[0].balance(GUILD_A, 1)
        receipts = await asyncio.gather(
            *(s.charge_once(GUILD_A, 1, 2, "played bell", key="play:9:x") for s in services)
        )
        assert sorted(r.charged for r in receipts) == [0, 2]
        assert await services[0].balance(GUILD_A, 1) == 3
    finally:
        for db in databases:
            await db.dispose()


async def test_first_balances_opened_at_once_by_two_processes_never_collide(database_url, clock):
    """Recharges and charges for members with no balance yet, from two connections at once."""
    databases = [Database(database_url), Database(database_url)]
    services = [
        CreditService(db, CONFIG, SettingsService(db, CONFIG, clock), clock) for db in databases
    ]
    try:
        members = range(1, 41)
        results = await asyncio.gather(
            *(s.charge(GUILD_A, m, 1, "play") for m in members for s in services),
            *(s.balance(GUILD_B, m) for m in members for s in services),
        )
        assert not [r for r in results if isinstance(r, BaseException)]
        for member in members:
            assert await services[0].balance(GUILD_A, member) == 3
            assert await ledger(databases[0], GUILD_A, member) == [
                (5, 5, "starting balance"),
                (-1, 4, "play"),
                (-1, 3, "play"),
            ]
            assert await ledger(databases[0], GUILD_B, member) == [(5, 5, "starting balance")]
    finally:
        for db in databases:
            await db.dispose()
