"""``python -m bot run [--config PATH] [--log-level LEVEL]``: check the database and the
sounds folder, migrate, then run the bot until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import sys

from bot.config_values import LOG_LEVELS

EXIT_BAD_CONFIG = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=None, help="path (default: config.toml)")
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help="over [logging] level (debug, info, warning, error, critical)",
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from bot.cli.first_start import NO_TOKEN
    from bot.config import load_config
    from bot.errors import ConfigError, StartupFailure
    from bot.logs import setup_logging

    try:
        config = load_config(args.config).with_token_from_env()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_CONFIG
    if not config.discord.token:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_BAD_CONFIG
    setup_logging(config.logging, args.log_level)
    from bot.cli.service import serve

    try:
        asyncio.run(serve(config))
    except StartupFailure as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:  # Ctrl-C before the bot was built (checks, migrations)
        print("interrupted before the bot started", file=sys.stderr)
        return 130
    return 0
