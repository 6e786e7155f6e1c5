"""English words for days, months and numbers, and the regex fragments built from them."""

from __future__ import annotations

import re

# Python weekday numbers (Monday = 0); cron numbers are (weekday + 1) % 7.
WEEKDAYS: dict[str, int] = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
}  # fmt: skip

ORDINAL_WORDS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
}

# Longest first, so "monday" is not read as "mon" followed by "day".
WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
NUMBER_RE = r"\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
ORDINAL_SUFFIX_RE = r"(?:st|nd|rd|th)"


def weekday_number(word: str) -> int:
    """Python weekday of ``word``, which may be plural ("fridays")."""
    return WEEKDAYS[word.removesuffix("s") if word not in WEEKDAYS else word]


def number_value(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def cron_weekday(weekday: int) -> int:
    return (weekday + 1) % 7


def ordinal(n: int) -> str:
    """1 -> "1st", 22 -> "22nd", 13 -> "13th"."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s.!?;]+$")


def normalize(text: str) -> str:
    """Lower case, single spaces, no trailing punctuation, "@" as "at"."""
    text = _SPACES.sub(" ", text.strip().lower().replace("\u2019", "'"))
    text = _TRAILING.sub("", text)
    return re.sub(r"(?<![\w:])@\s*", "at ", text).strip()
