"""What the latency benchmarks print: percentiles of their samples, as one table."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

TARGET_P99_MS = 50.0


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The sample at ``fraction`` (0.99: p99) of the sorted samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def print_table(
    heading: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    *,
    target_ms: float | None = TARGET_P99_MS,
) -> None:
    """``heading`` names the first column; each row is a name and its samples (ms). With a
    ``target_ms``, each row says whether its p99 is under it."""
    goal = f"  target p99 < {target_ms:g}" if target_ms is not None else ""
    print(f"{heading:<44} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}{goal}")
    for name, samples in rows:
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        verdict = ""
        if target_ms is not None:
            verdict = "  ok" if p99 < target_ms else "  MISSED"
        print(f"{name:<44} {len(samples):>5} {p50:>8.1f} {p99:>8.1f} {max(samples):>8.1f}{verdict}")
