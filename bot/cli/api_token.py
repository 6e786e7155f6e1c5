"""``python -m bot api-token --user ID [--days N]``: a token for scripts, revocable."""

from __future__ import annotations

import argparse
import asyncio
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", type=int, help="the Discord user id the token speaks for")
    parser.add_argument("--days", type=float, default=30.0, help="lifetime (default 30)")
    parser.add_argument("--revoke", metavar="TOKEN_ID", help="revoke a token by its id instead")
    parser.add_argument("--config", help="path to config.toml")


def run(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.config import load_config
    from bot.db import Database
    from bot.errors import CarillonError, ConfigError
    from bot.services.api_tokens import ApiTokenService

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.revoke is None and args.user is None:
        print("api-token: give --user ID (or --revoke TOKEN_ID)", file=sys.stderr)
        return 2

    async def go() -> int:
        db = Database(config.database.url)
        tokens = ApiTokenService(db, config.web, SystemClock())
        try:
            if args.revoke is not None:
                revoked = await tokens.revoke(args.revoke)
                print(f"revoked {args.revoke}" if revoked else f"no live token {args.revoke}")
                return 0 if revoked else 1
            minted = await tokens.mint(args.user, days=args.days)
        except CarillonError as exc:
            print(f"api-token: {exc}", file=sys.stderr)
            return 2
        finally:
            await db.dispose()
        print(minted.token)
        print(f"token id {minted.token_id} (revoke: python -m bot api-token --revoke ID)")
        return 0

    return asyncio.run(go())
