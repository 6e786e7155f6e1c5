"""Task texts: the ``when`` preview line and relative times as Discord rounds them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.timeparse import parse_when
from bot.ui.tasks import humanize, preview

NOW = datetime(2026, 11, 27, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "in 30 seconds"),
        (timedelta(seconds=50), "in 1 minute"),
        (timedelta(minutes=90), "in 2 hours"),
        (timedelta(hours=21), "in 21 hours"),
        (timedelta(hours=23), "in 1 day"),
        (timedelta(days=3, hours=20), "in 4 days"),
        (timedelta(hours=-2), "2 hours ago"),
    ],
)
def test_humanize(delta: timedelta, text: str) -> None:
    assert humanize(delta) == text


@pytest.mark.parametrize(
    ("when", "zone", "text"),
    [
        (
            "tuesday 9am",
            "America/New_York",
            "Tue 1 Dec, 09:00 EST — in 4 days — read as: Tuesday, 9 in the morning",
        ),
        (
            "in 90 minutes",
            "UTC",
            "Fri 27 Nov, 15:30 UTC — in 2 hours — read as: today, 3:30 in the afternoon",
        ),
        (
            "saturday morning at 9",
            "UTC",
            "Sat 28 Nov, 09:00 UTC — in 19 hours — read as: tomorrow, 9 in the morning",
        ),
        (
            "8 tonight",
            "UTC",
            "Fri 27 Nov, 20:00 UTC — in 6 hours — read as: today, 8 in the evening",
        ),
        ("every weekday at 9am", "America/New_York", "every weekday at 09:00, next Mon 30 Nov"),
        ("every day at 8pm", "Europe/Paris", "every day at 20:00, next Fri 27 Nov"),
        ("every 2 hours", "UTC", "every 2 hours, next Fri 27 Nov 16:00"),
        ("every 2 weeks on friday", "UTC", "every 2 weeks on Friday at 00:00, next Fri 4 Dec"),
        (
            "every day at 9am for 3 times",
            "UTC",
            "every day at 09:00, 3 times, next Sat 28 Nov",
        ),
        (
            "jan 5 2028 10am",
            "UTC",
            "Wed 5 Jan 2028, 10:00 UTC — in 404 days — read as: Wednesday, 10 in the morning",
        ),
    ],
)
def test_preview(when: str, zone: str, text: str) -> None:
    assert preview(parse_when(when, now=NOW, timezone=zone), NOW) == text
