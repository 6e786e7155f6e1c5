"""``python -m bot`` on a machine with no token yet: say so, and show the demo instead."""

from __future__ import annotations

import sys

NO_TOKEN = (
    "No Discord bot token: put it in config.toml under [discord] token or in CARILLON_TOKEN "
    "(README, 'Running it for a real server'); 'python -m bot demo' shows the bot at work on "
    "the local emulator meanwhile."
)


def start_without_arguments() -> int:
    """Run the bot if a token is configured; otherwise one line, then the demo."""
    import argparse

    from bot.config import load_config
    from bot.errors import ConfigError

    try:
        config = load_config().with_token_from_env()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if config.discord.token:
        from bot.cli import run

        return run.run(argparse.Namespace(config=None, log_level=None))
    print(
        "No Discord bot token yet, so here is the demo (python -m bot demo); to run the bot "
        "for a real server, follow the README's 'Running it for a real server'.",
        file=sys.stderr,
        flush=True,
    )
    from bot.cli import demo

    return demo.run(argparse.Namespace(seconds=2.0, delay=3.0, verbose=False, web=False, port=8080))
