"""The error handler's mapping for errors that need no interaction to describe."""

from __future__ import annotations

from discord import app_commands

from bot.ui.errors import OUT_OF_DATE, message_for


def test_a_command_discord_knows_but_the_bot_does_not_is_out_of_date() -> None:
    assert message_for(app_commands.CommandNotFound("schedule", [])) == OUT_OF_DATE


def test_an_unexpected_error_has_no_member_message() -> None:
    assert message_for(RuntimeError("boom")) is None
