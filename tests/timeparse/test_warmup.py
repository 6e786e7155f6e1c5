"""The start-up warm-up runs every kind of phrase without raising."""

from __future__ import annotations

import time

from bot.config import TimeConfig
from bot.timeparse import warm_up
from tests.timeparse.helpers import at, parse


def test_warm_up_then_a_fallback_phrase_is_quick() -> None:
    config = TimeConfig(languages=("en", "fr"), default_timezone="Europe/Paris")
    assert warm_up(config, now=at("UTC", "2026-11-26 10:00")) > 0
    started = time.perf_counter()
    parse("demain à 8h", "Europe/Paris", "2026-11-26 10:00", config)
    assert time.perf_counter() - started < 0.15
