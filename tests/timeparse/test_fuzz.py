"""Arbitrary text and arbitrary cron strings raise nothing but the module's own error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.timeparse import TimeParseError, parse_when

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
