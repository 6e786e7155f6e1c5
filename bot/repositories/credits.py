"""Credit balances and their ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.credits import CreditBalance, CreditTransaction


class CreditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, guild_id: int, user_id: int, *, lock: bool = False) -> CreditBalance | None:
        query = select(CreditBalance).where(
            CreditBalance.guild_id == guild_id, CreditBalance.user_id == user_id
        )
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def insert_absent(
        self, balances: Mapping[tuple[int, int], int], now: datetime
    ) -> set[tuple[int, int]]:
        """Open these (guild_id, user_id) members' balances unless they exist; those opened.

        One ``INSERT … ON CONFLICT DO NOTHING``: a member another transaction opened at the
        same moment is left as it is, never a unique-key error.
        """
        if not balances:
            return set()
        table = CreditBalance.__table__
        insert_for = postgresql_insert if self._dialect == "postgresql" else sqlite_insert
        statement = (
            insert_for(table)
            .values(
                [
                    {"guild_id": g, "user_id": u, "balance": balance, "updated_at": now}
                    for (g, u), balance in balances.items()
                ]
            )
            .on_conflict_do_nothing(index_elements=["guild_id", "user_id"])
            .returning(table.c.guild_id, table.c.user_id)
        )
        result = await self.session.execute(statement)
        return {(g, u) for g, u in result}

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def charged_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these idempotency keys a ledger entry already carries."""
        if not keys:
            return set()
        result = await self.session.scalars(
            select(CreditTransaction.idempotency_key).where(
                CreditTransaction.idempotency_key.in_(sorted(set(keys)))
            )
        )
        return {key for key in result if key is not None}

    async def for_members(self, members: Sequence[tuple[int, int]]) -> list[CreditBalance]:
        """The balances of these (guild_id, user_id) members that exist, locked, in key order."""
        if not members:
            return []
        query = (
            select(CreditBalance)
            .where(tuple_(CreditBalance.guild_id, CreditBalance.user_id).in_(members))
            .order_by(CreditBalance.guild_id, CreditBalance.user_id)
            .with_for_update()
        )
        return list((await self.session.execute(query)).scalars())

    async def balances(
        self, guild_id: int | None, user_id: int | None = None, *, lock: bool = False
    ) -> list[CreditBalance]:
        """Balances of one server (or every server), optionally of one member."""
        query = select(CreditBalance).order_by(CreditBalance.guild_id, CreditBalance.user_id)
        if guild_id is not None:
            query = query.where(CreditBalance.guild_id == guild_id)
        if user_id is not None:
            query = query.where(CreditBalance.user_id == user_id)
        if lock:
            query = query.with_for_update()
        return list((await self.session.execute(query)).scalars())

    async def set_balance(self, balance: CreditBalance, value: int, now: datetime) -> None:
        balance.balance = value
        balance.updated_at = now
        await self.session.flush()

    async def record(self, entry: CreditTransaction) -> CreditTransaction:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def record_all(self, entries: list[CreditTransaction]) -> None:
        """Write entries in one statement; unlike ``record``, their ids are not read back."""
        if not entries:
            return
        columns = [c.key for c in CreditTransaction.__table__.columns if not c.primary_key]
        rows = [{key: getattr(entry, key) for key in columns} for entry in entries]
        await self.session.execute(insert(CreditTransaction), rows)

    async def history(
        self, guild_id: int, user_id: int, limit: int = 10
    ) -> list[CreditTransaction]:
        result = await self.session.execute(
            select(CreditTransaction)
            .where(CreditTransaction.guild_id == guild_id, CreditTransaction.user_id == user_id)
            .order_by(CreditTransaction.id.desc())
            .limit(limit)
        )
        return list(result.scalars())

    async def for_run(self, run_id: int) -> list[CreditTransaction]:
        result = await self.session.execute(
            select(CreditTransaction)
            .where(CreditTransaction.run_id == run_id)
            .order_by(CreditTransaction.id)
        )
        return list(result.scalars())
