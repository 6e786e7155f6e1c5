"""Command-line start-up benchmark: prints a table (not a test).

Each command runs as its own ``python -m bot`` process, ``RUNS`` times: wall time (median,
p99) and peak RSS. Run: ``python benchmarks/cli.py``. Targets: ``when "in 5 minutes"`` under
0.5 s and 60 MB.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 20
EXAMPLE = str(ROOT / "config.example.toml")
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("when", "in 5 minutes"),
    ("when", "every weekday at 9am", "--tz", "Europe/Paris"),
    ("when", "a fortnight from tomorrow"),
    ("when", "in 5 minutes", "--config", EXAMPLE),
    ("check-config", "--config", EXAMPLE),
    ("invite", "--client-id", "1"),
    ("--help",),
)


def run_once(args: tuple[str, ...]) -> tuple[float, float]:
    """Seconds and peak RSS in MB of one ``python -m bot ARGS``."""
    environ = {**os.environ, "CARILLON_TOKEN": "a-token", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=environ,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 2):
        raise SystemExit(f"{args} exited {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    print(f"python -m bot, {RUNS} runs each")
    print(f"{'command':<58} {'median s':>9} {'p99 s':>7} {'RSS MB':>7}")
    for args in COMMANDS:
        run_once(args)  # the first run pays for .pyc files
        samples = [run_once(args) for _ in range(RUNS)]
        times = [elapsed for elapsed, _ in samples]
        rss = max(peak for _, peak in samples)
        shown = " ".join(a if " " not in a else f'"{a}"' for a in args).replace(str(ROOT), ".")
        print(f"{shown:<58} {statistics.median(times):>9.3f} {p99(times):>7.3f} {rss:>7.1f}")


if __name__ == "__main__":
    main()
