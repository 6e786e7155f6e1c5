"""Arbitrary text and arbitrary cron strings raise nothing but the module's own error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.timeparse import TimeParseError, parse_when
from bot.timeparse.cron import looks_like_cron
from bot.timeparse.lexicon import normalize

ZONES = st.sampled_from(["UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata"])
NOWS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
_VOCABULARY = (
    "every each at in on the next tomorrow today tonight noon midnight 9am 7:30pm 21:15 "
    "monday fri weekday weekend month year week day hour minutes last first 31st 1st dec 24 "
    "12/24 for times until 5 2 15 and , x h m 0 * */5 1-5 L5 5#1 <t:1798142400> ago half"
)
WORDS = st.sampled_from(_VOCABULARY.split(" "))
PHRASES = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
CRON_FIELD = st.text(alphabet="0123456789*/,-#LWlw?HRmonfrisatuejbcdv ", min_size=1, max_size=8)
CRONS = st.lists(CRON_FIELD, min_size=1, max_size=7).map(" ".join)
# A number in any script's digits, wrapped in anything but letters and numbers.
DIGITS = st.one_of(
    st.sampled_from("0123456789"),
    st.characters(categories=("Nd", "No")).filter(str.isdigit),
)
NUMBERS = st.lists(DIGITS, min_size=1, max_size=6).map("".join)
SYMBOLS = st.text(st.characters(exclude_categories=("L", "N")), max_size=4)
WRAPPED = st.tuples(SYMBOLS, NUMBERS, SYMBOLS).map("".join)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str, now: datetime, zone: str, **options: object) -> None:
    try:
        schedule = parse_when(text, now=now, timezone=zone, **options)  # type: ignore[arg-type]
    except TimeParseError:
        return
    assert schedule.first_run >= now
    assert schedule.first_run <= now + timedelta(days=366 * 5 + 2)
    assert schedule.first_run.utcoffset() == timedelta(0)
    assert schedule.description
    runs = schedule.runs(3)
    assert runs[0] == schedule.first_run


@FUZZ
@given(text=st.text(max_size=60), now=NOWS, zone=ZONES)
def test_arbitrary_text(text: str, now: datetime, zone: str) -> None:
    _check(text, now, zone)


@FUZZ
@given(text=PHRASES, now=NOWS, zone=ZONES)
def test_arbitrary_phrases_of_known_words(text: str, now: datetime, zone: str) -> None:
    _check(text, now, zone)


@FUZZ
@given(expression=CRONS, now=NOWS, zone=ZONES)
def test_arbitrary_cron_as_text(expression: str, now: datetime, zone: str) -> None:
    _check(expression, now, zone)


@FUZZ
@given(expression=CRONS, now=NOWS, zone=ZONES)
def test_arbitrary_cron_option(expression: str, now: datetime, zone: str) -> None:
    _check("", now, zone, cron=expression)


def _only_one_number(text: str) -> bool:
    """No letters (once "@" reads as "at") and one run of digits, and not a cron expression."""
    phrase = normalize(text)
    if any(char.isalpha() for char in phrase) or looks_like_cron(phrase):
        return False
    return len("".join("9" if char.isdigit() else " " for char in text).split()) == 1


@FUZZ
@given(text=st.one_of(WRAPPED, st.text(max_size=40)), now=NOWS, zone=ZONES)
def test_a_number_with_no_letters_is_never_read_as_a_time(
    text: str, now: datetime, zone: str
) -> None:
    assume(_only_one_number(text))
    with pytest.raises(TimeParseError):
        parse_when(text, now=now, timezone=zone)
