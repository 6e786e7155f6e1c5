"""The ``python -m bot`` command line: each subcommand lives in its own module.

Only the chosen subcommand's module is imported, so ``when`` starts without discord.py,
SQLAlchemy or Alembic; each module imports what its ``run`` needs inside it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

# subcommand -> module under bot.cli exposing add_arguments(parser) and run(args) -> int
SUBCOMMANDS = {
    "run": ("run", "run the bot (the default)"),
    "when": ("when", "show what the bot would schedule for a time phrase, as JSON"),
    "demo": ("demo", "play a scheduled sound through the local emulator"),
    "db": ("db", "database maintenance: upgrade, current, backup"),
    "check-config": ("check_config", "validate the configuration file"),
    "sync": ("sync", "sync the slash commands with Discord (globally or to one server)"),
    "invite": ("invite", "print the invite link and the gateway intents to switch on"),
    "api-token": ("api_token", "mint (or revoke) a token for scripts to call the HTTP API"),
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"bot.cli.{SUBCOMMANDS[name][0]}")


def build_parser(only: str | None = None) -> tuple[argparse.ArgumentParser, dict[str, Any]]:
    """The parser; with ``only``, the other subcommands are listed but their modules not loaded."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Carillon")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parsers: dict[str, argparse.ArgumentParser] = {}
    for name, (_, help_text) in SUBCOMMANDS.items():
        parsers[name] = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            _module(name).add_arguments(parsers[name])
    return parser, parsers


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        from bot.cli.first_start import start_without_arguments

        return start_without_arguments()
    if args_list[0].startswith("-") and args_list[0] not in ("-h", "--help"):
        args_list.insert(0, "run")
    chosen = args_list[0] if args_list[0] in SUBCOMMANDS else None
    parser, parsers = build_parser(chosen)
    args, extra = parser.parse_known_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    if extra:
        # The subcommand's own error: ``when`` answers bad usage in JSON.
        parsers[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return int(_module(args.command).run(args))
