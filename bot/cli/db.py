"""``python -m bot db upgrade|current|backup``: the database's schema and its backups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = sub.add_parser("upgrade", help="apply every Alembic migration (to head)")
    upgrade.add_argument("--config", default=None)
    upgrade.add_argument("--revision", default="head")
    current = sub.add_parser("current", help="the schema revision the database is at")
    current.add_argument("--config", default=None)
    backup = sub.add_parser(
        "backup", help="copy the SQLite database (while the bot runs) and the sounds to PATH"
    )
    backup.add_argument("path", metavar="PATH", help="a new folder for the backup")
    backup.add_argument("--config", default=None)


def run(args: argparse.Namespace) -> int:
    from bot.config import load_config
    from bot.errors import ConfigError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    action = {"upgrade": _upgrade, "current": _current, "backup": _backup}[args.db_command]
    return action(args, config)


def _upgrade(args: argparse.Namespace, config: Config) -> int:
    from bot.db.migrate import upgrade_sync
    from bot.db.preflight import shown_url

    url = config.database.url
    try:
        upgrade_sync(url, args.revision)
    except Exception as exc:
        print(f"database upgrade failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"database at {args.revision}: {shown_url(url)}")
    return 0


def _current(args: argparse.Namespace, config: Config) -> int:
    import asyncio

    from sqlalchemy.engine import make_url

    from bot.db.preflight import schema_state, shown_url
    from bot.errors import StartupFailure

    url = config.database.url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        print(f"{shown_url(url)}: no database there yet (the first start creates it)")
        return 0
    try:
        state = asyncio.run(schema_state(url))
    except StartupFailure as exc:
        print(str(exc), file=sys.stderr)
        return 1
    where = shown_url(url)
    if state.current is None:
        print(f"{where}: empty (no schema yet; the code's newest is {state.head})")
    elif state.pending:
        print(
            f"{where}: at {state.current}; the code's newest is {state.head} "
            "(python -m bot db upgrade, or the next start, migrates it)"
        )
    else:
        print(f"{where}: at {state.current} (up to date)")
    return 0


def _backup(args: argparse.Namespace, config: Config) -> int:
    import os
    import shutil
    import subprocess

    from sqlalchemy.engine import make_url

    from bot.db.backup import backup_sqlite, copy_sounds

    target = Path(args.path)
    if target.exists() and any(target.iterdir()):
        print(f"backup: {target} exists and is not empty; name a new folder", file=sys.stderr)
        return 2
    url = make_url(config.database.url)
    sounds = Path(config.sounds.directory)
    target.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.is_file():
            print(f"backup: there is no database at {source} yet", file=sys.stderr)
            return 1
        backup_sqlite(source, target / source.name)
        database_note = f"database -> {target / source.name}"
    else:
        dump = target / "carillon.dump"
        libpq = url.set(drivername="postgresql")
        command = ["pg_dump", "--format=custom", f"--file={dump}", "--no-password"]
        hidden = libpq.render_as_string(hide_password=True)
        if shutil.which("pg_dump") is None:
            print(
                "backup: PostgreSQL is backed up with its own tool, and pg_dump is not "
                f"installed here. Run: pg_dump --format=custom --file={dump} '{hidden}' "
                "(PGPASSWORD or ~/.pgpass for the password); restore with pg_restore.",
                file=sys.stderr,
            )
            return 1
        env = None
        if libpq.password:
            env = {**os.environ, "PGPASSWORD": str(libpq.password)}
        done = subprocess.run(
            [*command, libpq.set(password=None).render_as_string(hide_password=False)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"backup: pg_dump failed: {done.stderr.strip()}", file=sys.stderr)
            return 1
        database_note = f"database (pg_dump) -> {dump}"
    files = copy_sounds(sounds, target / "sounds")
    print(f"backup in {target}: {database_note}; {files} sound files -> {target / 'sounds'}")
    return 0
