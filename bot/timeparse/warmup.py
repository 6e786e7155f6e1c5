"""Load dateparser, croniter and cron-descriptor at start-up, so no member waits for it."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime

from bot.clock import SystemClock
from bot.config import TimeConfig
from bot.timeparse.errors import TimeParseError
from bot.timeparse.fallback import get_fallback
from bot.timeparse.parse import parse_when

_SAMPLES = (
    "in 90 minutes",
    "tomorrow at 9am",
    "every weekday at 9am",
    "every last friday at 17:00",
    "0 9 * * 1-5",
    "30 5 1-7 * *",
    "2026-12-24T20:00:00+01:00",
    "a fortnight from tomorrow",
    "in 2 weeks time",  # the grammar leaves it to dateparser
    "saturday morning at 9",
    "noon tokyo time",  # the city names of the zone database
    "buy milk",
)


def warm_up(config: TimeConfig | None = None, now: datetime | None = None) -> float:
    """Parse a few phrases of every kind; returns the seconds it took.

    Call it once at start-up (``await asyncio.to_thread(warm_up, config.time)`` keeps the event
    loop free): dateparser's first call loads its language data, about 200 ms.
    """
    config = config or TimeConfig()
    started = time.perf_counter()
    get_fallback(tuple(config.languages), config.date_order)
    now = now or SystemClock().now()
    for zone in {config.default_timezone, "UTC"}:
        for sample in _SAMPLES:
            with contextlib.suppress(TimeParseError):
                parse_when(sample, now=now, timezone=zone, config=config).runs(3)
    return time.perf_counter() - started
