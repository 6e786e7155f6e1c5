"""A dateparser reading is used only when it reads the whole phrase and agrees with the grammar."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import TimeConfig
from bot.timeparse import TimeParseError
from bot.timeparse.context import make_context
from bot.timeparse.fallback import check_agreement, get_fallback
from tests.timeparse.helpers import at

NOW = at("UTC", "2026-11-26 14:40")  # a Thursday
CTX = make_context(NOW, "UTC")
VOCABULARY = get_fallback(("en",), "MDY").vocabulary


def _refused(text: str, result_wall: str) -> str:
    with pytest.raises(TimeParseError) as caught:
        check_agreement(text, at("UTC", result_wall), CTX, VOCABULARY)
    return str(caught.value)


def test_a_reading_that_agrees_is_kept() -> None:
    check_agreement("friday at 3pm", at("UTC", "2026-11-27 15:00"), CTX, VOCABULARY)
    check_agreement("in 2 hours", NOW + timedelta(hours=2), CTX, VOCABULARY)


def test_a_word_left_unread_is_refused_with_the_reading() -> None:
    message = _refused("friday at 3pm party", "2026-11-27 15:00")
    assert '"party" means nothing' in message
    assert "Fri 27 Nov 2026 15:00" in message


def test_a_time_of_day_it_contradicts_is_refused() -> None:
    message = _refused("friday at 3pm", "2026-11-27 16:00")
    assert "reads two ways" in message
    assert "15:00" in message


def test_a_weekday_it_contradicts_is_refused() -> None:
    assert "Saturday" in _refused("9 on saturday", "2027-09-27 00:00")


def test_an_offset_it_contradicts_is_refused() -> None:
    message = _refused("in 2 hours", "2026-11-27 16:40")
    assert "Thu 26 Nov 2026 16:40" in message


def test_now_itself_is_not_an_answer() -> None:
    assert "could not read a time" in _refused("eight tonight", "2026-11-26 14:40:30")


def test_a_reading_in_the_past_is_refused_unless_the_text_says_past() -> None:
    assert "time ahead" in _refused("a week from today at noon", "2026-11-20 12:00")
    check_agreement("9am yesterday", at("UTC", "2026-11-25 09:00"), CTX, VOCABULARY)


def test_a_part_of_day_without_an_hour_is_refused_before_dateparser_invents_one() -> None:
    with pytest.raises(TimeParseError, match="needs a time of day") as caught:
        get_fallback(("en",), "MDY").parse("next tuesday afternoon", CTX)
    assert '"next tuesday afternoon at 3"' in str(caught.value)


def test_a_range_of_hours_is_not_read_as_a_date() -> None:
    ctx = make_context(NOW, "UTC", TimeConfig())
    with pytest.raises(TimeParseError, match="a date or a range"):
        get_fallback(("en",), "MDY").parse("9-5", ctx)
