"""The one check of whether a name is an IANA time zone, shared by config, commands and CLI."""

from __future__ import annotations

from zoneinfo import ZoneInfoNotFoundError

import pytest

from bot.errors import InvalidInput
from bot.scheduling.recurrence import zone as recurrence_zone
from bot.services.settings import validate_timezone
from bot.timeparse import TimeParseError
from bot.timeparse.context import load_zone
from bot.tzdb import UnknownZone, is_zone, zone

NOT_ZONES = [
    "Europe",
    "America",
    "America/Argentina",
    "x" * 300,
    "Europe/" + "x" * 300,
    "",
    "Europe/",
    "/etc/passwd",
    "../../etc/passwd",
    "UTC\x00",
    "posixrules",
    "right/UTC",
    "localtime",
    "zone.tab",
    "tzdata.zi",
    "europe/paris",
]


@pytest.mark.parametrize("name", NOT_ZONES)
def test_regions_paths_and_files_are_not_zones(name: str) -> None:
    assert not is_zone(name)
    with pytest.raises(UnknownZone):
        zone(name)
    with pytest.raises(ZoneInfoNotFoundError):
        recurrence_zone(name)
    with pytest.raises(InvalidInput, match="not a timezone I know"):
        validate_timezone(name)
    with pytest.raises(TimeParseError, match="not a time zone I know"):
        load_zone(name)


@pytest.mark.parametrize(
    "name", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "US/Eastern", "EST"]
)
def test_iana_names_and_their_links_are_zones(name: str) -> None:
    assert is_zone(name)
    assert zone(name).key == name
    assert validate_timezone(name) == name


def test_a_name_that_is_not_text_is_not_a_zone() -> None:
    assert not is_zone(None)
    assert not is_zone(42)
