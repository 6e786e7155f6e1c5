"""Time zones as members type them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import InvalidInput
from bot.timezones import ZoneMatch, choice_label, resolve_zone, search_zones, utc_offset

SUMMER = datetime(2026, 7, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("EST", "America/New_York"),
        ("edt", "America/New_York"),
        ("Eastern", "America/New_York"),
        ("PST", "America/Los_Angeles"),
        ("CET", "Europe/Berlin"),
        ("IST", "Asia/Kolkata"),
        ("Paris", "Europe/Paris"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("europe/london", "Europe/London"),
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("UTC", "UTC"),
        ("GMT", "GMT"),
    ],
)
def test_resolve(typed: str, zone: str) -> None:
    assert resolve_zone(typed) == zone


def test_unknown_zone_suggests_close_names() -> None:
    with pytest.raises(InvalidInput, match=r"'Pari' is not a time zone I know\. Did you mean"):
        resolve_zone("Pari")


def test_search_ranks_aliases_then_exact_names_then_prefixes() -> None:
    assert search_zones("EST", limit=3) == [
        ZoneMatch("America/New_York", "EST"),
        ZoneMatch("EST"),
        ZoneMatch("EST5EDT"),
    ]
    assert [m.zone for m in search_zones("lond")] == ["Europe/London"]
    assert search_zones("zzzz") == []


def test_offsets_follow_daylight_saving() -> None:
    assert utc_offset("America/New_York", SUMMER) == "UTC-04:00"
    assert utc_offset("Asia/Kolkata", SUMMER) == "UTC+05:30"
    assert choice_label(ZoneMatch("Europe/Paris"), SUMMER) == "Europe/Paris (UTC+02:00, 14:00 now)"
