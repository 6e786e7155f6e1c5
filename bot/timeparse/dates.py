"""Day phrases: "today", "tomorrow", "monday", "next friday", "dec 24", "24 december", "12/24"."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta

from bot.timeparse.errors import TimeParseError
from bot.timeparse.lexicon import (
    MONTH_NAMES,
    MONTH_RE,
    MONTHS,
    ORDINAL_SUFFIX_RE,
    WEEKDAY_RE,
    WEEKDAYS,
    ordinal,
)

_DAY = rf"(?P<day>\d{{1,2}}){ORDINAL_SUFFIX_RE}?"
_YEAR = r"(?:,?\s(?P<year>\d{4}))?"
_OPT_WEEKDAY = rf"(?:(?:{WEEKDAY_RE}),?\s)?"
MONTH_DAY = rf"(?P<month>{MONTH_RE})\.?\s(?:the\s)?{_DAY}"
DAY_MONTH = rf"(?:the\s)?{_DAY}\s(?:of\s)?(?P<month>{MONTH_RE})\.?"

_NAMED_DATES = tuple(
    re.compile(rf"^(?:on\s)?{_OPT_WEEKDAY}(?:{form}){_YEAR}$") for form in (MONTH_DAY, DAY_MONTH)
)
_SLASH_DATE = re.compile(r"^(?:on\s)?(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?$")
_DOT_DATE = re.compile(r"^(?:on\s)?(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?:(?P<y>\d{2}|\d{4}))?$")
_ISO_DATE = re.compile(r"^(?:on\s)?(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_NTH_DAY = re.compile(rf"^(?:on\s)?the\s(?P<day>\d{{1,2}}){ORDINAL_SUFFIX_RE}$")
_WEEKDAY = re.compile(rf"^(?:on\s)?(?P<which>this\s|next\s|coming\s)?(?P<weekday>{WEEKDAY_RE})$")
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_ORDINALS |= {"fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1}
_ORDINAL_RE = "|".join(_ORDINALS)
_NTH_WEEKDAY_OF = re.compile(
    rf"^(?:on\s)?(?:the\s)?(?P<ord>{_ORDINAL_RE})\s(?P<weekday>{WEEKDAY_RE})\s(?:in|of)\s"
    rf"(?:(?P<month>{MONTH_RE})|(?P<rel>this|next)\smonth){_YEAR}$"
)
_WEEK_OF = re.compile(
    rf"^(?:on\s)?(?:(?P<weekday>{WEEKDAY_RE})\s(?:of|in)\s(?P<which>this|next)\sweek"
    rf"|(?P<which2>this|next)\sweek(?:,?\s(?:on\s)?)(?P<weekday2>{WEEKDAY_RE}))$"
)
_DAY_OF_MONTH_REL = re.compile(
    rf"^(?:on\s)?(?:the\s)?(?P<day>\d{{1,2}}){ORDINAL_SUFFIX_RE}?\s(?:of\s)?(?P<rel>this|next)\smonth$"
)
_NAMED_DAY = re.compile(r"^(?:on\s)?(?P<name>[a-z' .]+?)(?:,?\s(?P<year>\d{4}))?$")
_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "this evening": 0,
    "tomorrow": 1,
    "tmrw": 1,
    "tmr": 1,
    "tomorrow night": 1,
    "tomorrow evening": 1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
}
_EVENING = {"tonight", "this evening", "tomorrow night", "tomorrow evening"}
_MAX_YEARS_AHEAD = 12


@dataclass(frozen=True, slots=True)
class DaySpec:
    """Candidate dates in order; the first whose time is still ahead is the one meant."""

    candidates: Callable[[date], Iterator[date]]
    evening: bool = False
    fixed: bool = False
    """Only one date is meant: when it has passed, say so instead of moving on."""
    dated: bool = False
    """A calendar date without a year: earlier today means a mistake, not next year."""


def parse_day(text: str, date_order: str) -> DaySpec | None:
    """The day part of a phrase, or None when it is not one."""
    if text in _RELATIVE_DAYS:
        offset = _RELATIVE_DAYS[text]
        return DaySpec(
            lambda today: iter((today + timedelta(days=offset),)), text in _EVENING, fixed=True
        )
    if match := _WEEKDAY.match(text):
        weekday = WEEKDAYS[match["weekday"]]
        skip_today = (match["which"] or "").strip() in ("next", "coming")
        return DaySpec(lambda today: _weekdays(today, weekday, skip_today))
    for pattern in _NAMED_DATES:
        if match := pattern.match(text):
            return _calendar_date(MONTHS[match["month"]], int(match["day"]), match["year"])
    if match := _SLASH_DATE.match(text):
        first, second = int(match["a"]), int(match["b"])
        month, day = (first, second) if date_order == "MDY" else (second, first)
        return _calendar_date(month, day, match["y"])
    if match := _DOT_DATE.match(text):
        return _calendar_date(int(match["m"]), int(match["d"]), match["y"])
    if match := _ISO_DATE.match(text):
        return _calendar_date(int(match["m"]), int(match["d"]), match["y"])
    if match := _NTH_WEEKDAY_OF.match(text):
        return _nth_weekday_of(match)
    if match := _WEEK_OF.match(text):
        weekday = WEEKDAYS[match["weekday"] or match["weekday2"]]
        weeks = 1 if (match["which"] or match["which2"]) == "next" else 0
        return DaySpec(
            lambda today: iter(
                (today - timedelta(days=today.weekday()) + timedelta(weeks=weeks, days=weekday),)
            ),
            fixed=True,
        )
    if match := _DAY_OF_MONTH_REL.match(text):
        return _day_of_month(int(match["day"]), match["rel"] == "next")
    if (match := _NAMED_DAY.match(text)) and (named := named_day(match["name"])):
        return _named(named, match["year"])
    if match := _NTH_DAY.match(text):
        day = int(match["day"])
        check_day(day)
        return DaySpec(lambda today: monthly_dates(today, day), dated=True)
    return None


def check_day(day: int) -> None:
    if not 1 <= day <= 31:
        raise TimeParseError(f"No month has a {ordinal(day)} day.", ("on the 1st", "on the 31st"))


def check_month_day(month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise TimeParseError(
            f"There is no month {month}.", ("12/24 8pm", "dec 24 8pm", "2026-12-24 20:00")
        )
    longest = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= longest:
        raise TimeParseError(
            f"{MONTH_NAMES[month - 1]} has no {ordinal(day)}.", ("dec 24 8pm", "24 december")
        )


def yearly_dates(today: date, month: int, day: int) -> Iterator[date]:
    """Every ``month``/``day`` from this year on, skipping years without it (Feb 29)."""
    for year in range(today.year, min(today.year + _MAX_YEARS_AHEAD, MAXYEAR + 1)):
        try:
            yield date(year, month, day)
        except ValueError:
            continue


def monthly_dates(today: date, day: int, step: int = 1) -> Iterator[date]:
    """Every ``day`` of the month from this month on, skipping months without it."""
    year, month = today.year, today.month
    for _ in range(12 * _MAX_YEARS_AHEAD):
        if year > MAXYEAR:
            return
        if day <= calendar.monthrange(year, month)[1]:
            yield date(year, month, day)
        year, month = divmod(year * 12 + month - 1 + step, 12)
        month += 1


def weekday_dates(today: date, weekday: int) -> Iterator[date]:
    """``weekday`` from today on, each week."""
    first = today + timedelta(days=(weekday - today.weekday()) % 7)
    for week in range(60 * _MAX_YEARS_AHEAD):
        if (date.max - first).days < 7 * week:
            return
        yield first + timedelta(weeks=week)


def _weekdays(today: date, weekday: int, skip_today: bool) -> Iterator[date]:
    start = today + timedelta(days=1) if skip_today else today
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    yield first
    yield first + timedelta(weeks=1)


def _calendar_date(month: int, day: int, year_text: str | None) -> DaySpec:
    check_month_day(month, day)
    if year_text is None:
        return DaySpec(lambda today: yearly_dates(today, month, day), dated=True)
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        fixed = date(year, month, day)
    except ValueError:
        raise TimeParseError(
            f"{year} has no {MONTH_NAMES[month - 1]} {day}.", ("feb 28 2027", "2028-02-29 09:00")
        ) from None
    return DaySpec(lambda today: iter((fixed,)), fixed=True)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The ``nth`` (1-5, or -1 for the last) ``weekday`` of a month, or None (no 5th)."""
    days = calendar.monthrange(year, month)[1]
    matching = [d for d in range(1, days + 1) if date(year, month, d).weekday() == weekday]
    if nth == -1:
        return date(year, month, matching[-1])
    return date(year, month, matching[nth - 1]) if nth <= len(matching) else None


def _nth_weekday_of(match: re.Match[str]) -> DaySpec:
    nth, weekday = _ORDINALS[match["ord"]], WEEKDAYS[match["weekday"]]
    fixed_year = int(match["year"]) if match["year"] else None

    def candidates(today: date) -> Iterator[date]:
        if match["rel"]:
            index = today.year * 12 + today.month - 1 + (match["rel"] == "next")
            found = nth_weekday(index // 12, index % 12 + 1, weekday, nth)
            yield from (found,) if found else ()
            return
        month = MONTHS[match["month"]]
        years = (fixed_year,) if fixed_year else range(today.year, today.year + _MAX_YEARS_AHEAD)
        for year in years:
            if (found := nth_weekday(year, month, weekday, nth)) is not None:
                yield found

    single = bool(match["rel"] or fixed_year)
    return DaySpec(candidates, fixed=single, dated=not single)


def _easter_offset(days: int) -> Callable[[int], date]:
    from dateutil.easter import easter

    return lambda year: easter(year) + timedelta(days=days)


def _thanksgiving(year: int) -> date:
    found = nth_weekday(year, 11, 3, 4)
    assert found is not None
    return found


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


# Days a server would name, each read as the same date every year (or a rule for one).
NAMED_DAYS: dict[str, Callable[[int], date]] = {
    "christmas": _fixed(12, 25), "christmas day": _fixed(12, 25), "xmas": _fixed(12, 25),
    "christmas eve": _fixed(12, 24), "xmas eve": _fixed(12, 24), "boxing day": _fixed(12, 26),
    "new year's eve": _fixed(12, 31), "new years eve": _fixed(12, 31), "nye": _fixed(12, 31),
    "new year's day": _fixed(1, 1), "new years day": _fixed(1, 1), "new year's": _fixed(1, 1),
    "new year": _fixed(1, 1), "halloween": _fixed(10, 31), "valentine's day": _fixed(2, 14),
    "valentines day": _fixed(2, 14), "st patrick's day": _fixed(3, 17),
    "st. patrick's day": _fixed(3, 17), "saint patrick's day": _fixed(3, 17),
    "easter": _easter_offset(0), "easter sunday": _easter_offset(0),
    "easter monday": _easter_offset(1), "good friday": _easter_offset(-2),
    "thanksgiving": _thanksgiving,
}  # fmt: skip


def named_day(name: str) -> Callable[[int], date] | None:
    return NAMED_DAYS.get(name.removeprefix("the ").strip())


def _named(rule: Callable[[int], date], year_text: str | None) -> DaySpec:
    if year_text is not None:
        fixed = rule(int(year_text))
        return DaySpec(lambda today: iter((fixed,)), fixed=True)
    return DaySpec(
        lambda today: (rule(year) for year in range(today.year, today.year + _MAX_YEARS_AHEAD)),
        dated=True,
    )


def _day_of_month(day: int, next_month: bool) -> DaySpec:
    """ "the 3rd of next month": that one date, refused when the month has no such day."""
    check_day(day)

    def candidates(today: date) -> Iterator[date]:
        index = today.year * 12 + today.month - 1 + next_month
        year, month = index // 12, index % 12 + 1
        if day > calendar.monthrange(year, month)[1]:
            raise TimeParseError(
                f"{MONTH_NAMES[month - 1]} has no {ordinal(day)}.", ("the last day of the month",)
            )
        yield date(year, month, day)

    return DaySpec(candidates, fixed=True)
