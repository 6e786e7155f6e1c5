"""``python -m bot check-config [--config PATH]``: validate the configuration and say so."""

from __future__ import annotations

import argparse
import sys

EXIT_BAD_CONFIG = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=None, help="path (default: config.toml)")


def run(args: argparse.Namespace) -> int:
    from bot.cli.first_start import NO_TOKEN
    from bot.config import DEFAULT_CONFIG_PATH, load_config
    from bot.db.preflight import shown_url
    from bot.errors import ConfigError

    try:
        config = load_config(args.config).with_token_from_env()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_CONFIG
    if not config.discord.token:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_BAD_CONFIG
    path = args.config or DEFAULT_CONFIG_PATH
    source = str(path) if args.config or DEFAULT_CONFIG_PATH.exists() else "defaults"
    print(f"config OK: {source}")
    print(f"database: {shown_url(config.database.url)}")
    print(f"sounds:   {config.sounds.directory}")
    return 0
