"""Bad input gets one error type, a clear message and examples that work."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest

from bot.config import TimeConfig
from bot.errors import InvalidInput
from bot.timeparse import TimeParseError, parse_when, preview_when
from tests.timeparse.helpers import at, parse

NOW = ("UTC", "2026-11-26 14:40")

BAD = [
    ("buy milk", "could not read"),
    ("every morning", "as a repeat"),
    ("", "empty"),
    ("8", "ambiguous"),
    ("2 hours ago", "past"),
    ("9am yesterday", "past"),
    ("2025-01-01 10:00", "past"),
    ("today 9am", "already passed (Thu 26 Nov 2026 09:00 UTC)"),
    ("nov 26 at 9am", "already passed"),
    ("11/26 9am", "already passed"),
    ("today", "needs a time"),
    ("tonight", "needs a time"),
    ("feb 30", "February has no 30th"),
    ("13/13", "no month 13"),
    ("at 25:00", "not a time of day"),
    ("13pm", "from 1 to 12"),
    ("in 6 years", "more than 5 years"),
    ("2040-01-01 00:00", "more than 5 years"),
    ("every 90 seconds", "one minute"),
    ("every 2 weeks on mon and thu", "not every 2 weeks"),
    ("every 0 days", "from 1 to 1000"),
    ("* * * * * *", "five fields"),
    ("61 * * * *", "not a valid cron"),
    ("0 0 30 2 *", "never runs"),
    ("tomorrow at 9am for 5 times", "repeating schedule"),
    ("every day at 9 until yesterday", "before the first run"),
    ("every day at 9 until 2035-01-01 00:00", "more than 5 years"),
    ("<t:99999999999999>", "could not read"),
    ("x" * 300, "too long"),
]


@pytest.mark.parametrize(("phrase", "fragment"), BAD)
def test_bad_input_says_what_is_wrong(phrase: str, fragment: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse(phrase, *NOW)
    message = str(caught.value)
    assert fragment in message
    assert "Try for example" in message
    assert isinstance(caught.value, InvalidInput)


def _examples() -> list[str]:
    found: set[str] = set()
    for phrase, _ in BAD:
        try:
            parse(phrase, *NOW)
        except TimeParseError as exc:
            found.update(exc.examples)
    zones = ("Europe/", "America/", "Asia/", "UTC")
    # "every day for 5 times" style examples are complete; bare parts ("09:00") parse too.
    return sorted(example for example in found if not example.startswith(zones))


@pytest.mark.parametrize("example", _examples())
def test_examples_in_messages_parse(example: str) -> None:
    assert parse(example, *NOW).first_run


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"repeat": "fortnightly"}, "repeat must be one of"),
        ({"cron": "not a cron"}, "five fields"),
        ({"count": 0}, "at least 1"),
        ({"until": "blah"}, "end time"),
    ],
)
def test_bad_options(options: dict[str, object], fragment: str) -> None:
    with pytest.raises(TimeParseError, match=fragment):
        parse("every day at 9", *NOW, **options)


def test_conflicting_options() -> None:
    with pytest.raises(TimeParseError, match="already says how it repeats"):
        parse("every day at 9", *NOW, repeat="weekly")
    with pytest.raises(TimeParseError, match="not both"):
        parse("every day at 9", *NOW, cron="0 9 * * *")
    with pytest.raises(TimeParseError, match="twice"):
        parse("every day at 9 for 3 times", *NOW, count=4)


def test_unknown_zone() -> None:
    with pytest.raises(TimeParseError, match="not a time zone"):
        parse_when("in 2 hours", now=at("UTC", "2026-11-26 14:40"), timezone="Mars/Olympus")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("in 2 hours", now=datetime(2026, 11, 26), timezone="UTC")


def test_horizon_comes_from_config() -> None:
    config = TimeConfig(horizon_years=1)
    with pytest.raises(TimeParseError, match="more than 1 years"):
        parse("in 13 months", *NOW, config=config)
    assert parse("in 11 months", *NOW, config=config).first_run


def test_preview_never_raises() -> None:
    now = at("UTC", "2026-11-26 14:40")
    assert preview_when("every weekday at 9am", now=now, timezone="UTC") == (
        "every weekday at 09:00 (UTC)"
    )
    assert "could not read" in preview_when("buy milk", now=now, timezone="UTC")
    assert len(preview_when("x" * 500, now=now, timezone="UTC")) <= 100


@pytest.mark.parametrize("now", ["0001-01-01 00:00", "9999-12-31 23:59"])
@pytest.mark.parametrize(
    "phrase",
    ["in 2 hours", "in 8000 years", "every day at 9", "dec 31 9pm", "0 9 * * *", "friday"],
)
def test_the_ends_of_the_calendar_raise_only_our_error(now: str, phrase: str) -> None:
    with contextlib.suppress(TimeParseError):
        parse(phrase, "Pacific/Kiritimati", now)


@pytest.mark.parametrize("phrase", ["in 8000 years", "<t:253402300799>", "in 99999 months"])
def test_out_of_range(phrase: str) -> None:
    with pytest.raises(TimeParseError, match=r"out of range|too far|more than 5 years"):
        parse(phrase, "Pacific/Kiritimati", "2026-11-26 14:40")
