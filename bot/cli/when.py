"""``python -m bot when PHRASE``: what the bot would schedule, as JSON on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.config import load_config
from bot.errors import CarillonError
from bot.scheduling.recurrence import localize
from bot.timeparse import REPEAT_CHOICES, TimeParseError, parse_when
from bot.timeparse.context import load_zone
from bot.timeparse.document import DEFAULT_SHOW, schedule_json

MAX_SHOW = 1000


class _UsageError(Exception):
    """Bad command-line usage, reported as JSON like any other bad input."""


def _json_error(message: str) -> NoReturn:
    print(json.dumps({"error": message}, ensure_ascii=False))
    raise SystemExit(2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.error = _json_error  # type: ignore[method-assign]
    parser.add_argument("phrase", nargs="*", help='the time, e.g. "every weekday at 9am"')
    parser.add_argument("--tz", help="IANA time zone (default: the config's time.default_timezone)")
    parser.add_argument("--now", help="reference time, ISO 8601 (naive = wall clock in --tz)")
    parser.add_argument("--repeat", help=f"one of {', '.join(REPEAT_CHOICES)}")
    parser.add_argument("--cron", help='five-field cron expression, e.g. "0 9 * * 1-5"')
    parser.add_argument("--count", help="total number of runs")
    parser.add_argument("--until", help="last time a run may start (same grammar as PHRASE)")
    parser.add_argument("--show", default=str(DEFAULT_SHOW), help="how many runs to list")
    parser.add_argument("--config", help="path to config.toml")


def run(args: argparse.Namespace) -> int:
    try:
        document = _schedule_document(args)
    except (CarillonError, _UsageError) as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 2
    print(json.dumps(document, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``when`` on its own; JSON errors for bad usage too."""
    parser = argparse.ArgumentParser(prog="python -m bot when")
    add_arguments(parser)
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    return run(args)


def _schedule_document(args: argparse.Namespace) -> dict[str, Any]:
    config = load_config(args.config)
    timezone = args.tz or config.time.default_timezone
    zone = load_zone(timezone)
    now = _parse_now(args.now, zone) if args.now else SystemClock().now()
    show = _whole_number("--show", args.show, minimum=0, maximum=MAX_SHOW)
    count = _whole_number("--count", args.count, minimum=1) if args.count else None
    schedule = parse_when(
        " ".join(args.phrase),
        now=now,
        timezone=timezone,
        config=config.time,
        repeat=args.repeat,
        cron=args.cron,
        count=count,
        until=args.until,
    )
    return schedule_json(schedule, show)


def _parse_now(text: str, zone: ZoneInfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise TimeParseError(
            f"--now {text!r} is not an ISO 8601 date-time.",
            ("2026-12-31T23:30", "2026-12-31T23:30:00Z"),
        ) from None
    if parsed.tzinfo is None:
        return localize(parsed, zone)
    return parsed.astimezone(UTC)


def _whole_number(option: str, text: str, *, minimum: int, maximum: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _UsageError(f"{option} must be a whole number, not {text!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise _UsageError(f"{option} must be at least {minimum}{upper}")
    return value
