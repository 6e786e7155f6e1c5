"""The end of a recurrence phrase: "for 5 times", "until dec 31", "for 2 weeks"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.timeparse.durations import Duration, parse_duration
from bot.timeparse.lexicon import NUMBER_RE, number_value

_COUNT = re.compile(
    rf"^(?P<body>.+?),?\s(?:(?:for\s)?(?P<n>{NUMBER_RE})\s?(?:times|x|runs|occurrences)"
    r"|x\s?(?P<x>\d+))$"
)
_UNTIL = re.compile(
    r"^(?P<body>.+?),?\s(?:until|till|til|through|thru|up\sto|ending(?:\son)?)\s(?P<until>.+)$"
)
_FOR = re.compile(r"^(?P<body>.+?),?\sfor\s(?:the\snext\s)?(?P<span>.+)$")


@dataclass(frozen=True, slots=True)
class Limits:
    """What ends a recurrence; ``until`` is still text, parsed later against the same now."""

    count: int | None = None
    until: str | None = None
    span: Duration | None = None


def strip_limits(text: str) -> tuple[str, Limits]:
    """Split trailing limits off a normalized phrase, in any order."""
    count: int | None = None
    until: str | None = None
    span: Duration | None = None
    for _ in range(3):
        if count is None and (match := _COUNT.match(text)):
            count = int(match["x"]) if match["x"] else number_value(match["n"])
            text = match["body"]
            continue
        if until is None and span is None and (match := _UNTIL.match(text)):
            until, text = match["until"], match["body"]
            continue
        if until is None and span is None and (match := _FOR.match(text)):
            span = parse_duration(match["span"])
            if span is not None:
                text = match["body"]
                continue
        break
    return text, Limits(count, until, span)
