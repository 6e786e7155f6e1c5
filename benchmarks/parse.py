"""Time-parsing benchmark: prints a table (not a test).

First call after import (cold, and after ``warm_up``), steady median and p99 per phrase over
1,000 calls, and time and RSS growth for junk input. Run: ``python benchmarks/parse.py``.
Targets: steady p99 < 2 ms, junk < 5 ms with no RSS jump, first call < 150 ms after warm-up.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import TimeConfig
from bot.timeparse import TimeParseError, parse_when

CALLS = 1000
NOW = datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
ZONE = "America/New_York"
PHRASES = (
    "in 90 minutes",
    "tomorrow at 9am",
    "next friday 18:30",
    "dec 24 8pm",
    "12/24 8pm",
    "<t:1798142400>",
    "2026-12-24T20:00:00+01:00",
    "every 15 minutes",
    "every weekday at 9am",
    "every mon, wed and fri at 7pm",
    "every 2 weeks on friday at 18:00",
    "every month on the 31st",
    "every last friday at 17:00",
    "every day at 9am for 5 times",
    "0 9 * * 1-5",
    "a fortnight from tomorrow",
    "the 3rd of next month at 9am",
    "in 2 weeks time",
    "end of next month",
    "tomorrow evening",
    # the second round of the time language (issue 14)
    "saturday morning at 9",
    "8 tonight",
    "this afternoon at 3:20",
    "a quarter past 3pm",
    "20 minutes to 2pm tomorrow",
    "five hours after 12pm",
    "in a couple of hours",
    "in 1/2 hour",
    "ten thirty am",
    "0730am",
    "daily at 3p",
    "3 o'clock in the afternoon",
    "2nd fri in feb at 9am",
    "last monday of march at 10am",
    "christmas at 6 pm",
    "friday of next week at 9am",
    "9am ET",
    "noon Tokyo time",
    "every other tuesday",
    "every weekday except friday at 9am",
    "twice a day at 9 and 17",
    "on the first and fifteenth at noon",
    "every 3 days at 8pm",
    "next tuesday afternoon",
    "tuesday 3pm party",
)
LANGUAGE_PHRASES = ("demain à 9h", "jeden Montag um 8", "morgen um 9 Uhr", "ce soir à 20h")
JUNK = "buy milk"

_FIRST_CALL = """
import json, sys, time
import psutil
process = psutil.Process()
t0 = time.perf_counter()
from datetime import UTC, datetime
from bot.timeparse import TimeParseError, parse_when, warm_up
imported = time.perf_counter() - t0
warm = 0.0
if sys.argv[1] == "warm":
    warm = warm_up()
now = datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
calls = {}
for phrase in sys.argv[2:]:
    rss = process.memory_info().rss
    t0 = time.perf_counter()
    try:
        parse_when(phrase, now=now, timezone="America/New_York")
    except TimeParseError:
        pass
    calls[phrase] = [time.perf_counter() - t0, process.memory_info().rss - rss]
print(json.dumps({"import": imported, "warm_up": warm, "calls": calls}))
"""


def _first_calls(mode: str, phrases: list[str]) -> dict[str, object]:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL, mode, *phrases],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


LANGUAGES = TimeConfig(languages=("en", "fr", "de"))


def _call(phrase: str, config: TimeConfig | None = None) -> None:
    with contextlib.suppress(TimeParseError):
        parse_when(phrase, now=NOW, timezone=ZONE, config=config)


def _steady(phrase: str, config: TimeConfig | None = None) -> tuple[float, float, float]:
    """Median and p99 wall time, and p99 thread CPU time (immune to other processes), in ms."""
    _call(phrase, config)
    wall, cpu = [], []
    for _ in range(CALLS):
        started, started_cpu = time.perf_counter(), time.thread_time()
        _call(phrase, config)
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    wall.sort()
    cpu.sort()
    p99 = int(CALLS * 0.99) - 1
    return statistics.median(wall) * 1000, wall[p99] * 1000, cpu[p99] * 1000


def main() -> None:
    print("first call in a fresh process: ms (RSS growth KiB)")
    runs = (
        ("cold", ["tomorrow at 9am", "in 2 weeks time"]),
        ("warm", ["tomorrow at 9am", "in 2 weeks time"]),
        ("cold", [JUNK]),
        ("warm", [JUNK]),
    )
    print(f"{'':8}{'import':>10}{'warm_up':>10}  first calls")
    for mode, phrases in runs:
        result = _first_calls(mode, phrases)
        calls = result["calls"]
        assert isinstance(calls, dict)
        cells = "  ".join(
            f"{phrase!r}: {calls[phrase][0] * 1000:.2f} ({calls[phrase][1] / 1024:.0f})"
            for phrase in phrases
        )
        imported = float(result["import"]) * 1000  # type: ignore[arg-type]
        warmed = float(result["warm_up"]) * 1000  # type: ignore[arg-type]
        print(f"{mode:8}{imported:10.1f}{warmed:10.1f}  {cells}")
    print()
    print(f"steady state over {CALLS} calls (ms)")
    print(f"{'phrase':36}{'median':>10}{'p99':>10}{'p99 cpu':>10}")
    worst = 0.0
    for phrase in (*PHRASES, JUNK):
        median, p99, p99_cpu = _steady(phrase)
        worst = max(worst, p99_cpu)
        print(f"{phrase:36}{median:10.3f}{p99:10.3f}{p99_cpu:10.3f}")
    for phrase in LANGUAGE_PHRASES:
        median, p99, p99_cpu = _steady(phrase, LANGUAGES)
        worst = max(worst, p99_cpu)
        print(f"{phrase + ' (en, fr, de)':36}{median:10.3f}{p99:10.3f}{p99_cpu:10.3f}")
    print(f"worst p99 cpu: {worst:.3f} ms (target < 2 ms)")
    print()
    process = psutil.Process()
    before = process.memory_info().rss
    started = time.perf_counter()
    for _ in range(CALLS):
        _call(JUNK)
    per_call = (time.perf_counter() - started) / CALLS * 1000
    growth = (process.memory_info().rss - before) / 1024
    print(
        f"junk {JUNK!r}: {per_call:.3f} ms per call; "
        f"RSS growth over {CALLS} calls: {growth:.0f} KiB"
    )


if __name__ == "__main__":
    main()
