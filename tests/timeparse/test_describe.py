"""Descriptions for replies, /schedule info and the when JSON, from the stored rule alone."""

from __future__ import annotations

import pytest

from bot.models.scheduled_task import RecurrenceType as R
from bot.scheduling.recurrence import Recurrence
from bot.timeparse import describe_schedule
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
