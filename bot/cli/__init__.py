"""The ``python -m bot`` command line: each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# subcommand -> module under bot.cli exposing add_arguments(parser) and run(args) -> int
SUBCOMMANDS = {
    "run": ("run", "run the bot (the default)"),
    "when": ("when", "show what the bot would schedule for a time phrase, as JSON"),
    "demo": ("demo", "play a scheduled sound through the local emulator"),
    "db": ("db", "database maintenance (upgrade)"),
    "check-config": ("check_config", "validate the configuration file"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Carillon")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(f"bot.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bot.cli.{module_name}":
                raise
            continue  # a subcommand not written yet must not break the others
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "run")
    args = build_parser().parse_args(args_list)
    module = importlib.import_module(f"bot.cli.{SUBCOMMANDS[args.command][0]}")
    return int(module.run(args))
