"""The minimum-interval rule's arithmetic: the shortest gap between two runs of a recurrence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.models.scheduled_task import RecurrenceType
from bot.scheduling.recurrence import Recurrence, shortest_gap


@pytest.mark.parametrize(
    ("recurrence", "minutes"),
    [
        (Recurrence(RecurrenceType.MINUTELY, 5), 5),
        (Recurrence(RecurrenceType.MINUTELY, 15), 15),
        (Recurrence(RecurrenceType.HOURLY, 2), 120),
        (Recurrence(RecurrenceType.DAILY), 24 * 60),
        (Recurrence(RecurrenceType.WEEKLY, 2), 24 * 60),
        (Recurrence(RecurrenceType.CRON, cron="0 9 * * 1-5"), 60),
        (Recurrence(RecurrenceType.CRON, cron="*/10 * * * *"), 10),
        (Recurrence(RecurrenceType.CRON, cron="* 9 * * *"), 1),
        (Recurrence(RecurrenceType.CRON, cron="0,5 9 * * *"), 5),
        (Recurrence(RecurrenceType.CRON, cron="0,30 9 * * *"), 30),
        (Recurrence(RecurrenceType.CRON, cron="55,5 * * * *"), 10),
        (Recurrence(RecurrenceType.CRON, cron="5,55 9,10 * * *"), 10),
        (Recurrence(RecurrenceType.CRON, cron="5,55 9,11 * * *"), 50),
    ],
)
def test_shortest_gap(recurrence: Recurrence, minutes: int) -> None:
    assert shortest_gap(recurrence) == timedelta(minutes=minutes)
