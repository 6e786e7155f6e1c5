"""Natural-language times and recurrences: ``parse_when`` turns a member's text into a Schedule."""

from bot.timeparse.describe import describe_schedule
from bot.timeparse.errors import TimeParseError
from bot.timeparse.parse import REPEAT_CHOICES, parse_when, preview_when
from bot.timeparse.schedule import Schedule
from bot.timeparse.warmup import warm_up

__all__ = [
    "REPEAT_CHOICES",
    "Schedule",
    "TimeParseError",
    "describe_schedule",
    "parse_when",
    "preview_when",
    "warm_up",
]
