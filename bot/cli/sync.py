"""``python -m bot sync [--guild ID] [--clear] [--config PATH]``: send the slash commands to
Discord, globally or to one server (instant there, for testing), or remove them."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--guild", type=int, default=None, help="sync to this server id only")
    parser.add_argument(
        "--clear", action="store_true", help="remove the commands (globally, or from --guild)"
    )
    parser.add_argument("--config", default=None, help="path (default: config.toml)")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses

    from bot.cli.first_start import NO_TOKEN
    from bot.config import load_config
    from bot.errors import ConfigError, StartupFailure

    try:
        config = load_config(args.config).with_token_from_env()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if not config.discord.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    # Loading the cogs must not sync on its own: this command decides where.
    discord_config = dataclasses.replace(config.discord, sync_on_start="off")
    config = dataclasses.replace(config, discord=discord_config)
    try:
        count = asyncio.run(_sync(config, args.guild, args.clear))
    except StartupFailure as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_status
    where = f"server {args.guild}" if args.guild else "every server (global)"
    if args.clear:
        print(f"removed the commands from {where}; {count} left there")
    else:
        note = "" if args.guild else "; Discord may take a while to show global changes"
        print(f"synced {count} commands to {where}{note}")
    return 0


async def _sync(config: Config, guild_id: int | None, clear: bool) -> int:
    from bot.cli.failures import explain
    from bot.command_sync import sync
    from bot.container import build_bot
    from bot.db.preflight import prepare_database
    from bot.errors import StartupFailure

    await prepare_database(config.database.url)
    bot = build_bot(config)
    try:
        async with bot:
            await bot.login(config.discord.token or "")
            assert bot.application_id is not None
            return await sync(
                bot.tree,
                bot.services.db,
                bot.application_id,
                bot.services.clock.now(),
                guild_id=guild_id,
                clear=clear,
            )
    except StartupFailure:
        raise
    except Exception as exc:
        failure = explain(exc, config, bot.intents)
        if failure is None:
            raise
        raise failure from None
