"""dateparser only as the fallback, with each of its known faults kept from members."""

from __future__ import annotations

import time

import pytest

from bot.config import TimeConfig
from bot.timeparse import TimeParseError
from bot.timeparse.context import make_context
from bot.timeparse.fallback import Fallback, get_fallback
from tests.timeparse.helpers import at, parse, wall, z

LANGUAGES = ("en", "de", "fr")
CONFIG = TimeConfig(languages=LANGUAGES)


def _fallback_at(zone: str, now: str, text: str) -> str:
    ctx = make_context(at(zone, now), zone, CONFIG)
    result = get_fallback(LANGUAGES, "MDY").parse(text, ctx)
    assert result is not None
    return result.isoformat().replace("+00:00", "Z")


def test_time_only_at_a_months_end_is_the_next_such_time() -> None:
    # dateparser alone gives Oct 1 (the past) for "8:00" on Oct 31 at 23:30.
    assert _fallback_at("America/Los_Angeles", "2026-10-31 23:30", "8:00") == (
        "2026-11-01T16:00:00Z"
    )
    assert _fallback_at("Europe/Paris", "2026-12-31 23:30", "um 20:00") == "2027-01-01T19:00:00Z"


def test_relative_phrase_across_dst_is_elapsed_time() -> None:
    # 00:30 EDT on the night clocks fall back: three real hours later is 02:30 EST.
    assert _fallback_at("America/New_York", "2026-11-01 00:30", "dans 3 heures") == (
        "2026-11-01T07:30:00Z"
    )
    assert _fallback_at("Europe/Paris", "2026-03-29 01:30", "in 3 Stunden") == (
        "2026-03-29T03:30:00Z"
    )


def test_relative_days_keep_the_wall_clock() -> None:
    assert _fallback_at("Europe/Paris", "2026-03-28 12:00", "in 2 Tagen") == (
        "2026-03-30T10:00:00Z"
    )


def test_relative_base_is_the_members_wall_clock_not_utc() -> None:
    assert _fallback_at("Asia/Kolkata", "2026-06-15 08:00", "dans 2 minutes") == (
        "2026-06-15T02:32:00Z"
    )
    assert _fallback_at("Asia/Kolkata", "2026-06-15 08:00", "demain à 8h") == (
        "2026-06-16T02:30:00Z"
    )


@pytest.mark.parametrize("text", ["at 8", "um 8", "8"])
def test_a_lone_number_is_not_read_as_a_month(text: str) -> None:
    ctx = make_context(at("UTC", "2026-11-26 10:00"), "UTC", CONFIG)
    with pytest.raises(TimeParseError, match="ambiguous"):
        get_fallback(LANGUAGES, "MDY").parse(text, ctx)


def test_at_8_through_the_grammar_is_8_oclock() -> None:
    assert wall(parse("at 8", "UTC", "2026-11-26 10:00")) == "2026-11-27 08:00"


def test_a_number_dateparser_ignored_is_refused() -> None:
    # dateparser alone reads this as tomorrow at this time; the German table reads it right.
    ctx = make_context(at("Europe/Berlin", "2026-11-26 10:00"), "Europe/Berlin", CONFIG)
    with pytest.raises(TimeParseError, match='"9"'):
        get_fallback(LANGUAGES, "MDY").parse("morgen um 9 uhr", ctx)
    assert wall(parse("morgen um 9 uhr", "Europe/Berlin", "2026-11-26 10:00", CONFIG)) == (
        "2026-11-27 09:00"
    )


def test_explicit_offset_in_text_is_kept() -> None:
    assert parse("8pm EST", "Europe/Paris", "2026-11-26 10:00").first_run == z(
        "2026-11-27T01:00:00Z"
    )


def test_other_languages_through_parse_when() -> None:
    assert wall(parse("vendredi 18h30", "Europe/Paris", "2026-11-26 10:00", CONFIG)) == (
        "2026-11-27 18:30"
    )


def test_junk_never_reaches_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    fallback = Fallback(("en",), "MDY")

    def fail(*_: object) -> None:
        raise AssertionError("dateparser was called")

    monkeypatch.setattr(fallback, "_call", fail)
    ctx = make_context(at("UTC", "2026-11-26 10:00"), "UTC")
    started = time.perf_counter()
    assert fallback.parse("buy milk", ctx) is None
    assert time.perf_counter() - started < 0.005


def test_junk_is_fast_and_a_clear_error() -> None:
    parse("in 2 hours", "UTC", "2026-11-26 10:00")
    started = time.perf_counter()
    with pytest.raises(TimeParseError, match="could not read"):
        parse("buy milk", "UTC", "2026-11-26 10:00")
    assert time.perf_counter() - started < 0.05


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        Fallback(("xx-nope",), "MDY")
