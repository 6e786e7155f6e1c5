"""Syncing the slash commands with Discord on purpose: Discord allows 200 command creates a
day per server and global changes take a while to reach every client, so a start syncs only
when the tree differs from what the database says was last synced."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import discord
from discord import app_commands
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.db import Database
from bot.models.command_sync import GLOBAL_SCOPE, CommandSync

log = logging.getLogger(__name__)

# Advisory lock key: "CAR4" in ASCII, beside the shard and identify locks' CAR1 to CAR3.
SYNC_LOCK = 0x43415234


def tree_digest(tree: app_commands.CommandTree, guild_id: int | None = None) -> str:
    """A digest of the commands ``tree`` would send for ``guild_id`` (``None``: global)."""
    guild = discord.Object(guild_id) if guild_id else None
    payload = sorted(
        (command.to_dict(tree) for command in tree.get_commands(guild=guild)),
        key=lambda command: (command.get("type", 1), command["name"]),
    )
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def last_digest(db: Database, application_id: int, guild_id: int | None) -> str | None:
    async with db() as session:
        row = await session.get(CommandSync, (application_id, guild_id or GLOBAL_SCOPE))
        return row.digest if row is not None else None


async def record(
    db: Database, application_id: int, guild_id: int | None, digest: str, now: datetime
) -> None:
    """What was synced in a scope, in one upsert: two processes recording it at once both
    succeed (the later one's row stays)."""
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    table = CommandSync.__table__
    statement = (
        insert(table)
        .values(
            application_id=application_id,
            guild_id=guild_id or GLOBAL_SCOPE,
            digest=digest,
            synced_at=now,
        )
        .on_conflict_do_update(
            index_elements=[table.c.application_id, table.c.guild_id],
            set_={"digest": digest, "synced_at": now},
        )
    )
    async with db() as session, session.begin():
        await session.execute(statement)


@asynccontextmanager
async def one_process_at_a_time(db: Database) -> AsyncIterator[None]:
    """On PostgreSQL, processes starting together check and sync one after another, so the
    later ones find the tree recorded and leave Discord alone (SQLite has one process)."""
    if db.is_sqlite:
        yield
        return
    async with db() as session, session.begin():
        await session.execute(select(func.pg_advisory_xact_lock(SYNC_LOCK)))
        yield


async def sync(
    tree: app_commands.CommandTree,
    db: Database,
    application_id: int,
    now: datetime,
    *,
    guild_id: int | None = None,
    clear: bool = False,
) -> int:
    """Send the tree (global, or copied to one server) or, with ``clear``, remove it there.

    Returns how many commands Discord now has in that scope; the database records it.
    """
    guild = discord.Object(guild_id) if guild_id else None
    if clear:
        tree.clear_commands(guild=guild)
    elif guild is not None:
        tree.copy_global_to(guild=guild)
    synced = await tree.sync(guild=guild)
    await record(db, application_id, guild_id, tree_digest(tree, guild_id), now)
    return len(synced)


async def sync_on_start(
    tree: app_commands.CommandTree,
    db: Database,
    application_id: int,
    now: datetime,
    policy: str,
) -> None:
    """``[discord] sync_on_start``: ``auto``, ``global``, ``guild:<id>`` or ``off``."""
    if policy == "off":
        log.info("commands not synced at start ([discord] sync_on_start = off)")
        return
    async with one_process_at_a_time(db):
        await _sync_by_policy(tree, db, application_id, now, policy)


async def _sync_by_policy(
    tree: app_commands.CommandTree, db: Database, application_id: int, now: datetime, policy: str
) -> None:
    if policy.startswith("guild:"):
        guild_id = int(policy.removeprefix("guild:"))
        count = await sync(tree, db, application_id, now, guild_id=guild_id)
        log.info("synced %d commands to server %d", count, guild_id)
        return
    if policy == "auto" and await last_digest(db, application_id, None) == tree_digest(tree):
        log.info("commands unchanged since the last sync; not synced")
        return
    count = await sync(tree, db, application_id, now)
    log.info("synced %d commands globally", count)
