"""``python -m bot check-config [--config PATH]``: validate the configuration and say so."""

from __future__ import annotations

import argparse
import sys

from bot.config import DEFAULT_CONFIG_PATH, load_config
from bot.errors import ConfigError

EXIT_BAD_CONFIG = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=None, help=f"path (default: {DEFAULT_CONFIG_PATH})")


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config).with_token_from_env()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_CONFIG
    source = args.config or (DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None)
    where = f"{source}" if source else "defaults (no config.toml)"
    token = "set" if config.discord.token else "missing (set [discord] token or CARILLON_TOKEN)"
    print(f"config OK: {where}; database {config.database.url}; token {token}")
    return 0
