"""The one error the time parser raises: a message a member can act on, with examples."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import InvalidInput

INSTANT_EXAMPLES = ("in 90 minutes", "tomorrow at 9am", "next friday 18:30", "2026-12-24 20:00")
RECURRENCE_EXAMPLES = (
    "every weekday at 9am",
    "every 15 minutes",
    "every monday at 8pm",
    "every month on the 1st at noon",
)
ALL_EXAMPLES = (*INSTANT_EXAMPLES[:3], *RECURRENCE_EXAMPLES[:2])


class TimeParseError(InvalidInput):
    """A time or recurrence that cannot be scheduled; ``str()`` ends with working examples."""

    def __init__(self, problem: str, examples: Sequence[str] = ALL_EXAMPLES) -> None:
        self.problem = problem
        self.examples = tuple(examples)
        quoted = ", ".join(f'"{example}"' for example in self.examples)
        super().__init__(f"{problem} Try for example {quoted}." if quoted else problem)
