"""Frozen nows and short helpers for the time-parsing tests."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.config import TimeConfig
from bot.timeparse import Schedule, parse_when


def at(zone: str, wall: str) -> datetime:
    """An aware instant from a wall-clock reading ("2026-12-31 23:30") in ``zone`` (fold=0)."""
    return datetime.fromisoformat(wall).replace(tzinfo=ZoneInfo(zone))


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def parse(
    phrase: str, zone: str, now_wall: str, config: TimeConfig | None = None, **options: object
) -> Schedule:
    return parse_when(phrase, now=at(zone, now_wall), timezone=zone, config=config, **options)  # type: ignore[arg-type]


def wall(schedule: Schedule) -> str:
    """The first run as wall-clock text in the schedule's zone."""
    return schedule.first_run.astimezone(ZoneInfo(schedule.timezone)).strftime("%Y-%m-%d %H:%M")
