"""The corpus (``corpus.txt``): each phrase means one thing, or is refused, from a known now."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import TimeConfig
from bot.timeparse import TimeParseError
from tests.timeparse.helpers import parse, z

CORPUS = Path(__file__).with_name("corpus.txt")
REFERENCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "A": ("UTC", "2026-11-26 14:40", ("en",)),
    "N": ("America/New_York", "2026-11-26 09:40", ("en",)),
    "P": ("Europe/Paris", "2026-07-03 16:00", ("en",)),
    "D": ("America/New_York", "2026-10-31 08:00", ("en",)),
    "S": ("Europe/Paris", "2026-03-28 12:00", ("en",)),
    "T": ("Asia/Tokyo", "2026-12-31 23:30", ("en",)),
    "K": ("Asia/Kolkata", "2026-06-15 08:00", ("en",)),
    "F": ("Europe/Paris", "2026-11-26 10:00", ("en", "fr", "de")),
}


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        reference, phrase, expected = (part.strip() for part in line.split("|"))
        cases.append((reference, phrase, expected))
    return cases


CASES = _cases()


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 300
    assert len({(reference, phrase) for reference, phrase, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("reference", "phrase", "expected"), CASES)
def test_corpus(reference: str, phrase: str, expected: str) -> None:
    zone, now, languages = REFERENCES[reference]
    config = TimeConfig(languages=languages)
    if expected.startswith("refuse:"):
        fragment = expected.removeprefix("refuse:").strip()
        with pytest.raises(TimeParseError) as caught:
            parse(phrase, zone, now, config)
        assert fragment in str(caught.value)
        assert "Try for example" in str(caught.value)
        return
    runs = [z(run.strip()) for run in expected.split(",")]
    schedule = parse(phrase, zone, now, config)
    assert schedule.runs(len(runs)) == runs
    assert (schedule.recurrence is not None) == (len(runs) > 1)
