"""A file the running bot touches while it is connected to Discord; a container's
HEALTHCHECK (``python -m bot.heartbeat``) reports unhealthy once it has gone stale."""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HEARTBEAT_ENV = "CARILLON_HEARTBEAT_FILE"
INTERVAL_SECONDS = 20.0
STALE_AFTER_SECONDS = 90.0


def heartbeat_path(environ: os._Environ[str] | dict[str, str] | None = None) -> Path | None:
    value = (environ if environ is not None else os.environ).get(HEARTBEAT_ENV)
    return Path(value) if value else None


async def beat(
    path: Path, connected: Callable[[], bool], interval: float = INTERVAL_SECONDS
) -> None:
    """Touch ``path`` every ``interval`` seconds while ``connected()`` (checked every second
    while not); until cancelled."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        if connected():
            await asyncio.to_thread(path.touch)
            await asyncio.sleep(interval)
        else:
            await asyncio.sleep(1.0)


def is_fresh(path: Path, now: float, stale_after: float = STALE_AFTER_SECONDS) -> bool:
    try:
        age = now - path.stat().st_mtime
    except OSError:
        return False
    return math.isfinite(age) and age <= stale_after


def main(argv: Sequence[str]) -> int:
    path = Path(argv[0]) if argv else heartbeat_path()
    if path is None:
        print(f"usage: python -m bot.heartbeat PATH (or set {HEARTBEAT_ENV})", file=sys.stderr)
        return 2
    if is_fresh(path, time.time()):
        return 0
    print(f"unhealthy: {path} not touched in the last {STALE_AFTER_SECONDS:g} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
