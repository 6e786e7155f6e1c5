"""Recurrence phrases: "every 15 minutes", "every weekday at 9am", "every last friday at 17:00"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.scheduling.recurrence import Recurrence
from bot.task_kinds import RecurrenceType
from bot.timeparse.clock import AT_TIME, MIDNIGHT, TimeOfDay, parse_time, time_from_match
from bot.timeparse.context import ParseContext
from bot.timeparse.cron import first_cron_run
from bot.timeparse.dates import (
    DAY_MONTH,
    MONTH_DAY,
    check_day,
    check_month_day,
    monthly_dates,
    named_day,
    weekday_dates,
    yearly_dates,
)
from bot.timeparse.errors import RECURRENCE_EXAMPLES, TimeParseError
from bot.timeparse.instants import parse_instant
from bot.timeparse.lexicon import (
    MONTHS,
    NUMBER_RE,
    ORDINAL_SUFFIX_RE,
    ORDINAL_WORDS,
    WEEKDAY_RE,
    cron_weekday,
    number_value,
    weekday_number,
)


def _patterns(*alternatives: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(f"^(?:{alternative})$") for alternative in alternatives)


_KEYWORDS = re.compile(
    r"\b(?:every|each|everyday|daily|nightly|hourly|minutely|weekly|biweekly|fortnightly"
    r"|monthly|quarterly|yearly|annually|weekdays|weekends"
    r"|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)\b"
)
_EVERY = r"(?:every|each)"
_N = rf"(?P<n>{NUMBER_RE}|other)"
_START = re.compile(
    r"^(?P<body>.+?),?\s(?:starting|beginning|from)(?:\s(?:at|on|from))?\s(?P<start>.+)$"
)
_TIME_LIST_SEPARATOR = re.compile(r"\s?,\s?(?:and\s)?|\s(?:and|&)\s")
_BODY_THEN_TIME = re.compile(rf"^(?P<body>.+?),?\s{AT_TIME}$")
_TIME_THEN_BODY = re.compile(rf"^{AT_TIME},?\s(?P<body>.+)$")

_ELAPSED = re.compile(
    rf"^(?:{_EVERY}\s(?:{_N}\s?)?(?:(?P<minute>minutes?|mins?|m)|(?P<hour>hours?|hrs?|h))"
    r"|(?P<word>hourly|minutely)"
    rf"|{_EVERY}\shalf\s(?:an\s)?(?P<half>hour))$"
)
_SECONDS = re.compile(rf"^{_EVERY}\s(?:(?P<n>{NUMBER_RE})\s?)?(?:seconds?|secs?|s)$")
_DAILY = re.compile(
    rf"^(?:daily|nightly|everyday|{_EVERY}\s(?:{_N}\s)?days?"
    rf"|{_EVERY}\s(?P<nth>second|third|\d+{ORDINAL_SUFFIX_RE})\sday)$"
)
_WORKDAYS = re.compile(rf"^(?:(?:{_EVERY}|on)\s)?(?:weekdays?|work\s?days?|business\sdays?)$")
_WEEKENDS = re.compile(rf"^(?:(?:{_EVERY}|on)\s)?(?:weekends?|weekend\sdays?)$")
_DAY_LIST = (
    rf"(?P<days>(?:{WEEKDAY_RE})s?(?:(?:\s?,\s?|\s?,?\s(?:and|&)\s|\s?&\s?|\s?/\s?|\s)"
    rf"(?:{WEEKDAY_RE})s?)*)"
)
_WEEKLY = _patterns(
    rf"(?:weekly|biweekly|fortnightly|{_EVERY}\s(?:{_N}\s)?(?:weeks?|fortnight))"
    rf"(?:\s(?:on\s)?{_DAY_LIST})?",
    rf"(?:{_EVERY}\s(?:{_N}\s)?|on\s)?{_DAY_LIST}",
)
_DAY_OF_MONTH = (
    rf"(?:(?P<day>\d{{1,2}}){ORDINAL_SUFFIX_RE}|(?P<firstday>first)|(?P<lastday>last(?:\sday)?))"
)
_MONTHLY = _patterns(
    rf"(?:monthly|{_EVERY}\s(?:{_N}\s)?months?)"
    rf"(?:\s(?:on\s)?(?:the\s)?{_DAY_OF_MONTH}(?:\sday)?)?",
    rf"(?P<quarter>quarterly|{_EVERY}\squarter)"
    rf"(?:\s(?:on\s)?(?:the\s)?{_DAY_OF_MONTH}(?:\sday)?)?",
    rf"(?:on\s)?(?:the\s)?{_DAY_OF_MONTH}(?:\sday)?\sof\s(?:{_EVERY}|the)\s(?:{_N}\s)?months?",
    rf"{_EVERY}\s(?:the\s)?{_DAY_OF_MONTH}(?:(?:\sday)?\sof\s(?:the|{_EVERY})\smonth)?",
)
_ORDINAL = r"(?P<ord>first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)"
_NTH_WEEKDAY = _patterns(
    rf"(?:(?:{_EVERY}|on)\s)?(?:the\s)?{_ORDINAL}\s(?P<weekday>{WEEKDAY_RE})"
    rf"(?:\s(?:of\s)?(?:the|{_EVERY})\smonth)?"
)
_YEARLY = _patterns(
    rf"(?:yearly|annually|{_EVERY}\s(?:{_N}\s)?years?)(?:\s(?:on\s)?(?:{MONTH_DAY}))?",
    rf"(?:yearly|annually|{_EVERY}\s(?:{_N}\s)?years?)\s(?:on\s)?(?:{DAY_MONTH})",
    rf"{_EVERY}\s(?:{MONTH_DAY})",
    rf"{_EVERY}\s(?:{DAY_MONTH})",
    rf"(?:on\s)?(?:{MONTH_DAY})\s{_EVERY}\syear",
    rf"(?:on\s)?(?:{DAY_MONTH})\s{_EVERY}\syear",
)


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EXCEPT = re.compile(
    r"^(?P<base>(?:every|each)\sday|daily|everyday|(?:every\s)?weekdays?|(?:every\s)?work\s?days?)"
    r"\s(?:except|but\snot|excluding|apart\sfrom|other\sthan)(?:\son)?\s"
    rf"(?P<except>weekends?|{_DAY_LIST})(?P<rest>,?\s.+)?$"
)
_TIMES_A_DAY = re.compile(
    r"^(?P<n>once|twice|thrice|\d+\stimes)\s(?:a|per|each|every)\sday(?P<rest>,?\s.+)?$"
)
_TIMES_A_WEEK = re.compile(
    r"^(?:once|twice|thrice|\d+\stimes)\s(?:a|per|each|every)\s(?:week|month|year)\b"
)
_FRACTIONAL_HOURS = re.compile(rf"^{_EVERY}\s(?P<n>\d+\.\d+)\s?(?:hours?|hrs?|h)(?P<rest>,?\s.+)?$")
_ORDINALS_OF_A_MONTH = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty-first", "twenty-second",
    "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh",
    "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first",
)  # fmt: skip
_ORDINAL_DAY_WORDS = {word: n for n, word in enumerate(_ORDINALS_OF_A_MONTH, start=1)}
_ORDINAL_DAY = (
    rf"(?:\d{{1,2}}{ORDINAL_SUFFIX_RE}|"
    + "|".join(sorted(_ORDINAL_DAY_WORDS, key=len, reverse=True)).replace("-", "[\\s-]")
    + ")"
)
_DAY_LIST_OF_MONTH = re.compile(
    rf"^(?:(?:{_EVERY}|a)\smonth,?\s|monthly,?\s)?(?:on\s)?(?:the\s)?"
    rf"(?P<list>{_ORDINAL_DAY}(?:(?:\s?,\s?(?:and\s)?|\s(?:and|&)\s)(?:the\s)?{_ORDINAL_DAY})+)"
    rf"(?:(?:\sday)?\s(?:of\s)?(?:{_EVERY}|the|a)\smonth|\s(?:{_EVERY}\smonth|monthly))?$"
)


_EVERY_NAMED_DAY = re.compile(
    rf"^(?:{_EVERY}|on)\s(?:the\s)?(?P<name>[a-z' .]+?)(?:\s{_EVERY}\syear)?$"
)


@dataclass(frozen=True, slots=True)
class RecurrenceMatch:
    """The first run and the rule (without count or until) a recurrence phrase names."""

    first_run: datetime
    recurrence: Recurrence
    explicit_start: bool = False


def looks_recurring(text: str) -> bool:
    return bool(
        _KEYWORDS.search(text)
        or _TIMES_A_DAY.match(text)
        or _TIMES_A_WEEK.match(text)
        or _day_list_of_month(text)
    )


def _day_list_of_month(text: str) -> bool:
    body = _BODY_THEN_TIME.match(text)
    several = _several_times(text)
    core = several[0] if several else (body["body"] if body else text)
    return bool(_DAY_LIST_OF_MONTH.match(core))


def _except(text: str) -> str:
    """ "every weekday except friday" as the days that are left: "every mon tue wed thu"."""
    match = _EXCEPT.match(text)
    if not match:
        return text
    workdays = "week" in match["base"] or "work" in match["base"]
    base = set(range(5)) if workdays else set(range(7))
    if match["except"].startswith("weekend"):
        dropped = {5, 6}
    else:
        dropped = {weekday_number(word) for word in re.findall(WEEKDAY_RE + "s?", match["except"])}
    left = sorted(base - dropped)
    if not left or not dropped <= base:
        raise TimeParseError(
            f'"{text}" leaves no day, or drops a day that was not in it.',
            ("every weekday except friday at 9am", "every day except sunday at 8pm"),
        )
    return "every " + " ".join(_DAY_NAMES[day] for day in left) + (match["rest"] or "")


def _whole_minutes(text: str) -> str:
    """ "every 1.5 hours" as "every 90 minutes"."""
    match = _FRACTIONAL_HOURS.match(text)
    if not match:
        return text
    minutes = float(match["n"]) * 60
    if minutes != int(minutes):
        return text
    return f"every {int(minutes)} minutes{match['rest'] or ''}"


def _times_a_day(text: str) -> tuple[str, int | None]:
    """ "twice a day at 9 and 17" as "every day at 9 and 17", and the number of times said."""
    if _TIMES_A_WEEK.match(text):
        raise TimeParseError(
            "Several times a week or a month: say which days.",
            ("every mon and thu at 9am", "on the 1st and 15th at noon"),
        )
    match = _TIMES_A_DAY.match(text)
    if not match:
        return text, None
    word = match["n"]
    times = {"once": 1, "twice": 2, "thrice": 3}.get(word) or int(word.split()[0])
    return "every day" + (match["rest"] or ""), times


def parse_recurrence(text: str, ctx: ParseContext) -> RecurrenceMatch | None:
    """The recurrence a normalized phrase (limits already stripped) names, or None."""
    if not looks_recurring(text):
        return None
    text, times_a_day = _times_a_day(_whole_minutes(text))
    text = _except(text)
    origin = ctx.now
    start_given = False
    if (match := _START.match(text)) and (start := parse_instant(match["start"], ctx)):
        text, origin, start_given = match["body"], start.at, True
    tod: TimeOfDay | None = None
    several = _several_times(text)
    if several is None:
        for pattern in (_BODY_THEN_TIME, _TIME_THEN_BODY):
            if match := pattern.match(text):
                text, tod = match["body"], time_from_match(match)
                break
    if match := _SECONDS.match(text):
        seconds = number_value(match["n"]) if match["n"] else 1
        if seconds % 60 or not seconds:
            offers = sorted({max(1, seconds // 60), seconds // 60 + 1}, reverse=True)
            phrases = [_every_minutes(n) for n in offers]
            typed = " or ".join(f'"{phrase}"' for phrase in phrases)
            raise TimeParseError(
                f"Repeats go in whole minutes, one minute the shortest: for every {seconds} "
                f"seconds, type {typed}.",
                phrases,
            )
        text = f"every {seconds // 60} minutes"
    said = len(several[1]) if several is not None else (1 if tod is not None else 0)
    if times_a_day is not None and times_a_day != said:
        raise TimeParseError(
            f"That says {times_a_day} times a day but gives {said} time(s): list each one.",
            ("twice a day at 9 and 17", "three times a day at 8, 12 and 18"),
        )
    if several is not None:
        result = _at_several_times(several[0], several[1], ctx, origin)
    elif match := _ELAPSED.match(text):
        result = _elapsed(match, ctx, origin, tod, start_given)
    else:
        result = _calendar(text, ctx, origin, tod)
    if result is None or not start_given:
        return result
    return RecurrenceMatch(result.first_run, result.recurrence, explicit_start=True)


def _several_times(text: str) -> tuple[str, list[TimeOfDay]] | None:
    """Split "every day at 9am and 5pm" into the body and its times, when there are several."""
    body, separator, tail = text.rpartition(" at ")
    if not separator:
        return None
    parts = _TIME_LIST_SEPARATOR.split(tail)
    if len(parts) < 2:
        return None
    times = [parse_time("at " + part.removeprefix("at ")) for part in parts]
    if any(time is None for time in times):
        return None
    return body, [time for time in times if time is not None]


def _at_several_times(
    text: str, times: list[TimeOfDay], ctx: ParseContext, origin: datetime
) -> RecurrenceMatch | None:
    minutes = {time.clock.minute for time in times}
    if len(minutes) != 1:
        raise TimeParseError(
            "Several times a day must share their minutes (9:30 and 17:30, not 9:30 and 17:00).",
            ("every day at 9am and 5pm", "every weekday at 9:30 and 17:30"),
        )
    hours = ",".join(str(hour) for hour in sorted({time.clock.hour for time in times}))
    clock = f"{minutes.pop()} {hours}"
    if (match := _DAILY.match(text)) and _n(match) == 1:
        return _cron(ctx, origin, f"{clock} * * *")
    if _WORKDAYS.match(text):
        return _cron(ctx, origin, f"{clock} * * 1-5")
    if _WEEKENDS.match(text):
        return _cron(ctx, origin, f"{clock} * * 0,6")
    if (match := _match(_WEEKLY, text)) and match["days"] and _n(match) == 1:
        return _cron(ctx, origin, f"{clock} * * {_weekday_field(match['days'])}")
    if match := _DAY_LIST_OF_MONTH.match(text):
        return _cron(ctx, origin, f"{clock} {_month_days(match['list'])} * *")
    if _KEYWORDS.search(text):
        raise TimeParseError(
            "Several times a day work with every day, weekdays, weekends or named days.",
            ("every day at 9am and 5pm", "every mon and thu at 8 and 20"),
        )
    return None


def _calendar(
    text: str, ctx: ParseContext, origin: datetime, tod: TimeOfDay | None
) -> RecurrenceMatch | None:
    clock = (tod or MIDNIGHT).clock
    if match := _DAILY.match(text):
        return _first(ctx, origin, RecurrenceType.DAILY, _n(match), _every_day(ctx, origin), tod)
    if _WORKDAYS.match(text):
        return _cron(ctx, origin, f"{clock.minute} {clock.hour} * * 1-5")
    if _WEEKENDS.match(text):
        return _cron(ctx, origin, f"{clock.minute} {clock.hour} * * 0,6")
    if match := _match(_NTH_WEEKDAY, text):
        weekday = cron_weekday(weekday_number(match["weekday"]))
        which = match["ord"]
        field = f"L{weekday}" if which == "last" else f"{weekday}#{_ordinal(which)}"
        return _cron(ctx, origin, f"{clock.minute} {clock.hour} * * {field}")
    if match := _match(_WEEKLY, text):
        return _weekly(match, text, ctx, origin, tod)
    if match := _DAY_LIST_OF_MONTH.match(text):
        return _cron(ctx, origin, f"{clock.minute} {clock.hour} {_month_days(match['list'])} * *")
    if match := _match(_MONTHLY, text):
        return _monthly(match, ctx, origin, tod)
    if match := _EVERY_NAMED_DAY.match(text):
        return _every_named_day(match["name"], ctx, origin, tod)
    if match := _match(_YEARLY, text):
        interval = _n(match)
        if match.groupdict().get("month") is None:
            days = _every_day(ctx, origin)
        else:
            month, day = MONTHS[match["month"]], int(match["day"])
            check_month_day(month, day)
            days = yearly_dates(ctx.local(origin).date(), month, day)
        return _first(ctx, origin, RecurrenceType.YEARLY, interval, days, tod)
    return None


def _elapsed(
    match: re.Match[str],
    ctx: ParseContext,
    origin: datetime,
    tod: TimeOfDay | None,
    start_given: bool,
) -> RecurrenceMatch:
    if match["half"]:
        kind, interval = RecurrenceType.MINUTELY, 30
    else:
        kind = (
            RecurrenceType.MINUTELY
            if match["minute"] or match["word"] == "minutely"
            else (RecurrenceType.HOURLY)
        )
        interval = _n(match) if match["n"] else 1
    recurrence = Recurrence(kind, interval)
    if tod is not None:
        return _first(ctx, origin, kind, interval, _every_day(ctx, origin), tod)
    if start_given:
        return RecurrenceMatch(origin, recurrence)
    step = (
        timedelta(minutes=interval)
        if kind is RecurrenceType.MINUTELY
        else (timedelta(hours=interval))
    )
    first = ctx.now + step
    if first.second or first.microsecond:
        first = first.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return RecurrenceMatch(first, recurrence)


def _weekly(
    match: re.Match[str],
    text: str,
    ctx: ParseContext,
    origin: datetime,
    tod: TimeOfDay | None,
) -> RecurrenceMatch:
    interval = 2 if ("biweekly" in text or "fortnight" in text) else _n(match)
    days_text = match["days"]
    if not days_text:
        return _first(ctx, origin, RecurrenceType.WEEKLY, interval, _every_day(ctx, origin), tod)
    weekdays = sorted({weekday_number(word) for word in re.findall(WEEKDAY_RE + "s?", days_text)})
    if len(weekdays) == 1:
        days = weekday_dates(ctx.local(origin).date(), weekdays[0])
        return _first(ctx, origin, RecurrenceType.WEEKLY, interval, days, tod)
    if interval != 1:
        raise TimeParseError(
            f"I can repeat several days every week, but not every {interval} weeks.",
            ("every mon, wed and fri at 7pm", "every 2 weeks on friday at 18:00"),
        )
    clock = (tod or MIDNIGHT).clock
    return _cron(ctx, origin, f"{clock.minute} {clock.hour} * * {_weekday_field(days_text)}")


def _monthly(
    match: re.Match[str], ctx: ParseContext, origin: datetime, tod: TimeOfDay | None
) -> RecurrenceMatch:
    interval = 3 if match.groupdict().get("quarter") else _n(match)
    if match["lastday"]:
        if interval != 1:
            raise TimeParseError(
                "I can run on the last day of every month, but not every few months.",
                ("every month on the last day", "every 3 months on the 1st"),
            )
        clock = (tod or MIDNIGHT).clock
        return _cron(ctx, origin, f"{clock.minute} {clock.hour} L * *")
    if match["day"] is None and not match["firstday"]:
        days = _every_day(ctx, origin)
    else:
        day = int(match["day"] or 1)
        check_day(day)
        days = monthly_dates(ctx.local(origin).date(), day)
    return _first(ctx, origin, RecurrenceType.MONTHLY, interval, days, tod)


def _first(
    ctx: ParseContext,
    origin: datetime,
    kind: RecurrenceType,
    interval: int,
    days: Iterator[date],
    tod: TimeOfDay | None,
) -> RecurrenceMatch:
    """Anchor the rule on the first candidate day whose wall-clock time is after ``origin``."""
    clock = (tod or MIDNIGHT).clock
    for day in days:
        run = ctx.at(day, clock)
        if run >= origin and run > ctx.now:
            # A first run shifted out of a DST gap: later runs keep the time that was asked.
            asked = datetime.combine(day, clock) if ctx.local(run).time() != clock else None
            return RecurrenceMatch(run, Recurrence(kind, interval, wall_anchor=asked))
    raise TimeParseError("That date never comes round.", RECURRENCE_EXAMPLES)


def _cron(ctx: ParseContext, origin: datetime, expression: str) -> RecurrenceMatch:
    after = max(origin - timedelta(microseconds=1), ctx.now)
    run = first_cron_run(expression, ctx, after)
    return RecurrenceMatch(run, Recurrence(RecurrenceType.CRON, cron=expression))


def _every_day(ctx: ParseContext, origin: datetime) -> Iterator[date]:
    start = ctx.local(origin).date()
    return (start + timedelta(days=offset) for offset in range(3))


def _weekday_field(days_text: str) -> str:
    weekdays = sorted({weekday_number(word) for word in re.findall(WEEKDAY_RE + "s?", days_text)})
    return ",".join(str(cron_weekday(day)) for day in weekdays)


def _match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        if match := pattern.match(text):
            return match
    return None


def _n(match: re.Match[str]) -> int:
    groups = match.groupdict()
    if nth := groups.get("nth"):
        word = str(ORDINAL_WORDS.get(nth) or int(nth[:-2]))
    else:
        word = groups.get("n") or "1"
    value = 2 if word == "other" else number_value(word)
    if not 1 <= value <= 1000:
        raise TimeParseError(f"Every {value}? Give an interval from 1 to 1000.", ("every 2 weeks",))
    return value


def _ordinal(word: str) -> int:
    return ORDINAL_WORDS.get(word) or int(word[0])


def _month_days(listed: str) -> str:
    days = set()
    for word in re.findall(_ORDINAL_DAY, listed):
        key = re.sub(r"\s", "-", word)
        day = _ORDINAL_DAY_WORDS.get(key) or int(re.sub(r"\D", "", word))
        check_day(day)
        days.add(day)
    return ",".join(str(day) for day in sorted(days))


def _every_minutes(n: int) -> str:
    return "every minute" if n == 1 else f"every {n} minutes"


def _every_named_day(
    name: str, ctx: ParseContext, origin: datetime, tod: TimeOfDay | None
) -> RecurrenceMatch | None:
    """ "every christmas": yearly on a fixed date; thanksgiving as cron; easter refused."""
    rule = named_day(name)
    if rule is None:
        return None
    clock = (tod or MIDNIGHT).clock
    if name.strip() == "thanksgiving":
        return _cron(ctx, origin, f"{clock.minute} {clock.hour} * 11 4#4")
    dates = {rule(year) for year in (2027, 2028, 2029)}
    if len({(day.month, day.day) for day in dates}) > 1:
        raise TimeParseError(
            f'"{name}" falls on a different date each year, which a repeat cannot follow: '
            "schedule each year's on its own.",
            (f"{name} at 10am", f"{name} 2027 at 10am"),
        )
    first = next(iter(dates))
    days = yearly_dates(ctx.local(origin).date(), first.month, first.day)
    return _first(ctx, origin, RecurrenceType.YEARLY, 1, days, tod)
