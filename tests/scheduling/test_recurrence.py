"""Recurrence instants: wall-clock steps across DST, month ends, leap days, cron, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models.scheduled_task import RecurrenceType as R
from bot.scheduling.recurrence import (
    Recurrence,
    cron_ever_matches,
    first_run_for,
    is_valid_cron,
    iter_runs,
    localize,
    next_after,
    zone,
)

NY = "America/New_York"
PARIS = "Europe/Paris"


def at(tz: str, *parts: int) -> datetime:
    return localize(datetime(*parts), zone(tz))  # type: ignore[arg-type]


def local(instants: list[datetime], tz: str) -> list[str]:
    return [i.astimezone(zone(tz)).strftime("%m-%d %H:%M %Z") for i in instants]


def runs(first: datetime, rec: Recurrence | None, tz: str, n: int = 10) -> list[datetime]:
    return list(islice(iter_runs(first, rec, tz), n))


@pytest.mark.parametrize(
    ("tz", "start", "expected"),
    [
        # Spring forward: 02:30 does not exist on the change day and runs at 03:30.
        (NY, (2026, 3, 7, 2, 30), ["03-07 02:30 EST", "03-08 03:30 EDT", "03-09 02:30 EDT"]),
        (PARIS, (2026, 3, 28, 2, 30), ["03-28 02:30 CET", "03-29 03:30 CEST", "03-30 02:30 CEST"]),
        # Fall back: 01:30 (NY) and 02:30 (Paris) happen twice and run once, at the first.
        (NY, (2026, 10, 31, 1, 30), ["10-31 01:30 EDT", "11-01 01:30 EDT", "11-02 01:30 EST"]),
        (PARIS, (2026, 10, 24, 2, 30), ["10-24 02:30 CEST", "10-25 02:30 CEST", "10-26 02:30 CET"]),
    ],
)
def test_daily_keeps_wall_clock_across_dst(tz, start, expected):
    assert local(runs(at(tz, *start), Recurrence(R.DAILY), tz, 3), tz) == expected


def test_daily_0130_in_new_york_spring():
    first = at(NY, 2026, 3, 7, 1, 30)
    assert local(runs(first, Recurrence(R.DAILY), NY, 3), NY) == [
        "03-07 01:30 EST",
        "03-08 01:30 EST",
        "03-09 01:30 EDT",
    ]


def test_hourly_steps_elapsed_time_across_fall_back():
    first = at(NY, 2026, 11, 1, 0, 30)
    got = runs(first, Recurrence(R.HOURLY), NY, 4)
    assert [b - a for a, b in pairwise(got)] == [timedelta(hours=1)] * 3
    assert local(got, NY) == [
        "11-01 00:30 EDT",
        "11-01 01:30 EDT",
        "11-01 01:30 EST",
        "11-01 02:30 EST",
    ]


def test_hourly_steps_elapsed_time_across_spring_forward():
    got = runs(at(PARIS, 2026, 3, 29, 1, 0), Recurrence(R.HOURLY), PARIS, 3)
    assert local(got, PARIS) == ["03-29 01:00 CET", "03-29 03:00 CEST", "03-29 04:00 CEST"]


def test_minutely_interval():
    first = datetime(2026, 1, 1, 23, 50, tzinfo=UTC)
    got = runs(first, Recurrence(R.MINUTELY, interval=15), "UTC", 3)
    assert got == [first, first + timedelta(minutes=15), first + timedelta(minutes=30)]


@pytest.mark.parametrize(
    ("tz", "start", "expected"),
    [
        (NY, (2026, 10, 31, 1, 30), ["10-31 01:30 EDT", "11-01 01:30 EDT", "11-02 01:30 EST"]),
        (NY, (2026, 3, 7, 1, 30), ["03-07 01:30 EST", "03-08 01:30 EST", "03-09 01:30 EDT"]),
        (PARIS, (2026, 3, 28, 1, 30), ["03-28 01:30 CET", "03-29 01:30 CET", "03-30 01:30 CEST"]),
    ],
)
def test_cron_at_0130_follows_the_same_rules(tz, start, expected):
    rec = Recurrence(R.CRON, cron="30 1 * * *")
    assert local(runs(at(tz, *start), rec, tz, 3), tz) == expected


def test_cron_in_a_gap_shifts_forward_and_does_not_double():
    rec = Recurrence(R.CRON, cron="30 2,3 * * *")
    got = runs(at(NY, 2026, 3, 7, 2, 30), rec, NY, 5)
    assert local(got, NY) == [
        "03-07 02:30 EST",
        "03-07 03:30 EST",
        "03-08 03:30 EDT",
        "03-09 02:30 EDT",
        "03-09 03:30 EDT",
    ]


def test_cron_every_30_minutes_over_fall_back_runs_the_repeated_hour_once():
    rec = Recurrence(R.CRON, cron="*/30 * * * *")
    got = runs(at(NY, 2026, 11, 1, 0, 30), rec, NY, 5)
    assert local(got, NY) == [
        "11-01 00:30 EDT",
        "11-01 01:00 EDT",
        "11-01 01:30 EDT",
        "11-01 02:00 EST",
        "11-01 02:30 EST",
    ]


def test_monthly_from_jan_31_clamps_and_never_drifts():
    first = datetime(2026, 1, 31, 12, tzinfo=UTC)
    got = runs(first, Recurrence(R.MONTHLY), "UTC", 5)
    assert [d.strftime("%m-%d") for d in got] == ["01-31", "02-28", "03-31", "04-30", "05-31"]


def test_monthly_every_two_months_on_the_30th():
    got = runs(datetime(2027, 12, 30, tzinfo=UTC), Recurrence(R.MONTHLY, interval=2), "UTC", 3)
    assert [d.strftime("%Y-%m-%d") for d in got] == ["2027-12-30", "2028-02-29", "2028-04-30"]


def test_yearly_from_feb_29():
    got = runs(datetime(2028, 2, 29, 20, tzinfo=UTC), Recurrence(R.YEARLY), "UTC", 5)
    assert [d.strftime("%Y-%m-%d") for d in got] == [
        "2028-02-29",
        "2029-02-28",
        "2030-02-28",
        "2031-02-28",
        "2032-02-29",
    ]


def test_weekly_every_two_weeks():
    first = at(PARIS, 2026, 3, 20, 18, 0)
    got = runs(first, Recurrence(R.WEEKLY, interval=2), PARIS, 3)
    assert local(got, PARIS) == ["03-20 18:00 CET", "04-03 18:00 CEST", "04-17 18:00 CEST"]


@pytest.mark.parametrize(
    ("expression", "weekday"),
    [("0 9 * * 0", 6), ("0 9 * * 7", 6), ("0 9 * * sun", 6), ("0 9 * * 1", 0), ("0 9 * * FRI", 4)],
)
def test_cron_weekdays_sunday_is_zero_and_names_work(expression, weekday):
    start = datetime(2026, 11, 26, tzinfo=UTC)
    rec = Recurrence(R.CRON, cron=expression)
    first = first_run_for(start, rec, "UTC")
    got = runs(first, rec, "UTC", 3)
    assert {d.weekday() for d in got} == {weekday}
    assert all(d.hour == 9 for d in got)


def test_cron_weekday_range():
    rec = Recurrence(R.CRON, cron="0 9 * * 1-5")
    first = first_run_for(datetime(2026, 11, 27, 10, tzinfo=UTC), rec, "UTC")  # a Friday
    got = runs(first, rec, "UTC", 6)
    assert [d.strftime("%a %d") for d in got] == [
        "Mon 30",
        "Tue 01",
        "Wed 02",
        "Thu 03",
        "Fri 04",
        "Mon 07",
    ]


def test_count_is_the_total_number_of_runs():
    first = datetime(2026, 1, 1, tzinfo=UTC)
    assert len(runs(first, Recurrence(R.DAILY, count=3), "UTC", 10)) == 3


def test_until_is_the_last_instant_a_run_may_start():
    first = datetime(2026, 1, 1, 9, tzinfo=UTC)
    until = datetime(2026, 1, 3, 9, tzinfo=UTC)
    assert runs(first, Recurrence(R.DAILY, until=until), "UTC") == [
        first,
        first + timedelta(days=1),
        until,
    ]


def test_one_shot_has_one_run_and_no_next():
    first = datetime(2026, 1, 1, tzinfo=UTC)
    assert runs(first, None, "UTC") == [first]
    assert next_after(first, None, "UTC", first) is None


def test_recurrence_rejects_inconsistent_parts():
    with pytest.raises(ValueError, match="cron"):
        Recurrence(R.DAILY, cron="* * * * *")
    with pytest.raises(ValueError, match="interval"):
        Recurrence(R.DAILY, interval=0)


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("0 9 * * 1-5", True),
        ("*/15 * * * *", True),
        ("0 9 * *", False),
        ("0 0 0 0 0 0", False),
        ("61 * * * *", False),
        ("bogus", False),
    ],
)
def test_cron_validation_needs_five_valid_fields(expression, valid):
    assert is_valid_cron(expression) is valid


ZONES = st.sampled_from([NY, PARIS, "UTC", "Australia/Lord_Howe", "Asia/Kolkata"])
KINDS = st.sampled_from([R.HOURLY, R.DAILY, R.WEEKLY, R.MONTHLY, R.YEARLY])


@given(
    tz=ZONES,
    kind=KINDS,
    interval=st.integers(1, 3),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)),
)
def test_runs_strictly_increase_and_wall_clock_types_keep_the_time(tz, kind, interval, start):
    first = localize(start.replace(second=0, microsecond=0), zone(tz))
    got = runs(first, Recurrence(kind, interval=interval), tz, 12)
    assert all(a < b for a, b in pairwise(got))
    if kind is not R.HOURLY:
        anchor = first.astimezone(zone(tz))
        for run in got:
            wall = run.astimezone(zone(tz))
            # Equal wall time, unless that time fell in a gap and was shifted forward.
            shifted = localize(wall.replace(tzinfo=None), zone(tz)) != run or (
                wall.hour,
                wall.minute,
            ) != (anchor.hour, anchor.minute)
            if shifted:
                probe = wall.replace(tzinfo=None, hour=anchor.hour, minute=anchor.minute)
                assert localize(probe, zone(tz)) == run


def test_a_cron_date_that_never_comes_never_matches_and_never_raises():
    assert is_valid_cron("0 0 30 2 *")
    assert not cron_ever_matches("0 0 30 2 *")
    assert cron_ever_matches("0 0 29 2 *")
    rec = Recurrence(R.CRON, cron="0 0 31 4 *")
    assert (
        next_after(datetime(2026, 1, 1, tzinfo=UTC), rec, "UTC", datetime(2026, 1, 2, tzinfo=UTC))
        is None
    )
