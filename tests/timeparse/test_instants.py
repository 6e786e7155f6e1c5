"""One-off times, with a frozen now in several zones, at the year's and a month's end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import TimeConfig
from tests.timeparse.helpers import at, parse, wall

TOKYO_NYE = ("Asia/Tokyo", "2026-12-31 23:30")  # a Thursday
LA_HALLOWEEN = ("America/Los_Angeles", "2026-10-31 23:30")  # a Saturday; DST ends Nov 1
UTC_THURSDAY = ("UTC", "2026-11-26 14:40")
KOLKATA = ("Asia/Kolkata", "2026-06-15 08:00")  # a Monday, +05:30

CASES = [
    # relative durations
    (*UTC_THURSDAY, "in 30 seconds", "2026-11-26 14:40"),
    (*UTC_THURSDAY, "in 90 minutes", "2026-11-26 16:10"),
    (*UTC_THURSDAY, "in 2h30m", "2026-11-26 17:10"),
    (*UTC_THURSDAY, "in half an hour", "2026-11-26 15:10"),
    (*UTC_THURSDAY, "in an hour and a half", "2026-11-26 16:10"),
    (*UTC_THURSDAY, "in 2 days", "2026-11-28 14:40"),
    (*UTC_THURSDAY, "in a week", "2026-12-03 14:40"),
    (*UTC_THURSDAY, "90 minutes from now", "2026-11-26 16:10"),
    (*TOKYO_NYE, "in 2 hours", "2027-01-01 01:30"),
    (*TOKYO_NYE, "in 1 month", "2027-01-31 23:30"),
    # times of day: the next such wall-clock time
    (*UTC_THURSDAY, "at 7pm", "2026-11-26 19:00"),
    (*UTC_THURSDAY, "9am", "2026-11-27 09:00"),
    (*UTC_THURSDAY, "21:15", "2026-11-26 21:15"),
    (*UTC_THURSDAY, "noon", "2026-11-27 12:00"),
    (*UTC_THURSDAY, "midnight", "2026-11-27 00:00"),
    (*UTC_THURSDAY, "at 8", "2026-11-27 08:00"),
    (*TOKYO_NYE, "at 9am", "2027-01-01 09:00"),
    (*TOKYO_NYE, "23:45", "2026-12-31 23:45"),
    (*TOKYO_NYE, "midnight", "2027-01-01 00:00"),
    (*LA_HALLOWEEN, "8:00", "2026-11-01 08:00"),
    (*LA_HALLOWEEN, "at 7pm", "2026-11-01 19:00"),
    (*KOLKATA, "at 7:45 pm", "2026-06-15 19:45"),
    # day words
    (*UTC_THURSDAY, "today 18:00", "2026-11-26 18:00"),
    (*UTC_THURSDAY, "tomorrow at 9am", "2026-11-27 09:00"),
    (*UTC_THURSDAY, "9am tomorrow", "2026-11-27 09:00"),
    (*UTC_THURSDAY, "tonight at 8", "2026-11-26 20:00"),
    (*UTC_THURSDAY, "monday 8am", "2026-11-30 08:00"),
    (*UTC_THURSDAY, "next friday 18:30", "2026-11-27 18:30"),
    (*UTC_THURSDAY, "thursday at 10am", "2026-12-03 10:00"),
    (*UTC_THURSDAY, "thursday at 10pm", "2026-11-26 22:00"),
    (*UTC_THURSDAY, "next thursday at 10pm", "2026-12-03 22:00"),
    (*UTC_THURSDAY, "the day after tomorrow at 5pm", "2026-11-28 17:00"),
    (*UTC_THURSDAY, "in 2 days at 9am", "2026-11-28 09:00"),
    (*TOKYO_NYE, "tomorrow at 9am", "2027-01-01 09:00"),
    (*TOKYO_NYE, "monday 8am", "2027-01-04 08:00"),
    (*TOKYO_NYE, "next friday 18:30", "2027-01-01 18:30"),
    (*LA_HALLOWEEN, "tomorrow at noon", "2026-11-01 12:00"),
    # dates
    (*UTC_THURSDAY, "2026-12-24 20:00", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "dec 24 8pm", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "24 december at 20:00", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "december 24th, 2027 at 8pm", "2027-12-24 20:00"),
    (*UTC_THURSDAY, "12/24 8pm", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "24.12. 20:00", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "dec 24", "2026-12-24 00:00"),
    (*TOKYO_NYE, "dec 24 8pm", "2027-12-24 20:00"),
    (*TOKYO_NYE, "12/24 8pm", "2027-12-24 20:00"),
    (*TOKYO_NYE, "jan 1 at 10:00", "2027-01-01 10:00"),
    (*LA_HALLOWEEN, "oct 31 at 23:45", "2026-10-31 23:45"),
    (*LA_HALLOWEEN, "nov 1 at 9am", "2026-11-01 09:00"),
    (*UTC_THURSDAY, "feb 29 at 9am", "2028-02-29 09:00"),
    # instants given exactly
    (*UTC_THURSDAY, "<t:1798142400>", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "<t:1798142400:R>", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "2026-12-24T20:00:00+01:00", "2026-12-24 19:00"),
    (*UTC_THURSDAY, "2026-12-24T20:00Z", "2026-12-24 20:00"),
    (*KOLKATA, "2026-12-24 20:00", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "now", "2026-11-26 14:40"),
    # beyond the list
    (*UTC_THURSDAY, "tomorrow 9", "2026-11-27 09:00"),
    (*UTC_THURSDAY, "at 1830", "2026-11-26 18:30"),
    (*UTC_THURSDAY, "8.30pm", "2026-11-26 20:30"),
    (*UTC_THURSDAY, "20h30", "2026-11-26 20:30"),
    (*UTC_THURSDAY, "midnight tonight", "2026-11-27 00:00"),
    (*UTC_THURSDAY, "tonight at 12", "2026-11-27 00:00"),
    (*UTC_THURSDAY, "the 24th at 8pm", "2026-12-24 20:00"),
    (*UTC_THURSDAY, "in 1.5 hours", "2026-11-26 16:10"),
]


@pytest.mark.parametrize(("zone", "now", "phrase", "expected"), CASES)
def test_instant(zone: str, now: str, phrase: str, expected: str) -> None:
    schedule = parse(phrase, zone, now)
    assert wall(schedule) == expected
    assert schedule.recurrence is None
    assert schedule.first_run >= at(zone, now)
    assert schedule.first_run.utcoffset() == timedelta(0)
    assert schedule.description.startswith("once, on ")
    assert schedule.description.endswith(f"({zone})")


def test_relative_is_exact_to_the_second() -> None:
    schedule = parse("in 30 seconds", "UTC", "2026-11-26 14:40:00")
    assert schedule.first_run == at("UTC", "2026-11-26 14:40:30")


def test_day_first_order_from_config() -> None:
    config = TimeConfig(date_order="DMY")
    assert wall(parse("24/12 8pm", "Europe/Paris", "2026-11-26 10:00", config)) == (
        "2026-12-24 20:00"
    )
    assert wall(parse("11/12 8pm", "Europe/Paris", "2026-11-26 10:00", config)) == (
        "2026-12-11 20:00"
    )
    assert wall(parse("11/12 8pm", "Europe/Paris", "2026-11-26 10:00")) == "2027-11-12 20:00"


def test_discord_timestamp_is_the_instant_in_any_zone() -> None:
    tokyo = parse("<t:1798142400>", "Asia/Tokyo", "2026-11-26 10:00")
    paris = parse("<t:1798142400:F>", "Europe/Paris", "2026-11-26 10:00")
    assert tokyo.first_run == paris.first_run == at("UTC", "2026-12-24 20:00")
