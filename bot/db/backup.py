"""Backups while the bot runs: SQLite's online backup API, and the sounds folder."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bot.db.engine import SQLITE_BUSY_TIMEOUT_MS


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` even while another process writes to it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000) as origin:
        destination = sqlite3.connect(target)
        try:
            origin.backup(destination)
        finally:
            destination.close()
    origin.close()


def copy_sounds(directory: Path, target: Path) -> int:
    """Copy the sounds folder (if any) to ``target``; returns how many files."""
    if not directory.is_dir():
        return 0
    shutil.copytree(directory, target, dirs_exist_ok=True)
    return sum(1 for path in target.rglob("*") if path.is_file())
