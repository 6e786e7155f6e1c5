"""The Saturday before each DST change in New York and Paris: gaps shift, repeats run once."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.models.scheduled_task import RecurrenceType
from tests.timeparse.helpers import parse, z

NY = "America/New_York"
PARIS = "Europe/Paris"
NY_SPRING = (NY, "2026-03-07 12:00")  # clocks go 02:00 -> 03:00 on Sunday Mar 8
NY_FALL = (NY, "2026-10-31 12:00")  # clocks go 02:00 -> 01:00 on Sunday Nov 1
PARIS_SPRING = (PARIS, "2026-03-28 12:00")  # 02:00 -> 03:00 on Sunday Mar 29
PARIS_FALL = (PARIS, "2026-10-24 12:00")  # 03:00 -> 02:00 on Sunday Oct 25

CASES = [
    # a wall time in the gap runs shifted forward by the gap: 02:30 -> 03:30 summer time
    (*NY_SPRING, "tomorrow at 2:30am", "2026-03-08T07:30:00Z"),
    (*PARIS_SPRING, "tomorrow at 2:30", "2026-03-29T01:30:00Z"),
    # a repeated wall time runs once, at the first (summer time) reading
    (*NY_FALL, "tomorrow at 1:30am", "2026-11-01T05:30:00Z"),
    (*PARIS_FALL, "tomorrow at 2:30", "2026-10-25T00:30:00Z"),
    # hours are elapsed time, days keep the wall clock
    (*NY_SPRING, "in 24 hours", "2026-03-08T17:00:00Z"),
    (*NY_SPRING, "in 1 day", "2026-03-08T16:00:00Z"),
    (*NY_SPRING, "tomorrow at noon", "2026-03-08T16:00:00Z"),
    (*NY_FALL, "in 24 hours", "2026-11-01T16:00:00Z"),
    (*NY_FALL, "in 1 day", "2026-11-01T17:00:00Z"),
    (*PARIS_SPRING, "in 24 hours", "2026-03-29T11:00:00Z"),
    (*PARIS_SPRING, "in 2 days", "2026-03-30T10:00:00Z"),
    (*PARIS_FALL, "in 1 day", "2026-10-25T11:00:00Z"),
    (*PARIS_FALL, "in 18 hours", "2026-10-25T04:00:00Z"),
    (*NY_SPRING, "monday 9am", "2026-03-09T13:00:00Z"),
    (*PARIS_FALL, "monday 9am", "2026-10-26T08:00:00Z"),
]


@pytest.mark.parametrize(("zone", "now", "phrase", "expected"), CASES)
def test_instant_across_dst(zone: str, now: str, phrase: str, expected: str) -> None:
    assert parse(phrase, zone, now).first_run == z(expected)


RECURRING = [
    # wall-clock recurrences keep the local time on both sides of the change
    (
        *NY_SPRING,
        "every day at 9am",
        ["2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"],
    ),
    (
        *NY_FALL,
        "every day at 9am",
        ["2026-11-01T14:00:00Z", "2026-11-02T14:00:00Z"],
    ),
    (
        *PARIS_SPRING,
        "every weekend at 10",
        ["2026-03-29T08:00:00Z", "2026-04-04T08:00:00Z"],
    ),
    (
        *PARIS_FALL,
        "every weekday at 9am",
        ["2026-10-26T08:00:00Z", "2026-10-27T08:00:00Z"],
    ),
    # elapsed recurrences step in real time straight through the change
    (
        *NY_FALL,
        "every 12 hours starting tomorrow at 0:00",
        ["2026-11-01T04:00:00Z", "2026-11-01T16:00:00Z", "2026-11-02T04:00:00Z"],
    ),
    # cron on the zone's wall clock: the gap shifts forward, the repeat runs once
    (
        *NY_SPRING,
        "30 2 * * *",
        ["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"],
    ),
    (
        *NY_FALL,
        "30 1 * * *",
        ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
    ),
]


@pytest.mark.parametrize(("zone", "now", "phrase", "expected"), RECURRING)
def test_recurrence_across_dst(zone: str, now: str, phrase: str, expected: list[str]) -> None:
    schedule = parse(phrase, zone, now)
    assert schedule.runs(len(expected)) == [z(run) for run in expected]


@pytest.mark.parametrize(
    ("phrase", "kind", "expected"),
    [
        (
            "every day at 2:30",
            RecurrenceType.DAILY,
            ["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"],
        ),
        (
            "every 2 days at 2:30",
            RecurrenceType.DAILY,
            ["2026-03-08T07:30:00Z", "2026-03-10T06:30:00Z"],
        ),
        (
            "every sunday at 2:30",
            RecurrenceType.WEEKLY,
            ["2026-03-08T07:30:00Z", "2026-03-15T06:30:00Z"],
        ),
        (
            "every month on the 8th at 2:30",
            RecurrenceType.MONTHLY,
            ["2026-03-08T07:30:00Z", "2026-04-08T06:30:00Z"],
        ),
    ],
)
def test_a_first_run_in_the_gap_keeps_the_asked_time_afterwards(
    phrase: str, kind: RecurrenceType, expected: list[str]
) -> None:
    schedule = parse(phrase, *NY_SPRING)
    assert schedule.recurrence is not None
    assert schedule.recurrence.type is kind
    assert schedule.recurrence.wall_anchor == datetime(2026, 3, 8, 2, 30)
    assert schedule.runs(2) == [z(run) for run in expected]
    assert "02:30" in schedule.description
