"""The English people type, rewritten into the grammar's own forms before it reads the phrase.

Each rule is a small piece of grammar that only rewrites what means one thing: number words
("ten thirty" as 10:30), one-letter and run-together meridiems ("3p", "0730am"), hedges
("around 3pm"), noon spellings, clock arithmetic ("a quarter past 3pm" as 15:15), counted and
fractional quantities ("a couple of hours", "in 1/2 hour") and parts of day with an hour
("8 tonight", "saturday morning at 9"). A rewritten time is written zero-padded ("09:00"), so
no later step takes it for an hour of unknown half of the day. What cannot mean one thing is
refused here with the phrasing that works.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from bot.timeparse.clock import STRICT_TIME, TimeOfDay, time_from_match
from bot.timeparse.errors import TimeParseError
from bot.timeparse.lexicon import WEEKDAY_RE

_UNITS_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_SMALL = {word: value for value, word in enumerate(_UNITS_WORDS)}
_SMALL_RE = "|".join(sorted(_SMALL, key=len, reverse=True))
_TENS_RE = "|".join(_TENS_WORDS)
_NUMBER_WORD = (
    rf"(?:(?:{_TENS_RE})(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|{_SMALL_RE})"
)
_NUMBER_WORD_RE = re.compile(rf"\b{_NUMBER_WORD}\b")
_HOUR_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
# "ten thirty", "seven oh five": an hour word and a minute word make a clock time.
_SPELLED_CLOCK = re.compile(
    rf"\b(?P<h>{_HOUR_WORD})\s(?P<m>oh\s(?:one|two|three|four|five|six|seven|eight|nine)"
    rf"|(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
    rf"|(?:{_TENS_RE})(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?)\b"
    r"(?!\s(?:minutes?|mins?|hours?|hrs?|seconds?|secs?|days?|weeks?))"
)

_PRIME = re.compile(r"[\u2032\u2033]|\d\s?(?:''?|\")(?!\w)")
_HEDGE = re.compile(
    r"\b(?:around|about|approximately|approx|roughly|circa|ca|at\sabout|at\saround)\s(?=\S)"
    r"|(?<=\d)-?ish\b|(?<=\d[ap]m)-?ish\b"
)
_NOON = re.compile(r"\b(?:12\s)?(?:mid[\s-]?day|noon\s?time|noon)\b|\b12\snoon\b")
_MIDNIGHT = re.compile(r"\b12\smidnight\b|\bmid[\s-]night\b")
_OCLOCK = re.compile(r"\bo\s?'?\s?clock\b")
# "3p", "7:30a", "3 p." (a dotted letter), never "3 a day".
_ONE_LETTER = re.compile(r"\b(?P<t>\d{1,2}(?::\d{2})?)(?:(?P<l>[ap])|\s(?P<d>[ap])\.)(?![\w.])")
_COMPACT = re.compile(r"\b(?P<h>\d{1,2})(?P<m>[0-5]\d)\s?(?P<ampm>[ap]\.?m\.?)(?!\w)")
# "10 30 am" at the start or after "at"; after a date ("dec 5 10 am") the first number is a day.
_SPACED_MERIDIEM = re.compile(
    r"(?:^|(?<=\bat\s))(?P<h>\d{1,2})\s(?P<m>[0-5]\d)\s?(?P<ampm>[ap]\.?m\.?)(?!\w)"
)
_AT_SPACED = re.compile(
    r"\bat\s(?P<h>[01]?\d|2[0-3])\s(?P<m>[0-5]\d)\b"
    r"(?!\s?(?:[:/.\d]|minutes?\b|mins?\b|hours?\b|hrs?\b|days?\b|weeks?\b|times\b|x\b))"
)

_FRACTIONS = (
    (re.compile(r"\b(\d+)\s1/2\s"), r"\1.5 "),
    (re.compile(r"\b(\d+)\sand\sa\shalf\s(?=[a-z])"), r"\1.5 "),
    (re.compile(r"\b(?:an?\s)?1/2\s(?:an?\s)?(?=hour|day|minute)"), "half an "),
    (re.compile(r"\b(?:3|three)\squarters?\sof\san\shour\b"), "45 minutes"),
    (re.compile(r"\b(?:a\s)?quarter\s(?:of\san\s)?hour\b"), "15 minutes"),
    (re.compile(r"\ban\shour\sand\sa\squarter\b"), "75 minutes"),
    (re.compile(r"\ba\scouple\s(?:of\s)?(?=\w)"), "2 "),
    (re.compile(r"\b(\d+)\smore\s(?=\w)"), r"\1 "),
    (re.compile(r"\banother\s(?=\d|an?\s|half)"), ""),
)
_VAGUE = re.compile(r"\b(?:a\sfew|several|some|a\sbit|a\swhile|soon|later\son|sometime)\b")

_TIME_TOKEN = rf"(?:{STRICT_TIME}|(?P<bare>\d{{1,2}}))"
_ARITHMETIC = re.compile(
    r"(?<!from\s)(?<!between\s)\b(?P<amount>(?:a\s)?quarter|half|(?P<n>\d{1,3})(?:\s?(?P<unit>minutes?|mins?|m|hours?|hrs?|h))?)"
    r"\s(?P<dir>past|after|to|before|till|til|of)\s"
    rf"{_TIME_TOKEN}(?![\w:])(?!\s?(?:minutes?|mins?|hours?|hrs?|seconds?|secs?|days?)\b)"
)

# Minutes said without "minutes" before past/to: "five past", "twenty-five to".
_SPOKEN_MINUTES = frozenset({5, 10, 20, 25})
_PART_WORDS = r"morning|afternoon|evening|night"
_PARTS: dict[str, tuple[range, frozenset[int]]] = {
    # part of day: the hours a bare hour is read in first, and the hours it may be at all
    "morning": (range(5, 12), frozenset(range(1, 12))),
    "afternoon": (range(12, 18), frozenset(range(12, 19))),
    "evening": (range(17, 22), frozenset(range(17, 24))),
    "night": (range(18, 24), frozenset({*range(18, 24), 0})),
}
_DAY_BEFORE_PART = rf"(?P<dayw>this|tomorrow|today|(?:(?:next|this|on)\s)?(?:{WEEKDAY_RE}))"
_PART = rf"(?:(?:in\sthe|at|{_DAY_BEFORE_PART})\s)?(?P<part>{_PART_WORDS})|(?P<tonight>tonight)"
_TIME_THEN_PART = re.compile(
    rf"(?:\bat\s|(?<![\w:])){_TIME_TOKEN}(?:\s(?:on\s)?(?P<pre>tomorrow|today|(?:next\s)?(?:{WEEKDAY_RE})))?"
    rf",?\s(?:{_PART})\b"
)
_PART_THEN_TIME = re.compile(rf"\b(?:{_PART}),?\s(?:at\s|around\s)?{_TIME_TOKEN}(?![\w:])")
_EVERY_PART = re.compile(rf"\b(?P<every>every|each)\s(?P<part>{_PART_WORDS})\b")


def rewrite(text: str) -> str:
    """``text`` (normalized) in the grammar's forms; a ``TimeParseError`` where it is unclear."""
    if _PRIME.search(text) and re.search(r"[a-z]", text):
        raise TimeParseError(
            "Marks like ' and \" are not units I read: say minutes or hours.",
            ("in 15 minutes", "in 2 hours", "at 9:15"),
        )
    text = _HEDGE.sub(lambda m: "at " if m[0].startswith("at ") else "", text).strip()
    text = _NOON.sub("noon", text)
    text = _MIDNIGHT.sub("midnight", text)
    text = _OCLOCK.sub("o'clock", text)
    text = _SPELLED_CLOCK.sub(_spelled_clock, text)
    text = _NUMBER_WORD_RE.sub(_number_word, text)
    text = _ONE_LETTER.sub(lambda m: f"{m['t']}{m['l'] or m['d']}m", text)
    text = _COMPACT.sub(lambda m: f"{m['h']}:{m['m']}{m['ampm']}", text)
    text = _SPACED_MERIDIEM.sub(lambda m: f"{m['h']}:{m['m']}{m['ampm']}", text)
    text = _AT_SPACED.sub(lambda m: f"at {int(m['h']):02}:{m['m']}", text)
    text = _ARITHMETIC.sub(_arithmetic, text)
    for pattern, replacement in _FRACTIONS:
        text = pattern.sub(replacement, text)
    if vague := _VAGUE.search(text):
        raise TimeParseError(
            f'"{vague[0]}" is not a time I can ring at: give a number.',
            ("in 3 hours", "in 10 minutes", "tomorrow at 9am"),
        )
    text = _sub_parts(text)
    return re.sub(r"\s+", " ", text).strip(" ,")


def _number_word(match: re.Match[str]) -> str:
    return str(word_number(match[0]))


def word_number(text: str) -> int:
    parts = re.split(r"[\s-]", text)
    if parts[0] in _TENS_WORDS:
        return _TENS_WORDS[parts[0]] + (_SMALL[parts[1]] if len(parts) > 1 else 0)
    return _SMALL[parts[0]]


def _spelled_clock(match: re.Match[str]) -> str:
    minute_words = match["m"].removeprefix("oh ")
    return f"{word_number(match['h'])}:{word_number(minute_words):02}"


def _read_time(match: re.Match[str]) -> tuple[TimeOfDay, bool]:
    """The time a ``_TIME_TOKEN`` matched, and whether its half of the day is unknown."""
    tod = time_from_match(match)
    groups = match.groupdict()
    bare = bool(groups.get("bare") or groups.get("hoc")) or (
        bool(groups.get("h24")) and not groups["h24"].startswith("0") and int(groups["h24"]) <= 12
    )
    return tod, bare


def _arithmetic(match: re.Match[str]) -> str:
    tod, bare = _read_time(match)
    amount = match["amount"]
    if amount.endswith("quarter"):
        minutes = 15
    elif amount == "half":
        minutes = 30
    else:
        unit = match["unit"] or ""
        minutes = int(match["n"]) * (60 if unit.startswith("h") else 1)
        if not unit and minutes not in _SPOKEN_MINUTES:
            return match[0]  # "2 to 3pm" is a range, "20 to 3pm" a time
    direction = match["dir"]
    if direction == "of" and not amount.endswith("quarter"):
        return match[0]
    if direction in ("to", "before", "till", "til", "of"):
        minutes = -minutes
    start = datetime.combine(date(2000, 1, 2), tod.clock)
    if tod.clock == time(0) and minutes < 0:
        start += timedelta(days=1)  # "ten to midnight": the end of the day
    moved = start + timedelta(minutes=minutes)
    if moved.date() != start.date() and not (tod.clock == time(0) and minutes < 0):
        raise TimeParseError(
            f'"{match[0]}" crosses midnight: give the time itself.', ("at 2am", "at 23:30")
        )
    if bare and tod.clock.hour not in (0, 12):
        hour = moved.hour % 12 or 12
        return f"{hour}:{moved.minute:02}"
    return f"{moved.hour:02}:{moved.minute:02}"


def _in_part(match: re.Match[str]) -> str:
    return "night" if match["tonight"] else match["part"]


def _part_hour(tod: TimeOfDay, bare: bool, part: str, phrase: str) -> time:
    preferred, allowed = _PARTS[part]
    clock = tod.clock
    if not bare:
        if clock.hour not in allowed:
            raise TimeParseError(
                f'"{phrase}": {clock:%H:%M} is not in the {part}.',
                _part_examples(part),
            )
        return clock
    hour = clock.hour % 12
    readings = [hour, hour + 12]
    if part == "morning" and hour == 0:
        readings = []
    chosen = [h for h in readings if h in preferred] or [h for h in readings if h in allowed]
    if len(chosen) != 1:
        raise TimeParseError(
            f'"{phrase}": {clock.hour % 12 or 12} is not an hour of the {part}.',
            _part_examples(part),
        )
    return clock.replace(hour=chosen[0])


def _part_examples(part: str) -> tuple[str, ...]:
    return {
        "morning": ("tomorrow at 9 in the morning", "9am"),
        "afternoon": ("3 in the afternoon", "3pm"),
        "evening": ("7 in the evening", "7pm"),
        "night": ("tonight at 11", "11pm"),
    }[part]


def _day_word(match: re.Match[str], pre: str | None, part: str) -> str:
    """What is left of the day once the part of day has been read into the time."""
    day = pre or match["dayw"] or ""
    if match["tonight"] or (part in ("evening", "night") and day in ("this", "today", "")):
        return "tonight" if (match["tonight"] or day) else ""
    if part in ("evening", "night") and day == "tomorrow":
        return "tomorrow night"
    return "today" if day == "this" else day


def _replace_part(match: re.Match[str], pre: str | None) -> str:
    if match["bare"] and int(match["bare"]) > 23:
        return match[0]  # "dec 24 in the evening": a day of the month, not an hour
    part = _in_part(match)
    tod, bare = _read_time(match)
    clock = _part_hour(tod, bare, part, match[0])
    day = _day_word(match, pre, part)
    if clock == time(0) and day not in ("tonight", "tomorrow night"):
        raise TimeParseError(
            f'"{match[0]}": say which day\'s midnight.',
            ("tonight at midnight", "saturday at 23:59"),
        )
    return f"{day} at {clock:%H:%M}".strip()


def _sub_parts(text: str) -> str:
    if _has_time(text):
        text = _EVERY_PART.sub(lambda m: f"{m['every']} day {m['part']}", text)
    return apply_parts(text)


def _has_time(text: str) -> bool:
    return bool(re.search(r"\d|\b(?:noon|midnight)\b", text))


def apply_parts(text: str) -> str:
    """Read a part of day into the hour next to it: "8 tonight" as "tonight at 20:00".

    One pass: the day words it leaves ("tonight", "tomorrow night") are not read again.
    """
    changed = _PART_THEN_TIME.sub(lambda m: _replace_part(m, None), text, count=1)
    if changed == text:
        changed = _TIME_THEN_PART.sub(lambda m: _replace_part(m, m["pre"]), text, count=1)
    return re.sub(r"\s+", " ", changed).strip(" ,")
