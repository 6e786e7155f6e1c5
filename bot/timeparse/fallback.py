"""dateparser, for what the grammar does not cover, with its known faults kept from members.

Guards: junk never reaches dateparser (no digit and no word of the configured languages), so it
cannot load every language; text without letters reaches it only as dates and clock times
("8:00", "24.12.2026"), and one whose only content is a number ("#3", "(3)", "+5") is refused
as ambiguous, since dateparser drops the symbols and reads the number as a month; relative
results (they keep the base's microseconds) are recomputed as elapsed time from the aware now
(dateparser steps a naive wall clock across DST); results that land in the past or far ahead
(time-only input at a month's end) are recomputed a week earlier; a lone number read as a month
("at 8" as August) is refused as ambiguous, and so is a result that leaves a number of the text
unread ("morgen um 9 uhr" as tomorrow at this time).

No confident wrong answer (``check_agreement``): a reading is refused, showing it, when it leaves
a word unread, lands in the past for text that says nothing of the past, is now itself, or
contradicts what the grammar sees in the text (a clock time, a weekday, an "in <duration>"); a
part of day without an hour and "9-5" (a date, or working hours?) never reach dateparser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta

from bot.timeparse.clock import STRICT_TIME, time_from_match
from bot.timeparse.content import (
    NUMBER,
    has_letters,
    is_numeric_date_or_clock,
    lone_number,
    tokens,
)
from bot.timeparse.context import ParseContext
from bot.timeparse.describe import format_clock, format_day
from bot.timeparse.durations import Duration, parse_duration
from bot.timeparse.errors import ALL_EXAMPLES, TimeParseError
from bot.timeparse.lexicon import WEEKDAY_NAMES, WEEKDAYS, ordinal

_MAX_LENGTH = 120
_PROBE_SHIFT = timedelta(days=1, hours=1, minutes=7)
_NEAR = timedelta(days=8)
_MARKER_MICROSECOND = 123_457
_WORD = re.compile(r"[^\W\d_]+")
# A number with at most one word either side ("8", "at 8", "um 8 uhr"), symbols aside.
_LONE_NUMBER_SHAPES = frozenset({"N", "WN", "NW", "WNW"})
_CLOCK = re.compile(rf"(?<![\w:.]){STRICT_TIME}(?![\w:])")
_PAST_WORDS = re.compile(r"\b(?:ago|yesterday|last|before|earlier|gestern|hier|vor)\b")
# "9-5": a date, or the hours of a working day? (Past 12 only a date can mean it.)
_RANGE = re.compile(r"^\d{1,2}\s?[-–]\s?\d{1,2}$")
_PART_HOUR = {"morning": 9, "afternoon": 3, "evening": 7, "night": 11, "tonight": 8}
_PART_OF_DAY = re.compile(r"\b(?:morning|afternoon|evening|night|tonight)\b")


class Fallback:
    """One dateparser set-up for a language list and a date order."""

    def __init__(self, languages: tuple[str, ...], date_order: str) -> None:
        from dateparser.languages.loader import default_loader

        self.languages = list(languages)
        self.date_order = date_order
        try:
            locales = [default_loader.get_locale(language) for language in languages]
        except Exception as exc:  # dateparser rejects unknown language codes its own way
            raise ValueError(f"unknown language in {languages!r}: {exc}") from None
        self.vocabulary = frozenset(
            word for locale in locales for word in _words(locale.info) if len(word) > 1
        )

    def parse(self, text: str, ctx: ParseContext) -> datetime | None:
        """An aware UTC instant, None when dateparser finds nothing, or a ``TimeParseError``.

        Never a guess: a result that leaves a word or a number of the text unread, or that
        disagrees with a time or weekday the grammar sees in the text, is refused with the
        reading dateparser gave.
        """
        if (part := _PART_OF_DAY.search(text)) and not NUMBER.search(text):
            raise TimeParseError(
                f'"{text}" needs a time of day: which hour of the {part[0]}?',
                (f"{text} at {_PART_HOUR[part[0]]}",),
            )
        result = self._parse(text, ctx)
        if result is not None:
            check_agreement(text, result, ctx, self.vocabulary)
        return result

    def _parse(self, text: str, ctx: ParseContext) -> datetime | None:
        if len(text) > _MAX_LENGTH or not self._carries_time(text):
            return None
        base = ctx.local_now
        if not base.microsecond:
            base = base.replace(microsecond=_MARKER_MICROSECOND)
        first = self._call(text, base)
        if first is None:
            return None
        if first.tzinfo is not None:
            _refuse_unread_numbers(text, first)
            return first.astimezone(UTC)
        if first.microsecond == base.microsecond:
            # Only an offset from the base keeps its microseconds: a relative phrase.
            offset = first - base
            _refuse_unread_numbers(text, None, _offset_fields(base, first))
            if offset % timedelta(days=1):
                return ctx.now + offset
            return ctx.to_utc(ctx.local_now + offset)
        _refuse_month_for_hour(text, first)
        _refuse_unread_numbers(text, first)
        candidate = ctx.to_utc(first)
        if ctx.now < candidate <= ctx.now + _NEAR:
            return candidate
        if self._call(text, base + _PROBE_SHIFT) == first:
            return candidate
        return self._date_relative(text, ctx, base, first)

    def _date_relative(
        self, text: str, ctx: ParseContext, base: datetime, first: datetime
    ) -> datetime | None:
        candidate = ctx.to_utc(first)
        if ctx.now < candidate <= ctx.now + _NEAR:
            return candidate
        week = timedelta(days=7)
        earlier = self._call(text, base - week)
        if earlier is None or earlier.tzinfo is not None:
            return candidate
        for extra in (week, week + timedelta(days=1)):
            candidate = ctx.to_utc(earlier + extra)
            if ctx.now < candidate <= ctx.now + _NEAR:
                return candidate
        return candidate

    def _carries_time(self, text: str) -> bool:
        if (found := _RANGE.match(text.strip())) and max(map(int, NUMBER.findall(found[0]))) <= 12:
            raise TimeParseError(
                f'Is "{text}" a date or a range of hours? Say which.',
                ("sep 5 at 9am", "at 9am", "2026-09-05 09:00"),
            )
        if not has_letters(text):
            if (number := lone_number(text)) is not None:
                raise _ambiguous(text, number)
            return is_numeric_date_or_clock(text)
        return bool(NUMBER.search(text)) or any(
            word in self.vocabulary for word in _WORD.findall(text)
        )

    def _call(self, text: str, base: datetime) -> datetime | None:
        from dateparser.date import DateDataParser

        settings = {
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "DATE_ORDER": self.date_order,
            # Not timestamps: a bare number is never read as seconds since 1970.
            "PARSERS": ["relative-time", "absolute-time"],
        }
        try:
            parser = DateDataParser(languages=self.languages, settings=settings)
            result: datetime | None = parser.get_date_data(text).date_obj
        except Exception:  # dateparser raises assorted errors on odd input: treat as no date
            return None
        return result


def check_agreement(
    text: str, result: datetime, ctx: ParseContext, vocabulary: frozenset[str]
) -> None:
    """Refuse a fallback reading that used only part of ``text`` or contradicts the grammar."""
    text = text.lower()
    local = ctx.local(result)
    reading = f"{format_day(local)} {format_clock(local)}"
    unread = [word for word in _WORD.findall(text) if len(word) > 1 and word not in vocabulary]
    if unread:
        raise TimeParseError(
            f'I could only read part of "{text}" (as {reading}): "{unread[0]}" means nothing '
            "to me. Say it without the extra words.",
            ("tuesday at 3pm", "tomorrow at 9am", "in 2 hours"),
        )
    if result <= ctx.now and not _PAST_WORDS.search(text):
        raise TimeParseError(
            f'I could not read "{text}" as a time ahead (it reads as {reading}).',
            ("in 1 week at noon", "next friday at 9am", "dec 24 at 8pm"),
        )
    if abs(result - ctx.now) < timedelta(minutes=1) and "now" not in text:
        raise TimeParseError(f'I could not read a time in "{text}".', ("tonight at 8", "in 1 hour"))
    for match in _CLOCK.finditer(text):
        try:
            clock = time_from_match(match).clock
        except TimeParseError:
            continue
        if (local.hour, local.minute) != (clock.hour, clock.minute) and not (
            match.groupdict().get("hoc") and local.hour % 12 == clock.hour % 12
        ):
            raise _disagree(text, reading, f"{clock:%H:%M}")
    offset = _stated_offset(text)
    if offset is not None:
        expected = offset.after(ctx, ctx.now)
        if abs(result - expected) > timedelta(seconds=1):
            local_expected = ctx.local(expected)
            raise _disagree(
                text, reading, f"{format_day(local_expected)} {format_clock(local_expected)}"
            )
    for word in _WORD.findall(text):
        if word in WEEKDAYS and WEEKDAYS[word] != local.weekday():
            raise _disagree(text, reading, WEEKDAY_NAMES[WEEKDAYS[word]])


def _stated_offset(text: str) -> Duration | None:
    """The longest duration right after an "in" ("in 2 hours et" states 2 hours)."""
    words = text.split()
    for start, word in enumerate(words):
        if word not in ("in", "dans"):
            continue
        for end in range(min(len(words), start + 7), start + 1, -1):
            try:
                duration = parse_duration(" ".join(words[start + 1 : end]))
            except TimeParseError:
                duration = None
            if duration is not None and not duration.is_zero:
                return duration
    return None


def _disagree(text: str, reading: str, seen: str) -> TimeParseError:
    return TimeParseError(
        f'"{text}" reads two ways: as {reading}, yet it says {seen}. '
        "Say the day and the time plainly.",
        ("next tuesday at 3pm", "dec 24 at 8pm", "tomorrow at 09:00"),
    )


@lru_cache(maxsize=8)
def get_fallback(languages: tuple[str, ...], date_order: str) -> Fallback:
    return Fallback(languages, date_order)


def _refuse_month_for_hour(text: str, result: datetime) -> None:
    if ":" in text:
        return
    found = tokens(text)
    shape = "".join("N" if NUMBER.fullmatch(token) else "W" for token in found)
    if shape not in _LONE_NUMBER_SHAPES:
        return
    number = found[shape.index("N")]
    if len(number) > 2:
        return
    if result.minute == 0 and result.hour in (int(number), int(number) + 12):
        return
    raise _ambiguous(text, number)


def _ambiguous(text: str, number: str) -> TimeParseError:
    """A lone number could be an hour, a day or a month: offer the readings it can have."""
    if len(number) > 2 or int(number) > 31:
        return TimeParseError(f'"{text}" is only a number: say what time it means.', ALL_EXAMPLES)
    value = int(number)
    examples = [f"at {value}:00"] if value <= 23 else []
    if 1 <= value <= 12:
        examples.append(f"at {value}pm")
    if value >= 1:
        examples.append(f"on the {ordinal(value)} at 9am")
    return TimeParseError(f'"{text}" is ambiguous: is {value} an hour, a day or a month?', examples)


def _refuse_unread_numbers(
    text: str, result: datetime | None, fields: set[int] | None = None
) -> None:
    """dateparser drops parts it cannot read ("morgen um 9 uhr" gives tomorrow at this time)."""
    if fields is None:
        assert result is not None
        fields = {result.hour, result.hour % 12 or 12, result.minute, result.second}
        fields |= {result.day, result.month, result.year, result.year % 100}
    for number in NUMBER.findall(text):
        if int(number) not in fields:
            raise TimeParseError(
                f'I could not make sense of "{number}" in "{text}".',
                ("tomorrow at 9am", "dec 24 8pm", "in 3 hours"),
            )


def _offset_fields(base: datetime, result: datetime) -> set[int]:
    """Every way the numbers of a relative phrase can show in its offset."""
    step = relativedelta(result, base)
    total = result - base
    fields = {step.years, step.months, step.weeks, step.days, step.hours, step.minutes}
    fields |= {step.seconds, step.months + 12 * step.years, total.days, total.days // 7}
    return fields | {int(total.total_seconds() // 3600), int(total.total_seconds() // 60)}


def _words(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield from (word.lower() for word in _WORD.findall(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _words(key)
            yield from _words(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _words(item)
