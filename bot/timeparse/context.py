"""The reference point of a parse: the instant, the member's zone and the config's choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.config import TimeConfig
from bot.scheduling.recurrence import localize, wall_clock
from bot.timeparse.errors import TimeParseError
from bot.tzdb import UnknownZone, zone


@dataclass(frozen=True, slots=True)
class ParseContext:
    """``now`` and ``horizon`` are aware UTC; wall-clock values are naive in ``zone``."""

    now: datetime
    zone: ZoneInfo
    date_order: str
    languages: tuple[str, ...]
    horizon: datetime
    horizon_years: int

    @property
    def zone_name(self) -> str:
        return self.zone.key

    @property
    def local_now(self) -> datetime:
        return self.local(self.now)

    @property
    def today(self) -> date:
        return self.local_now.date()

    def local(self, instant: datetime) -> datetime:
        """The naive wall-clock reading of ``instant`` in the zone."""
        try:
            return wall_clock(instant, self.zone)
        except (OverflowError, ValueError):
            raise out_of_range() from None

    def to_utc(self, wall: datetime) -> datetime:
        """Wall clock to aware UTC: a gap shifts forward, a repeated hour reads as the first."""
        try:
            return localize(wall, self.zone)
        except (OverflowError, ValueError):
            raise out_of_range() from None

    def at(self, day: date, clock: time) -> datetime:
        return self.to_utc(datetime.combine(day, clock))


def out_of_range() -> TimeParseError:
    return TimeParseError("That date is out of range.", ("in 2 days", "dec 24 8pm"))


def load_zone(name: str) -> ZoneInfo:
    try:
        return zone(name)
    except UnknownZone:
        raise TimeParseError(
            f"{str(name)[:60]!r} is not a time zone I know.",
            ("Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC"),
        ) from None


def make_context(now: datetime, timezone: str, config: TimeConfig | None = None) -> ParseContext:
    """Build the context; ``now`` must be aware."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    config = config or TimeConfig()
    now_utc = now.astimezone(UTC)
    try:
        horizon = now_utc + relativedelta(years=config.horizon_years)
    except (OverflowError, ValueError):
        horizon = datetime.max.replace(tzinfo=UTC)
    return ParseContext(
        now=now_utc,
        zone=load_zone(timezone),
        date_order=config.date_order,
        languages=tuple(config.languages),
        horizon=horizon,
        horizon_years=config.horizon_years,
    )
