"""What a phrase carries before anything reads it as a time: words, ASCII numbers, or junk.

Only 0-9 are digits: ``str.isdigit`` and regex ``\\d`` also accept "³" or "٣", which a reader
would then take for 3. Punctuation and symbols carry nothing, so "#3", "(3)" and "{{3}}" are a
lone number, as ambiguous as "3".
"""

from __future__ import annotations

import re

from bot.timeparse.errors import TimeParseError

ASCII_DIGITS = frozenset("0123456789")
NUMBER = re.compile(r"[0-9]+")
_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+")
_PARTS = re.compile(r"[\s,]+")
# Numbers joined by a date or clock separator: "8:00", "24.12.2026", "12/24", "2026-12-24".
_DATE_OR_CLOCK = re.compile(r"[0-9]+(?:[:/.-][0-9]+)+\.?")


def refuse_foreign_digits(text: str | None) -> None:
    for char in text or "":
        if char.isdigit() and char not in ASCII_DIGITS:
            raise TimeParseError(
                f'"{char}" is not a digit I read: write numbers with 0-9.',
                ("in 3 hours", "at 9:30", "dec 24 8pm"),
            )


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


def tokens(text: str) -> list[str]:
    """The words and ASCII numbers of ``text`` in order; punctuation and symbols dropped."""
    return _TOKEN.findall(text)


def lone_number(text: str) -> str | None:
    """The number of a phrase with no letters and no other number ("#3", "-3", "(12)")."""
    if has_letters(text):
        return None
    found = NUMBER.findall(text)
    return found[0] if len(found) == 1 else None


def is_numeric_date_or_clock(text: str) -> bool:
    """Whether letter-free ``text`` is dates and clock times only ("24.12.2026, 20:00")."""
    parts = [part for part in _PARTS.split(text) if part]
    return bool(parts) and all(_DATE_OR_CLOCK.fullmatch(part) for part in parts)
