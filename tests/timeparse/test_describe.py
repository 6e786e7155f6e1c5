"""Descriptions for replies, /schedule info and the when JSON, from the stored rule alone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.models.scheduled_task import RecurrenceType as R
from bot.scheduling.recurrence import Recurrence
from bot.timeparse import describe_schedule
from bot.timeparse.describe import read_as
from tests.timeparse.helpers import at, z

FIRST = z("2026-11-27T14:00:00Z")


@pytest.mark.parametrize(
    ("recurrence", "expected"),
    [
        (None, "once, on Fri 27 Nov 2026 at 09:00 (America/New_York)"),
        (Recurrence(R.CRON, cron="0 9 * * 1-5"), "every weekday at 09:00 (America/New_York)"),
        (
            Recurrence(R.CRON, cron="15 14 1 * *"),
            "every month on the 1st at 14:15 (America/New_York)",
        ),
        (
            Recurrence(R.CRON, cron="15 14 1-7 * *"),
            "at 14:15, between day 1 and 7 of the month (America/New_York)",
        ),
        (
            Recurrence(R.CRON, cron="0 22 * * 1-5"),
            "every weekday at 22:00 (America/New_York)",
        ),
        (
            Recurrence(R.CRON, cron="0 12 * JAN,JUL MON"),
            "at 12:00, only on Monday, only in January and July (America/New_York)",
        ),
        (
            Recurrence(R.CRON, cron="0 9 * * L1"),
            "every last Monday of the month at 09:00 (America/New_York)",
        ),
        (Recurrence(R.DAILY, count=3), "every day at 09:00, 3 times (America/New_York)"),
        (
            Recurrence(R.WEEKLY, until=at("America/New_York", "2026-12-31 23:59:59")),
            "every Friday at 09:00, until Thu 31 Dec 2026 at 23:59:59 (America/New_York)",
        ),
        (
            Recurrence(R.YEARLY, interval=2),
            "every 2 years on November 27 at 09:00, starting Fri 27 Nov 2026 (America/New_York)",
        ),
        (
            Recurrence(R.MONTHLY, count=1),
            "every month on the 27th at 09:00, once (America/New_York)",
        ),
    ],
)
def test_description(recurrence: Recurrence | None, expected: str) -> None:
    assert describe_schedule(FIRST, recurrence, "America/New_York") == expected


@pytest.mark.parametrize(
    ("wall", "today", "expected"),
    [
        ("2026-12-05 09:00", "2026-12-01", "Saturday, 9 in the morning"),
        ("2026-12-01 15:20", "2026-12-01", "today, 3:20 in the afternoon"),
        ("2026-12-02 20:00", "2026-12-01", "tomorrow, 8 in the evening"),
        ("2026-12-02 23:30", "2026-12-01", "tomorrow, 11:30 at night"),
        ("2026-12-02 00:00", "2026-12-01", "tomorrow, midnight"),
        ("2026-12-02 12:00", "2026-12-01", "tomorrow, noon"),
        ("2026-12-02 03:05", "2026-12-01", "tomorrow, 3:05 at night"),
        ("2026-12-05 09:00", None, "Saturday 5 December 2026, 9 in the morning"),
    ],
)
def test_reading(wall: str, today: str | None, expected: str) -> None:
    local = datetime.fromisoformat(wall)
    assert read_as(local, date.fromisoformat(today) if today else None) == expected
