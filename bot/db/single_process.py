"""One process per SQLite database: a second ``python -m bot run`` on the same file refuses to
start. SQLite has no way for two bot processes to share the dispatch work (no advisory locks,
no LISTEN/NOTIFY); several processes need PostgreSQL (README, "Running several processes")."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from bot.errors import StartupFailure

try:
    import fcntl
except ImportError:  # not POSIX: nothing to hold
    fcntl = None  # type: ignore[assignment]


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (None: PostgreSQL, or SQLite in memory)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


class SingleProcessLock:
    """An exclusive lock on ``<database>.lock``, held while this object stays open; the kernel
    drops it when the process dies, even by kill -9."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> SingleProcessLock:
        if fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StartupFailure(
                f"Another Carillon process is already running on the SQLite database "
                f"{self.database}: with SQLite only one process may run. Stop "
                "the other one, give this one its own [database] url, or move to PostgreSQL "
                "to run several processes.",
                lasting=True,
            ) from None
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
