"""``python -m bot run [--config PATH]``: upgrade the database, then run the bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import discord

from bot.config import Config, load_config
from bot.container import build_bot
from bot.db.migrate import upgrade
from bot.errors import ConfigError

log = logging.getLogger("bot")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=None, help="path (default: config.toml)")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = load_config(args.config).with_token_from_env()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if not config.discord.token:
        missing = ConfigError(
            "discord.token",
            "missing. Put the bot token in config.toml under [discord] "
            "or in the CARILLON_TOKEN environment variable.",
        )
        print(str(missing), file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(config))
    except KeyboardInterrupt:
        pass
    except discord.LoginFailure:
        print(
            "Discord refused the token: check [discord] token or CARILLON_TOKEN.", file=sys.stderr
        )
        return 1
    except (OSError, discord.HTTPException) as exc:
        print(f"cannot reach Discord at {config.discord.api_base_url}: {exc}", file=sys.stderr)
        return 1
    return 0


async def serve(config: Config) -> None:
    await upgrade(config.database.url)
    bot = build_bot(config)
    assert config.discord.token is not None
    async with bot:
        await bot.start(config.discord.token)
