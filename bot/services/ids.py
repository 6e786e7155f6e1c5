"""Reading a member's text as a row id: ASCII digits within SQLite's 64-bit range, else None.

``str.isdigit`` accepts "²" (which ``int`` refuses) and ``int`` accepts "٣"; a number past
2**63 - 1 makes SQLite raise OverflowError. Anything else is a name, or a clear error.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str) -> int | None:
    """The id ``text`` spells (surrounding spaces aside), or None when it is not one."""
    candidate = text.strip()
    if not _DIGITS.fullmatch(candidate):
        return None
    value = int(candidate)
    return value if 1 <= value <= MAX_ID else None
