"""Credits: balances per member and server, charges for plays, recharges and admin changes.

Every change writes a ledger entry in the same transaction as the balance it changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.batching import Coalescer
from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.errors import InsufficientCredits, InvalidInput
from bot.metrics import Metrics
from bot.models.credits import CreditBalance, CreditTransaction
from bot.repositories.credits import CreditRepository
from bot.repositories.settings import SettingsRepository
from bot.services.settings import SettingsService

log = logging.getLogger(__name__)

MAX_BALANCE = 1_000_000_000


# A batch of charges that met a member opened by another transaction at the same moment is
# charged again from the start (with that member's balance now read), this many times at most.
MAX_BATCH_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class _Charge:
    guild_id: int
    user_id: int
    amount: int
    reason: str
    task_id: int | None
    key: str | None

    @property
    def member(self) -> tuple[int, int]:
        return (self.guild_id, self.user_id)


@dataclass(frozen=True, slots=True)
class ChargeReceipt:
    """A charge's result: the balance after it, and what it took now.

    ``repeated``: the charge's idempotency key was charged before (a play re-run after a
    crash), so nothing was taken this time.
    """

    balance: int
    charged: int
    repeated: bool = False


class _MemberOpenedMeanwhile(Exception):
    """Another transaction opened a balance this batch meant to open: charge again."""


@dataclass(slots=True)
class RechargeSummary:
    """What one recharge run changed."""

    members: int = 0
    credits: int = 0
    at_cap: int = 0

    def as_details(self) -> dict[str, int]:
        return {
            "members_recharged": self.members,
            "credits_added": self.credits,
            "members_at_cap": self.at_cap,
        }


def _starting_entry(guild_id: int, user_id: int, start: int, now: datetime) -> CreditTransaction:
    """The ledger entry that opens a new member's balance."""
    return CreditTransaction(
        guild_id=guild_id,
        user_id=user_id,
        amount=start,
        balance_after=start,
        reason="starting balance",
        created_at=now,
    )


class CreditService:
    def __init__(
        self,
        db: Database,
        config: Config,
        settings: SettingsService,
        clock: Clock,
        metrics: Metrics | None = None,
    ):
        self.db = db
        self.metrics = metrics or Metrics()
        self.config = config
        self.settings = settings
        self.clock = clock
        self._charges: Coalescer[_Charge, ChargeReceipt] = Coalescer(self._charge_together)

    async def _ensure(self, repo: CreditRepository, guild_id: int, user_id: int) -> CreditBalance:
        """The member's balance; new members start with ``starting_balance``, in the ledger.

        Opening is an upsert: two transactions opening one member at once never collide.
        """
        existing = await repo.get(guild_id, user_id)
        if existing is not None:
            return existing
        now = self.clock.now()
        start = self.config.credits.starting_balance
        if await repo.insert_absent({(guild_id, user_id): start}, now):
            await repo.record(_starting_entry(guild_id, user_id, start, now))
        opened = await repo.get(guild_id, user_id)
        assert opened is not None
        return opened

    async def balance(self, guild_id: int, user_id: int) -> int:
        async with self.db() as session, session.begin():
            return (await self._ensure(CreditRepository(session), guild_id, user_id)).balance

    async def history(
        self, guild_id: int, user_id: int, limit: int = 10
    ) -> list[CreditTransaction]:
        async with self.db() as session:
            return await CreditRepository(session).history(guild_id, user_id, limit)

    async def charge(
        self, guild_id: int, user_id: int, amount: int, reason: str, *, task_id: int | None = None
    ) -> int:
        """Take ``amount``; the new balance, or ``InsufficientCredits`` with nothing taken."""
        receipt = await self.charge_once(guild_id, user_id, amount, reason, task_id=task_id)
        return receipt.balance

    async def charge_once(
        self,
        guild_id: int,
        user_id: int,
        amount: int,
        reason: str,
        *,
        task_id: int | None = None,
        key: str | None = None,
    ) -> ChargeReceipt:
        """Take ``amount`` unless ``key`` was charged before; ``InsufficientCredits`` with
        nothing taken when the balance is short.

        Charges made in the same instant (plays starting together) commit together.
        """
        if amount < 0:
            raise InvalidInput("a charge cannot be negative")
        return await self._charges.submit(_Charge(guild_id, user_id, amount, reason, task_id, key))

    async def _charge_together(self, charges: list[_Charge]) -> list[ChargeReceipt | BaseException]:
        """All in one transaction; each alone if that fails as a whole (a deadlock, say).

        Members in key order, so that batches running at once lock rows in the same order.
        """
        ordered = sorted(enumerate(charges), key=lambda pair: pair[1].member)
        results: dict[int, ChargeReceipt | BaseException] = {}
        try:
            await self._take_in_transaction(ordered, results)
        except DBAPIError:
            if len(charges) == 1:
                raise
            log.warning("%d charges failed together; charging each alone", len(charges))
            for i, charge in ordered:
                try:
                    await self._take_in_transaction([(i, charge)], results)
                except Exception as exc:
                    results[i] = exc
        return [results[i] for i in range(len(charges))]

    async def _take_in_transaction(
        self,
        charges: list[tuple[int, _Charge]],
        results: dict[int, ChargeReceipt | BaseException],
    ) -> None:
        for attempt in range(1, MAX_BATCH_ATTEMPTS + 1):
            try:
                async with self.db() as session, session.begin():
                    await self._take_all(session, charges, results)
                spent = [results[i] for i, _ in charges]
                charged = sum(r.charged for r in spent if isinstance(r, ChargeReceipt))
                self.metrics.credits_spent.inc(charged)
                return
            except _MemberOpenedMeanwhile:
                if attempt == MAX_BATCH_ATTEMPTS:
                    raise RuntimeError("member balances kept being opened meanwhile") from None

    async def _take_all(
        self,
        session: AsyncSession,
        charges: list[tuple[int, _Charge]],
        results: dict[int, ChargeReceipt | BaseException],
    ) -> None:
        """Take each charge or refuse it, in a fixed number of statements for the batch.

        The members' balances are read (and locked) in one query and taken from in memory;
        the changed balances go back in one executemany UPDATE, new members' balances and
        every ledger entry in one INSERT each (and one more query when charges carry keys).
        A new member starts (balance and ledger entry) only if the starting balance covers
        the charge, so a refused charge writes nothing. A key already in the ledger charges
        nothing; the unique key keeps two processes from both charging it.
        """
        repo = CreditRepository(session)
        now = self.clock.now()
        start = self.config.credits.starting_balance
        known = await repo.for_members(sorted({charge.member for _, charge in charges}))
        have = {(b.guild_id, b.user_id): b.balance for b in known}
        charged = await repo.charged_keys([c.key for _, c in charges if c.key is not None])
        started: list[tuple[int, int]] = []
        openings: list[CreditTransaction] = []
        entries: list[CreditTransaction] = []
        for i, charge in charges:
            balance = have.get(charge.member, start)
            if charge.key is not None and charge.key in charged:
                results[i] = ChargeReceipt(balance, 0, repeated=True)
                continue
            if balance < charge.amount:
                results[i] = InsufficientCredits(
                    f"not enough credits: this costs {charge.amount} and the balance is "
                    f"{balance}. Credits come back with the next recharge, or an admin can "
                    "grant some.",
                    balance=balance,
                    cost=charge.amount,
                )
                continue
            if charge.member not in have:
                started.append(charge.member)
                openings.append(_starting_entry(*charge.member, start, now))
            have[charge.member] = balance - charge.amount
            results[i] = ChargeReceipt(have[charge.member], charge.amount)
            if charge.key is not None:
                charged.add(charge.key)
            if charge.amount:
                entries.append(
                    CreditTransaction(
                        guild_id=charge.guild_id,
                        user_id=charge.user_id,
                        amount=-charge.amount,
                        balance_after=have[charge.member],
                        reason=charge.reason[:200],
                        task_id=charge.task_id,
                        idempotency_key=charge.key,
                        created_at=now,
                    )
                )
        for balance in known:
            left = have[(balance.guild_id, balance.user_id)]
            if left != balance.balance:
                balance.balance, balance.updated_at = left, now
        await session.flush()
        opening = {member: have[member] for member in started}
        if len(await repo.insert_absent(opening, now)) != len(opening):
            raise _MemberOpenedMeanwhile
        await repo.record_all(openings + entries)

    async def grant(self, guild_id: int, user_id: int, amount: int, actor_id: int | None) -> int:
        """Add (or with a negative amount, remove) credits; the balance never goes below 0."""
        async with self.db() as session, session.begin():
            balance = await self._locked(session, guild_id, user_id)
            target = max(0, min(MAX_BALANCE, balance.balance + amount))
            return await self._change(session, balance, target, "granted by an admin", actor_id)

    async def set(self, guild_id: int, user_id: int, amount: int, actor_id: int | None) -> int:
        if not 0 <= amount <= MAX_BALANCE:
            raise InvalidInput(f"a balance must be between 0 and {MAX_BALANCE}")
        async with self.db() as session, session.begin():
            balance = await self._locked(session, guild_id, user_id)
            return await self._change(session, balance, amount, "set by an admin", actor_id)

    async def _locked(self, session: AsyncSession, guild_id: int, user_id: int) -> CreditBalance:
        repo = CreditRepository(session)
        await self._ensure(repo, guild_id, user_id)
        balance = await repo.get(guild_id, user_id, lock=True)
        assert balance is not None
        return balance

    async def _change(
        self,
        session: AsyncSession,
        balance: CreditBalance,
        target: int,
        reason: str,
        actor_id: int | None,
        *,
        task_id: int | None = None,
        run_id: int | None = None,
    ) -> int:
        delta = target - balance.balance
        if delta == 0:
            return target
        repo = CreditRepository(session)
        now = self.clock.now()
        await repo.set_balance(balance, target, now)
        await repo.record(
            CreditTransaction(
                guild_id=balance.guild_id,
                user_id=balance.user_id,
                amount=delta,
                balance_after=target,
                reason=reason,
                actor_id=actor_id,
                task_id=task_id,
                run_id=run_id,
                created_at=now,
            )
        )
        return target

    async def recharge(
        self,
        session: AsyncSession,
        *,
        guild_id: int | None,
        user_id: int | None,
        amount: int | None,
        cap: int | None,
        task_id: int | None,
        run_id: int | None,
    ) -> RechargeSummary:
        """Top up balances inside the caller's transaction, never above the cap.

        No member: every member with a balance (in one server, or every server).
        Amount and cap default to each server's settings.
        """
        repo = CreditRepository(session)
        if guild_id is not None and user_id is not None:
            await self._ensure(repo, guild_id, user_id)
        summary = RechargeSummary()
        settings_cache: dict[int, tuple[int, int]] = {}
        for balance in await repo.balances(guild_id, user_id, lock=True):
            if balance.guild_id not in settings_cache:
                stored = await SettingsRepository(session).guild(balance.guild_id)
                effective = self.settings.effective(balance.guild_id, stored)
                settings_cache[balance.guild_id] = (
                    effective.recharge_amount,
                    effective.recharge_cap,
                )
            default_amount, default_cap = settings_cache[balance.guild_id]
            add = default_amount if amount is None else amount
            limit = default_cap if cap is None else cap
            target = max(balance.balance, min(balance.balance + add, limit))
            if target == balance.balance:
                summary.at_cap += 1
                continue
            added = target - balance.balance
            await self._change(
                session, balance, target, "recharge", None, task_id=task_id, run_id=run_id
            )
            summary.members += 1
            summary.credits += added
        return summary
