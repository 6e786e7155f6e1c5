"""Human descriptions of schedules: "every weekday at 09:00 (America/New_York)"."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from bot.scheduling.recurrence import Recurrence, zone
from bot.task_kinds import RecurrenceType
from bot.timeparse.lexicon import MONTH_NAMES, WEEKDAY_NAMES, ordinal

_CRON_AT = re.compile(r"^(?P<minute>\d{1,2}) (?P<hours>\d{1,2}(?:,\d{1,2})*) (?P<rest>.+)$")
_CRON_DAY_NAMES = ("Sunday", *WEEKDAY_NAMES[:-1])
_ORDINAL_NAMES = ("first", "second", "third", "fourth", "fifth")
_UNITS = {
    RecurrenceType.MINUTELY: "minute",
    RecurrenceType.HOURLY: "hour",
    RecurrenceType.DAILY: "day",
    RecurrenceType.WEEKLY: "week",
    RecurrenceType.MONTHLY: "month",
    RecurrenceType.YEARLY: "year",
}


def describe_schedule(
    first_run: datetime,
    recurrence: Recurrence | None,
    timezone: str,
    *,
    show_start: bool = False,
) -> str:
    """One line for a member: what runs when, in the task's zone.

    ``show_start`` names the first run's day even where the rule alone would not (a start the
    member chose, "every day at 9am starting next monday").
    """
    local = first_run.astimezone(zone(timezone))
    if recurrence is None or recurrence.type is RecurrenceType.NONE:
        return f"once, on {format_day(local)} at {format_clock(local)} ({timezone})"
    # The rule's wall time is the one asked for, even where a DST gap moved the first run.
    text = _rule(recurrence.wall_anchor or local, recurrence)
    if show_start and ", starting " not in text:
        text += f", starting {format_day(local)}"
    if recurrence.count is not None:
        text += ", once" if recurrence.count == 1 else f", {recurrence.count} times"
    if recurrence.until is not None:
        until = recurrence.until.astimezone(zone(timezone))
        text += f", until {format_day(until)} at {format_clock(until)}"
    return f"{text} ({timezone})"


def read_as(local: datetime, today: date | None = None) -> str:
    """How a one-off time was read, in words: "Saturday, 9 in the morning".

    With ``today`` the day is "today", "tomorrow" or its weekday (a preview shows the date
    beside it); without, the weekday and the date.
    """
    if today is not None and local.date() == today:
        day = "today"
    elif today is not None and local.date() == today + timedelta(days=1):
        day = "tomorrow"
    elif today is not None:
        day = WEEKDAY_NAMES[local.weekday()]
    else:
        day = f"{WEEKDAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]}"
        day += f" {local.year}"
    return f"{day}, {clock_words(local.time())}"


def clock_words(clock: time) -> str:
    """ "9 in the morning", "3:20 in the afternoon", "noon", "midnight"."""
    if (clock.hour, clock.minute) == (0, 0):
        return "midnight"
    if (clock.hour, clock.minute) == (12, 0):
        return "noon"
    hour = clock.hour % 12 or 12
    shown = f"{hour}" if not clock.minute else f"{hour}:{clock.minute:02}"
    if 5 <= clock.hour < 12:
        part = "in the morning"
    elif 12 <= clock.hour < 17:
        part = "in the afternoon"
    elif 17 <= clock.hour < 21:
        part = "in the evening"
    else:
        part = "at night"
    return f"{shown} {part}"


def format_day(local: datetime) -> str:
    """ "Fri 27 Nov 2026", the same in every locale."""
    return (
        f"{WEEKDAY_NAMES[local.weekday()][:3]} {local.day} "
        f"{MONTH_NAMES[local.month - 1][:3]} {local.year}"
    )


def format_clock(local: datetime) -> str:
    return local.strftime("%H:%M:%S" if local.second else "%H:%M")


def _rule(local: datetime, recurrence: Recurrence) -> str:
    kind, n = recurrence.type, recurrence.interval
    if kind is RecurrenceType.CRON:
        assert recurrence.cron is not None
        return describe_cron(recurrence.cron)
    unit = _UNITS[kind]
    every = f"every {unit}" if n == 1 else f"every {n} {unit}s"
    clock = format_clock(local)
    starting = f", starting {format_day(local)}"
    if kind in (RecurrenceType.MINUTELY, RecurrenceType.HOURLY):
        return f"{every}, starting {format_day(local)} at {clock}"
    if kind is RecurrenceType.DAILY:
        return f"every day at {clock}" if n == 1 else f"{every} at {clock}{starting}"
    if kind is RecurrenceType.WEEKLY:
        weekday = WEEKDAY_NAMES[local.weekday()]
        if n == 1:
            return f"every {weekday} at {clock}"
        return f"{every} on {weekday} at {clock}{starting}"
    if kind is RecurrenceType.MONTHLY:
        text = f"{every} on the {ordinal(local.day)} at {clock}"
        if local.day > 28:
            text += " (the last day in shorter months)"
        return text if n == 1 else text + starting
    text = f"{every} on {MONTH_NAMES[local.month - 1]} {local.day} at {clock}"
    if (local.month, local.day) == (2, 29):
        text += " (February 28 in common years)"
    return text if n == 1 else text + starting


@lru_cache(maxsize=256)
def describe_cron(expression: str) -> str:
    """Plain words for the cron shapes the grammar makes, cron-descriptor for the rest."""
    match = _CRON_AT.match(expression)
    if match and (words := _known_cron(match["rest"])):
        minute = int(match["minute"])
        times = [f"{int(hour):02}:{minute:02}" for hour in match["hours"].split(",")]
        return f"{words} at {_listed(times)}"
    return _cron_descriptor(expression)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _known_cron(rest: str) -> str | None:
    if rest == "* * *":
        return "every day"
    if rest == "L * *":
        return "every month on the last day"
    if match := re.fullmatch(r"(\d{1,2}) \* \*", rest):
        return f"every month on the {ordinal(int(match[1]))}"
    if match := re.fullmatch(r"(\d{1,2}(?:,\d{1,2})+) \* \*", rest):
        return f"every month on the {_listed([ordinal(int(day)) for day in match[1].split(',')])}"
    if (match := re.fullmatch(r"(\d{1,2}) (\d{1,2}) \*", rest)) and 1 <= int(match[2]) <= 12:
        return f"every year on {MONTH_NAMES[int(match[2]) - 1]} {int(match[1])}"
    if not rest.startswith("* * "):
        return None
    days = rest[4:]
    if days == "1-5":
        return "every weekday"
    if days in ("0,6", "6,0"):
        return "every Saturday and Sunday"
    if re.fullmatch(r"L[0-6]", days):
        return f"every last {_CRON_DAY_NAMES[int(days[1])]} of the month"
    if re.fullmatch(r"[0-6]#[1-5]", days):
        return (
            f"every {_ORDINAL_NAMES[int(days[2]) - 1]} {_CRON_DAY_NAMES[int(days[0])]} of the month"
        )
    if re.fullmatch(r"[0-6](?:,[0-6])*", days):
        return f"every {_listed([_CRON_DAY_NAMES[int(day)] for day in days.split(',')])}"
    return None


def _cron_descriptor(expression: str) -> str:
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options()
    options.use_24hour_time_format = True
    options.day_of_week_start_index_zero = True
    # croniter writes "last Friday" as L5; the describer reads 5L.
    fields = expression.split()
    if len(fields) == 5:
        fields[4] = re.sub(r"\bL(\d)\b", r"\1L", fields[4])
    try:
        text = ExpressionDescriptor(" ".join(fields), options).get_description()
    except Exception:  # the describer's own parser is stricter than croniter on some shapes
        return f"on the cron schedule {expression}"
    return f"{text[:1].lower()}{text[1:]}"
