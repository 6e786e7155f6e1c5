"""Before the bot starts: the database answers, its schema is one this code knows, a SQLite
file is backed up before a migration touches it, then the migrations run."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.db.backup import backup_sqlite
from bot.db.engine import Database
from bot.db.migrate import alembic_config, upgrade
from bot.errors import StartupFailure

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 15.0


def shown_url(url: str) -> str:
    """The URL as a message may show it: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def pending(self) -> bool:
        return self.current != self.head


async def schema_state(url: str) -> SchemaState:
    """Where the database's schema stands against the code's migrations.

    ``StartupFailure`` when the database cannot be reached, or when it was migrated by a
    newer Carillon (a revision this code does not have).
    """
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head()
    assert head is not None
    current = await _current_revision(url)
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise StartupFailure(
            f"The database at {shown_url(url)} is at schema revision {current!r}, which this "
            f"version of Carillon does not know (its newest is {head!r}): a newer Carillon "
            "has upgraded it. Run that newer version, or restore the backup taken before the "
            "upgrade; this version will not touch a schema it does not understand.",
            lasting=True,
        )
    return SchemaState(current, head)


async def _current_revision(url: str) -> str | None:
    try:
        database = Database(url)
    except OSError as exc:
        raise _unreachable(url, exc) from None
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            async with database.engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
    except Exception as exc:
        raise _unreachable(url, exc) from None
    finally:
        await database.dispose()


def _unreachable(url: str, exc: BaseException) -> StartupFailure:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    why = reason[0] if reason else type(exc).__name__
    if isinstance(exc, TimeoutError):
        why = f"no answer within {CONNECT_TIMEOUT:g} s"
    return StartupFailure(
        f"Cannot reach the database at {shown_url(url)} ({why}). Check [database] url in the "
        "config and that the database server is running and accepts connections from this "
        "machine (for SQLite, that the file's folder exists and the bot may write there)."
    )


async def prepare_database(url: str, now: datetime | None = None) -> Path | None:
    """Check the database, back a SQLite file up if a migration is due, then migrate.

    Returns the backup's path, if one was taken.
    """
    state = await schema_state(url)
    if not state.pending:
        return None
    backup = None
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and state.current is not None and database:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        source = Path(database)
        backup = source.with_name(f"{source.stem}.before-{state.head}-{stamp}{source.suffix}")
        await asyncio.to_thread(backup_sqlite, source, backup)
        log.info("backed the database up to %s before migrating it to %s", backup, state.head)
    await upgrade(url)
    log.info("database schema at %s (was %s)", state.head, state.current or "empty")
    return backup
