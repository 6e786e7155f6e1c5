"""``python -m bot db upgrade [--config PATH]``: bring the database schema up to date."""

from __future__ import annotations

import argparse
import sys

from bot.config import load_config
from bot.db.migrate import upgrade_sync
from bot.errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = sub.add_parser("upgrade", help="apply every Alembic migration (to head)")
    upgrade.add_argument("--config", default=None)
    upgrade.add_argument("--revision", default="head")


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        upgrade_sync(config.database.url, args.revision)
    except Exception as exc:
        print(f"database upgrade failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"database at {args.revision}: {config.database.url}")
    return 0
