"""The async engine and session factory, with SQLite tuned for one writer and many readers."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_AUTOCHECKPOINT_PAGES = 20_000


class Database:
    """Owns the engine; ``session()`` opens an ``AsyncSession`` that never expires on commit."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.sqlite_path: Path | None = None
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            self.sqlite_path = Path(parsed.database)
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            # One connection: writes in this process queue here instead of in SQLite's lock.
            # Sessions always end their transaction, so the pool's extra ROLLBACK is not needed.
            kwargs |= {
                "pool_size": 1,
                "max_overflow": 0,
                "pool_timeout": 60,
                "pool_reset_on_return": None,
            }
        else:
            kwargs |= {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _configure_sqlite)
            event.listen(self.engine.sync_engine, "begin", _begin_immediate)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __call__(self) -> AsyncSession:
        """A database is its own session factory: ``async with db() as session``."""
        return self.session()

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def checkpoint(self) -> None:
        """Copy SQLite's write-ahead log into the database on a connection of its own.

        A PASSIVE checkpoint waits for nobody, so the bot's writes go on meanwhile; left to
        the automatic checkpoint, the copy would happen inside some commit of the bot's.
        """
        if self.sqlite_path is not None:
            await asyncio.to_thread(_passive_checkpoint, self.sqlite_path)


def _passive_checkpoint(path: Path) -> None:
    connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A safety net only: Maintenance checkpoints the log off the bot's connection.
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
    cursor.close()
    # Transactions are begun by _begin_immediate, not by the driver.
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    """Take SQLite's write lock up front, so another process never fails us mid-transaction."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
