"""A number wrapped in symbols is not a time, and only 0-9 are digits."""

from __future__ import annotations

import pytest

from bot.config import TimeConfig
from bot.timeparse import TimeParseError
from tests.timeparse.helpers import parse, wall

NOW = ("UTC", "2026-11-26 10:00")
LANGUAGES = TimeConfig(languages=("en", "de", "fr"))

WRAPPED = ["#3", "(3)", "+5", "-3", "{3}", "3.", '"3"', "[12]", "~5", "<3>", "$3", "3%", "3:"]
WRAPPED += ["-3-", "#3#", "..3..", "3,", "(0)", "at #3", "at#3", "on (12)", "at [5]", "dec #3"]


@pytest.mark.parametrize("config", [None, LANGUAGES], ids=["en", "en-de-fr"])
@pytest.mark.parametrize("phrase", WRAPPED)
def test_a_number_wrapped_in_symbols_is_ambiguous(phrase: str, config: TimeConfig | None) -> None:
    with pytest.raises(TimeParseError, match="ambiguous") as caught:
        parse(phrase, *NOW, config)
    for example in caught.value.examples:
        assert parse(example, *NOW).first_run


@pytest.mark.parametrize("phrase", ["2026", "#45", "(123456)", "+99"])
def test_a_number_that_is_no_hour_or_day_is_refused(phrase: str) -> None:
    with pytest.raises(TimeParseError, match="only a number") as caught:
        parse(phrase, *NOW)
    assert "Try for example" in str(caught.value)


@pytest.mark.parametrize("phrase", ["{{7*7}}", "7*7", "1 2", "3 + 4", "20:00 +01:00"])
def test_numbers_joined_by_symbols_are_not_a_date(phrase: str) -> None:
    with pytest.raises(TimeParseError, match="could not read"):
        parse(phrase, *NOW)


@pytest.mark.parametrize(
    "phrase", ["³", "²:30", "at ²", "in ³ hours", "in ٣ hours", "٣", "tomorrow at ٩am", "①"]
)
def test_digits_other_than_ascii_are_refused(phrase: str) -> None:
    with pytest.raises(TimeParseError, match="0-9") as caught:
        parse(phrase, *NOW, LANGUAGES)
    assert caught.value.examples


def test_digits_other_than_ascii_are_refused_in_until_and_cron() -> None:
    with pytest.raises(TimeParseError, match="0-9"):
        parse("every day at 9am", *NOW, until="dec ³")
    with pytest.raises(TimeParseError, match="0-9"):
        parse("", *NOW, cron="٣ * * * *")


def test_a_wrapped_number_as_the_end_is_refused() -> None:
    with pytest.raises(TimeParseError, match="ambiguous"):
        parse("every day at 9am until #3", *NOW)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("8:00", "2026-11-27 08:00"),
        ("20:00:00", "2026-11-26 20:00"),
        ("8.30", "2026-11-27 08:30"),
        ("24.12.", "2026-12-24 00:00"),
        ("12-24", "2026-12-24 00:00"),
        ("2026/12/24", "2026-12-24 00:00"),
        ("24.12.2026 20:00", "2026-12-24 20:00"),
        ("24.12.2026, 20:00", "2026-12-24 20:00"),
        ("12/24 20:00", "2026-12-24 20:00"),
        ("@3", "2026-11-27 03:00"),
        ("0 * * * *", "2026-11-26 11:00"),
    ],
)
def test_dates_and_clock_times_in_digits_still_parse(phrase: str, expected: str) -> None:
    assert wall(parse(phrase, *NOW)) == expected
