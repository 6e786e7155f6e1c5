"""Every recurrence the issue lists, mapped to the engine's rule with the right first run."""

from __future__ import annotations

import pytest

from bot.models.scheduled_task import RecurrenceType as R
from tests.timeparse.helpers import at, parse, wall

UTC_THURSDAY = ("UTC", "2026-11-26 14:40")
NY_NYE = ("America/New_York", "2026-12-31 23:30")  # a Thursday
PARIS_HALLOWEEN = ("Europe/Paris", "2026-10-31 23:30")  # a Saturday

CASES = [
    # zone, now, phrase, type, interval, cron, first run (wall clock), description
    (*UTC_THURSDAY, "every 15 minutes", R.MINUTELY, 15, None, "2026-11-26 14:55",
     "every 15 minutes, starting Thu 26 Nov 2026 at 14:55 (UTC)"),
    (*UTC_THURSDAY, "every 2 hours", R.HOURLY, 2, None, "2026-11-26 16:40",
     "every 2 hours, starting Thu 26 Nov 2026 at 16:40 (UTC)"),
    (*UTC_THURSDAY, "hourly", R.HOURLY, 1, None, "2026-11-26 15:40",
     "every hour, starting Thu 26 Nov 2026 at 15:40 (UTC)"),
    (*UTC_THURSDAY, "every day at 8", R.DAILY, 1, None, "2026-11-27 08:00",
     "every day at 08:00 (UTC)"),
    (*UTC_THURSDAY, "daily at 08:30", R.DAILY, 1, None, "2026-11-27 08:30",
     "every day at 08:30 (UTC)"),
    (*UTC_THURSDAY, "every weekday at 9am", R.CRON, 1, "0 9 * * 1-5", "2026-11-27 09:00",
     "every weekday at 09:00 (UTC)"),
    (*UTC_THURSDAY, "every weekend at 10", R.CRON, 1, "0 10 * * 0,6", "2026-11-28 10:00",
     "every Saturday and Sunday at 10:00 (UTC)"),
    (*UTC_THURSDAY, "every monday at 8pm", R.WEEKLY, 1, None, "2026-11-30 20:00",
     "every Monday at 20:00 (UTC)"),
    (*UTC_THURSDAY, "every mon, wed and fri at 7pm", R.CRON, 1, "0 19 * * 1,3,5",
     "2026-11-27 19:00", "every Monday, Wednesday and Friday at 19:00 (UTC)"),
    (*UTC_THURSDAY, "every 2 weeks on friday at 18:00", R.WEEKLY, 2, None, "2026-11-27 18:00",
     "every 2 weeks on Friday at 18:00, starting Fri 27 Nov 2026 (UTC)"),
    (*UTC_THURSDAY, "every 2 weeks on friday", R.WEEKLY, 2, None, "2026-11-27 00:00",
     "every 2 weeks on Friday at 00:00, starting Fri 27 Nov 2026 (UTC)"),
    (*UTC_THURSDAY, "every month on the 1st at noon", R.MONTHLY, 1, None, "2026-12-01 12:00",
     "every month on the 1st at 12:00 (UTC)"),
    (*UTC_THURSDAY, "every month on the 31st", R.MONTHLY, 1, None, "2026-12-31 00:00",
     "every month on the 31st at 00:00 (the last day in shorter months) (UTC)"),
    (*UTC_THURSDAY, "every last friday at 17:00", R.CRON, 1, "0 17 * * L5", "2026-11-27 17:00",
     "every last Friday of the month at 17:00 (UTC)"),
    (*UTC_THURSDAY, "every year on dec 24 at 20:00", R.YEARLY, 1, None, "2026-12-24 20:00",
     "every year on December 24 at 20:00 (UTC)"),
    (*UTC_THURSDAY, "0 9 * * 1-5", R.CRON, 1, "0 9 * * 1-5", "2026-11-27 09:00",
     "every weekday at 09:00 (UTC)"),
    (*UTC_THURSDAY, "*/10 * * * *", R.CRON, 1, "*/10 * * * *", "2026-11-26 14:50",
     "every 10 minutes (UTC)"),
    (*UTC_THURSDAY, "every other friday at 6pm", R.WEEKLY, 2, None, "2026-11-27 18:00",
     "every 2 weeks on Friday at 18:00, starting Fri 27 Nov 2026 (UTC)"),
    (*UTC_THURSDAY, "every first monday at 9", R.CRON, 1, "0 9 * * 1#1", "2026-12-07 09:00",
     "every first Monday of the month at 09:00 (UTC)"),
    (*UTC_THURSDAY, "every month on the last day at 18:00", R.CRON, 1, "0 18 L * *",
     "2026-11-30 18:00", "every month on the last day at 18:00 (UTC)"),
    (*UTC_THURSDAY, "on the 15th of every month at 9", R.MONTHLY, 1, None, "2026-12-15 09:00",
     "every month on the 15th at 09:00 (UTC)"),
    (*UTC_THURSDAY, "mondays and fridays at 6pm", R.CRON, 1, "0 18 * * 1,5", "2026-11-27 18:00",
     "every Monday and Friday at 18:00 (UTC)"),
    (*UTC_THURSDAY, "every 3 days at 7", R.DAILY, 3, None, "2026-11-27 07:00",
     "every 3 days at 07:00, starting Fri 27 Nov 2026 (UTC)"),
    (*UTC_THURSDAY, "yearly on 29 february", R.YEARLY, 1, None, "2028-02-29 00:00",
     "every year on February 29 at 00:00 (February 28 in common years) (UTC)"),
    # year end
    (*NY_NYE, "every day at 8", R.DAILY, 1, None, "2027-01-01 08:00",
     "every day at 08:00 (America/New_York)"),
    (*NY_NYE, "every weekday at 9am", R.CRON, 1, "0 9 * * 1-5", "2027-01-01 09:00",
     "every weekday at 09:00 (America/New_York)"),
    (*NY_NYE, "every month on the 31st", R.MONTHLY, 1, None, "2027-01-31 00:00",
     "every month on the 31st at 00:00 (the last day in shorter months) (America/New_York)"),
    (*NY_NYE, "every year on dec 24 at 20:00", R.YEARLY, 1, None, "2027-12-24 20:00",
     "every year on December 24 at 20:00 (America/New_York)"),
    (*NY_NYE, "every last friday at 17:00", R.CRON, 1, "0 17 * * L5", "2027-01-29 17:00",
     "every last Friday of the month at 17:00 (America/New_York)"),
    (*NY_NYE, "every thursday at 23:45", R.WEEKLY, 1, None, "2026-12-31 23:45",
     "every Thursday at 23:45 (America/New_York)"),
    # a month's end
    (*PARIS_HALLOWEEN, "every month on the 31st at 9", R.MONTHLY, 1, None, "2026-12-31 09:00",
     "every month on the 31st at 09:00 (the last day in shorter months) (Europe/Paris)"),
    (*PARIS_HALLOWEEN, "every month on the 1st at noon", R.MONTHLY, 1, None,
     "2026-11-01 12:00", "every month on the 1st at 12:00 (Europe/Paris)"),
    (*PARIS_HALLOWEEN, "every saturday at 23:45", R.WEEKLY, 1, None, "2026-10-31 23:45",
     "every Saturday at 23:45 (Europe/Paris)"),
    (*PARIS_HALLOWEEN, "every 15 minutes", R.MINUTELY, 15, None, "2026-10-31 23:45",
     "every 15 minutes, starting Sat 31 Oct 2026 at 23:45 (Europe/Paris)"),
    # beyond the list
    (*UTC_THURSDAY, "every day at 9am and 5pm", R.CRON, 1, "0 9,17 * * *", "2026-11-26 17:00",
     "every day at 09:00 and 17:00 (UTC)"),
    (*UTC_THURSDAY, "every weekend at 10, 14 and 18", R.CRON, 1, "0 10,14,18 * * 0,6",
     "2026-11-28 10:00", "every Saturday and Sunday at 10:00, 14:00 and 18:00 (UTC)"),
    (*UTC_THURSDAY, "quarterly on the 1st at 9", R.MONTHLY, 3, None, "2026-12-01 09:00",
     "every 3 months on the 1st at 09:00, starting Tue 1 Dec 2026 (UTC)"),
    (*UTC_THURSDAY, "every first of the month at 9", R.MONTHLY, 1, None, "2026-12-01 09:00",
     "every month on the 1st at 09:00 (UTC)"),
    (*UTC_THURSDAY, "every day at 9am starting next monday", R.DAILY, 1, None,
     "2026-11-30 09:00", "every day at 09:00, starting Mon 30 Nov 2026 (UTC)"),
    (*UTC_THURSDAY, "every 2 hours starting at 10pm", R.HOURLY, 2, None, "2026-11-26 22:00",
     "every 2 hours, starting Thu 26 Nov 2026 at 22:00 (UTC)"),
    (*UTC_THURSDAY, "every 2nd day at 9", R.DAILY, 2, None, "2026-11-27 09:00",
     "every 2 days at 09:00, starting Fri 27 Nov 2026 (UTC)"),
    (*UTC_THURSDAY, "every 15th day of the month", R.MONTHLY, 1, None, "2026-12-15 00:00",
     "every month on the 15th at 00:00 (UTC)"),
    (*UTC_THURSDAY, "sundays at noon", R.WEEKLY, 1, None, "2026-11-29 12:00",
     "every Sunday at 12:00 (UTC)"),
    (*UTC_THURSDAY, "every second tuesday at 19:00", R.CRON, 1, "0 19 * * 2#2",
     "2026-12-08 19:00", "every second Tuesday of the month at 19:00 (UTC)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "now", "phrase", "kind", "interval", "cron", "first", "description"), CASES
)
def test_recurrence(
    zone: str,
    now: str,
    phrase: str,
    kind: R,
    interval: int,
    cron: str | None,
    first: str,
    description: str,
) -> None:
    schedule = parse(phrase, zone, now)
    assert schedule.recurrence is not None
    assert (schedule.recurrence.type, schedule.recurrence.interval) == (kind, interval)
    assert schedule.recurrence.cron == cron
    assert wall(schedule) == first
    assert schedule.description == description
    runs = schedule.runs(5)
    assert runs[0] == schedule.first_run
    assert runs == sorted(set(runs))


def test_monthly_on_the_31st_clamps_and_returns() -> None:
    schedule = parse("every month on the 31st at 9", "UTC", "2027-01-01 10:00")
    walls = [run.strftime("%m-%d") for run in schedule.runs(4)]
    assert walls == ["01-31", "02-28", "03-31", "04-30"]


def test_for_n_times_and_until() -> None:
    counted = parse("every day at 9am for 5 times", "UTC", "2026-11-26 10:00")
    assert counted.recurrence is not None
    assert counted.recurrence.count == 5
    assert len(counted.runs(10)) == 5
    assert counted.description == "every day at 09:00, 5 times (UTC)"
    until = parse("every monday at 8pm until dec 31", "UTC", "2026-11-26 10:00")
    assert until.recurrence is not None
    assert until.recurrence.until == at("UTC", "2026-12-31 23:59:59")
    assert [run.day for run in until.runs(10)] == [30, 7, 14, 21, 28]


def test_until_today_means_the_end_of_today() -> None:
    schedule = parse("every 2 hours until today", "UTC", "2026-12-31 10:00")
    assert schedule.recurrence is not None
    assert schedule.recurrence.until == at("UTC", "2026-12-31 23:59:59")


def test_for_a_span() -> None:
    schedule = parse("every day at 9 for 2 weeks", "UTC", "2026-11-26 10:00")
    assert len(schedule.runs(30)) == 14


def test_options_refine_an_instant() -> None:
    daily = parse("tomorrow 9am", "UTC", "2026-11-26 10:00", repeat="daily", count=3)
    assert daily.recurrence is not None
    assert daily.recurrence.type is R.DAILY
    assert [run.day for run in daily.runs(5)] == [27, 28, 29]
    cron = parse("tomorrow 9am", "UTC", "2026-11-26 10:00", cron="0 9 * * 1-5")
    assert wall(cron) == "2026-11-27 09:00"
    saturday = parse("saturday 9am", "UTC", "2026-11-26 10:00", cron="0 9 * * 1-5")
    assert wall(saturday) == "2026-11-30 09:00"
    only_cron = parse("", "UTC", "2026-11-26 10:00", cron="30 18 * * fri")
    assert wall(only_cron) == "2026-11-27 18:30"
    ending = parse("every day at 9", "UTC", "2026-11-26 10:00", until="nov 29")
    assert len(ending.runs(10)) == 3
