"""Generated phrases with a known meaning: the parser gives that instant or refuses, never another.

Daily and weekly repeats are generated too: their first run is the instant the one-off means.

Each phrase is built from parts whose meaning is fixed in advance: a day (none, today,
tomorrow, a weekday, "next" weekday, a date, "in N days"), a part of day, a time of day written
one of many ways (am/pm, one letter, dotted, 24-hour, run together, number words, o'clock,
clock arithmetic, noon and midnight), or an offset ("in a couple of hours"), and a zone
abbreviation. ``_meaning`` works out the instant from those parts alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import TimeConfig
from bot.timeparse import TimeParseError, parse_when

MEMBER_ZONES = ("UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Sydney")
PHRASE_ZONES = {"et": "America/New_York", "cet": "Europe/Berlin", "jst": "Asia/Tokyo"}
PHRASE_ZONES |= {"utc": "UTC", "pt": "America/Los_Angeles"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WORDS = (
    "twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip
MINUTE_WORDS = {10: "ten", 15: "fifteen", 20: "twenty", 30: "thirty", 45: "forty-five"}
MINUTE_WORDS |= {25: "twenty five", 40: "forty", 50: "fifty", 55: "fifty-five"}
# The hours a bare hour may be read as in each part of day, and the hours it may be at all.
PART_HOURS = {
    "morning": range(5, 12),
    "afternoon": range(12, 18),
    "evening": range(17, 22),
    "night": range(18, 24),
}
PART_ALLOWED = {
    "morning": range(1, 12),
    "afternoon": range(12, 19),
    "evening": range(17, 24),
    "night": range(18, 24),
}


@dataclass(frozen=True)
class Meaning:
    """What a phrase says; ``day`` is one of none/today/tomorrow/weekday/next/date/in_days."""

    day: str = "none"
    weekday: int = 0
    month_day: tuple[int, int] = (1, 1)
    days_ahead: int = 0
    clock: time | None = None
    part: str | None = None
    offset: timedelta | None = None
    zone: str | None = None


def _ampm(clock: time) -> tuple[int, str]:
    return clock.hour % 12 or 12, "am" if clock.hour < 12 else "pm"


def _clock_phrases(clock: time) -> list[str]:
    """Ways to write ``clock`` that name it without any other context."""
    h12, ampm = _ampm(clock)
    m = clock.minute
    forms = [f"{clock.hour:02}:{m:02}", f"{clock.hour}:{m:02}"]
    if (clock.hour, m) == (12, 0):
        forms += ["noon", "midday", "12 noon"]
    if (clock.hour, m) == (0, 0):
        forms += ["midnight"]
    if m == 0:
        forms += [f"{h12}{ampm}", f"{h12} {ampm}", f"{h12}{ampm[0]}", f"{h12} {ampm[0]}.m."]
        forms += [f"{WORDS[h12]} {ampm}"]
    else:
        forms += [f"{h12}:{m:02}{ampm}", f"{h12}:{m:02} {ampm}", f"{h12}{m:02}{ampm}"]
        forms += [f"{h12}:{m:02}{ampm[0]}"]
        if m in MINUTE_WORDS:
            forms += [f"{WORDS[h12]} {MINUTE_WORDS[m]} {ampm}"]
        if m < 30:
            forms += [f"{m} minutes past {h12}{ampm}"]
        if m > 30 and clock.hour < 23:
            h_next, ampm_next = _ampm(time((clock.hour + 1) % 24))
            forms += [f"{60 - m} minutes to {h_next}{ampm_next}"]
    if m == 15:
        forms += [f"quarter past {h12}{ampm}", f"a quarter past {h12}{ampm}"]
    if m == 30:
        forms += [f"half past {h12}{ampm}"]
    if m == 45 and clock.hour < 23:
        h_next, ampm_next = _ampm(time(clock.hour + 1))
        forms += [f"quarter to {h_next}{ampm_next}"]
    return forms


def _bare_phrases(h12: int, minute: int) -> list[str]:
    """An hour written without its half of the day, for a part of day to place."""
    forms = [f"{h12}", f"{WORDS[h12]}"] if not minute else [f"{h12}:{minute:02}"]
    if not minute:
        forms += [f"{h12} o'clock"]
    if minute == 15:
        forms += [f"quarter past {h12}"]
    if minute == 30:
        forms += [f"half past {h12}"]
    return forms


DAY_PARTS = {
    # (day, part) -> how it is said
    ("today", "morning"): "this morning",
    ("today", "afternoon"): "this afternoon",
    ("today", "evening"): "this evening",
    ("today", "night"): "tonight",
    ("tomorrow", "morning"): "tomorrow morning",
    ("tomorrow", "afternoon"): "tomorrow afternoon",
    ("tomorrow", "evening"): "tomorrow evening",
    ("tomorrow", "night"): "tomorrow night",
    ("none", "morning"): "in the morning",
    ("none", "afternoon"): "in the afternoon",
    ("none", "evening"): "in the evening",
}


@st.composite
def phrases(draw: st.DrawFn) -> tuple[str, Meaning]:
    kind = draw(st.sampled_from(["clock", "clock", "part", "offset"]))
    if kind == "offset":
        return draw(_offsets())
    zone_word = draw(st.sampled_from([None, None, *PHRASE_ZONES]))
    zone = PHRASE_ZONES[zone_word] if zone_word else None
    suffix = f" {zone_word.upper()}" if zone_word else ""
    if kind == "part" and draw(st.booleans()):
        weekday, part = draw(st.integers(0, 6)), draw(st.sampled_from(sorted(PART_HOURS)))
        hour = draw(st.sampled_from(list(PART_HOURS[part])))
        bare = draw(st.sampled_from(_bare_phrases(hour % 12 or 12, 0)))
        spoken = f"{WEEKDAYS[weekday]} {part}"
        text = draw(st.sampled_from([f"{spoken} at {bare}", f"{bare} on {spoken}"]))
        return text + suffix, Meaning(
            day="weekday", weekday=weekday, clock=time(hour), part=part, zone=zone
        )
    if kind == "part":
        day, part = draw(st.sampled_from(sorted(DAY_PARTS)))
        hour = draw(st.sampled_from(list(PART_HOURS[part])))
        minute = draw(st.sampled_from([0, 0, 15, 30]))
        h12 = hour % 12 or 12
        bare = draw(st.sampled_from(_bare_phrases(h12, minute)))
        spoken = DAY_PARTS[(day, part)]
        order = draw(st.sampled_from(["part_at", "time_part"]))
        text = f"{spoken} at {bare}" if order == "part_at" else f"{bare} {spoken}"
        if day == "none" and order == "part_at":
            text = f"at {bare} {spoken}"
        return text + suffix, Meaning(day=day, clock=time(hour, minute), part=part, zone=zone)
    clock = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 0, 5, 15, 30, 45, 50])))
    said = draw(st.sampled_from(_clock_phrases(clock)))
    day = draw(st.sampled_from(["none", "today", "tomorrow", "weekday", "next", "date", "in"]))
    meaning = Meaning(day=day, clock=clock, zone=zone)
    if day == "none":
        # A daily repeat's first run is the next such time, like the one-off.
        text = draw(
            st.sampled_from([f"at {said}", said, f"every day at {said}", f"daily at {said}"])
        )
        return text + suffix, meaning
    if day in ("today", "tomorrow"):
        text = draw(st.sampled_from([f"{day} at {said}", f"{said} {day}"]))
        return text + suffix, meaning
    if day in ("weekday", "next"):
        weekday = draw(st.integers(0, 6))
        name = WEEKDAYS[weekday] if day == "weekday" else f"next {WEEKDAYS[weekday]}"
        forms = [f"{name} at {said}", f"{said} on {name}"]
        if day == "weekday":
            forms += [f"every {name} at {said}", f"every {name}s at {said}"]
        text = draw(st.sampled_from(forms))
        return text + suffix, Meaning(day=day, weekday=weekday, clock=clock, zone=zone)
    if day == "date":
        month, month_day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        name = draw(
            st.sampled_from(
                [f"{MONTHS[month - 1]} {month_day}", f"{month_day} {MONTHS[month - 1]}"]
            )
        )
        text = draw(st.sampled_from([f"{name} at {said}", f"{said} on {name}"]))
        return text + suffix, Meaning(
            day="date", month_day=(month, month_day), clock=clock, zone=zone
        )
    days = draw(st.integers(2, 9))
    return f"in {days} days at {said}" + suffix, Meaning(
        day="in_days", days_ahead=days, clock=clock, zone=zone
    )


@st.composite
def _offsets(draw: st.DrawFn) -> tuple[str, Meaning]:
    minutes = draw(st.integers(1, 600))
    forms = [(f"in {minutes} minutes", minutes), (f"{minutes} minutes from now", minutes)]
    if minutes % 60 == 0:
        forms.append((f"in {minutes // 60} hours", minutes))
    if minutes < 20:
        forms.append((f"in {WORDS[minutes] if minutes < 13 else minutes} minutes", minutes))
    forms += [("in half an hour", 30), ("in 1/2 hour", 30), ("in a quarter of an hour", 15)]
    forms += [
        ("in a couple of hours", 120),
        ("in an hour and a half", 90),
        ("in 2 more minutes", 2),
    ]
    text, amount = draw(st.sampled_from(forms))
    return text, Meaning(offset=timedelta(minutes=amount))


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=zone, fold=0).astimezone(UTC)


def _meaning(meaning: Meaning, now: datetime, member_zone: str) -> datetime | None:
    """The one instant the phrase means, or None when it means none (a past day)."""
    if meaning.offset is not None:
        return now + meaning.offset
    zone = ZoneInfo(meaning.zone or member_zone)
    today = now.astimezone(zone).date()
    clock = meaning.clock
    assert clock is not None
    if meaning.part is not None:
        clock = _in_part(clock, meaning.part)
    if meaning.day == "none":
        for day in (today, today + timedelta(days=1)):
            if (instant := _at(day, clock, zone)) > now:
                return instant
        return None
    if meaning.day in ("today", "tomorrow"):
        day = today + timedelta(days=0 if meaning.day == "today" else 1)
        instant = _at(day, clock, zone)
        return instant if instant > now else None
    if meaning.day in ("weekday", "next"):
        start = today + timedelta(days=1 if meaning.day == "next" else 0)
        first = start + timedelta(days=(meaning.weekday - start.weekday()) % 7)
        for day in (first, first + timedelta(weeks=1)):
            if (instant := _at(day, clock, zone)) > now:
                return instant
        return None
    if meaning.day == "in_days":
        instant = _at(today + timedelta(days=meaning.days_ahead), clock, zone)
        return instant if instant > now else None
    month, month_day = meaning.month_day
    for year in (today.year, today.year + 1):
        day = date(year, month, month_day)
        instant = _at(day, clock, zone)
        if instant > now:
            return instant
        if day == today:
            return None
    return None


def _in_part(clock: time, part: str) -> time:
    """The part-of-day generator only writes hours its part places in ``PART_HOURS``."""
    assert clock.hour in PART_HOURS[part]
    return clock


NOWS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0))
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse(text: str, now: datetime, zone: str) -> datetime | None:
    try:
        return parse_when(text, now=now, timezone=zone).first_run
    except TimeParseError:
        return None


@PROPERTY
@given(phrase=phrases(), now=NOWS, zone=st.sampled_from(MEMBER_ZONES))
def test_a_phrase_means_what_it_says_or_is_refused(
    phrase: tuple[str, Meaning], now: datetime, zone: str
) -> None:
    text, meaning = phrase
    got = _parse(text, now, zone)
    if got is None:
        return
    expected = _meaning(meaning, now, zone)
    assert expected is not None, f"{text!r} should be refused, got {got}"
    assert got == expected, f"{text!r} from {now} in {zone}: got {got}, meant {expected}"


def test_most_generated_phrases_are_understood() -> None:
    """The property above must not pass by refusing: nearly all of these have one reading."""
    results: list[bool] = []

    @settings(PROPERTY, max_examples=300, derandomize=True, database=None)
    @given(phrase=phrases(), now=NOWS, zone=st.sampled_from(MEMBER_ZONES))
    def collect(phrase: tuple[str, Meaning], now: datetime, zone: str) -> None:
        text, meaning = phrase
        expected = _meaning(meaning, now, zone)
        if expected is not None:
            results.append(_parse(text, now, zone) == expected)

    collect()
    assert len(results) >= 200
    assert sum(results) >= 0.95 * len(results), f"{sum(results)} of {len(results)} understood"


FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DE_DAYS = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
LANGUAGES = TimeConfig(languages=("en", "fr", "de"))


@st.composite
def foreign_phrases(draw: st.DrawFn) -> tuple[str, Meaning]:
    """French and German phrases through the word tables, with the meaning built the same way.

    These all have one reading, so the test below wants each of them understood, not refused.
    """
    clock = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    french = f"{clock.hour}h{clock.minute:02}" if clock.minute else f"{clock.hour:02}h"
    german = f"{clock.hour}:{clock.minute:02} Uhr" if clock.minute else f"{clock.hour:02} Uhr"
    weekday = draw(st.integers(0, 6))
    forms = [
        (f"demain à {french}", Meaning(day="tomorrow", clock=clock)),
        (f"à {french}", Meaning(clock=clock)),
        (f"{FR_DAYS[weekday]} à {french}", Meaning(day="weekday", weekday=weekday, clock=clock)),
        (f"morgen um {german}", Meaning(day="tomorrow", clock=clock)),
        (f"um {german}", Meaning(clock=clock)),
        (f"{DE_DAYS[weekday]} um {german}", Meaning(day="weekday", weekday=weekday, clock=clock)),
        (
            f"jeden {DE_DAYS[weekday]} um {german}",
            Meaning(day="weekday", weekday=weekday, clock=clock),
        ),
        (
            f"tous les {FR_DAYS[weekday]}s à {french}",
            Meaning(day="weekday", weekday=weekday, clock=clock),
        ),
    ]
    return draw(st.sampled_from(forms))


@PROPERTY
@given(phrase=foreign_phrases(), now=NOWS, zone=st.sampled_from(MEMBER_ZONES))
def test_french_and_german_mean_what_they_say(
    phrase: tuple[str, Meaning], now: datetime, zone: str
) -> None:
    text, meaning = phrase
    expected = _meaning(meaning, now, zone)
    try:
        got = parse_when(text, now=now, timezone=zone, config=LANGUAGES).first_run
    except TimeParseError:
        assert expected is None, f"{text!r} refused, though it means {expected}"
        return
    assert got == expected, f"{text!r} from {now} in {zone}: got {got}, meant {expected}"
