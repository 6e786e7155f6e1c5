"""The task a member picked or typed: its number in the server, or a clear error, for any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.services.ids import MAX_ID
from bot.services.task_refs import TaskNumber
from bot.ui.task_input import task_ref_of

DIGITS = st.one_of(
    st.sampled_from("0123456789"),
    st.characters(categories=("Nd", "No")).filter(str.isdigit),
)
PICKED = st.tuples(
    st.text(" #", max_size=2),
    st.lists(DIGITS, min_size=1, max_size=24).map("".join),
    st.text(max_size=12),
).map("".join)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("#12", 12), (" #12 Morning bell — next Fri", 12), (str(MAX_ID), MAX_ID)],
)
def test_the_number_of_a_picked_or_typed_task(text: str, expected: int) -> None:
    assert task_ref_of(text) == TaskNumber(expected)


@pytest.mark.parametrize(
    "text", ["", "bell", "0", "#0", "²", "١٢", "12²", "12abc", str(MAX_ID + 1), "9" * 30, "-3"]
)
def test_anything_else_asks_for_a_task_from_the_list(text: str) -> None:
    with pytest.raises(InvalidInput, match="Pick a task from the list"):
        task_ref_of(text)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=40), PICKED))
def test_any_text_is_a_task_number_in_range_or_a_clear_error(text: str) -> None:
    try:
        number = task_ref_of(text).value
    except InvalidInput:
        return
    assert 1 <= number <= MAX_ID
    assert str(number) in text
