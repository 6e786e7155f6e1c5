"""Member text read as a row id: ASCII digits within 64 bits, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.ids import MAX_ID, parse_id

FUZZ = settings(max_examples=300, deadline=None)
DIGITS = st.one_of(
    st.sampled_from("0123456789"),
    st.characters(categories=("Nd", "No")).filter(str.isdigit),
)
NUMBERISH = st.tuples(
    st.text(" #+-", max_size=2), st.lists(DIGITS, min_size=1, max_size=24).map("".join)
).map("".join)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("#12", None),
        ("²", None),
        ("1²", None),
        ("٣", None),
        ("１２", None),
        ("", None),
        ("bell", None),
    ],
)
def test_only_ascii_digits_within_64_bits_are_an_id(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected


@FUZZ
@given(text=st.one_of(st.text(max_size=30), NUMBERISH))
def test_arbitrary_text_is_an_id_only_when_it_is_ascii_digits_in_range(text: str) -> None:
    found = parse_id(text)
    candidate = text.strip()
    plain = bool(candidate) and all(char in "0123456789" for char in candidate)
    if plain and 1 <= int(candidate) <= MAX_ID:
        assert found == int(candidate)
    else:
        assert found is None


@FUZZ
@given(number=st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_reads_back(number: int) -> None:
    assert parse_id(str(number)) == number
