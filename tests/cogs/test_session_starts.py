"""The bot never spends Discord's last session start: an IDENTIFY past them would end every
session and reset the bot's token (real clock, the real discord.py client)."""

from __future__ import annotations

import logging
import time

import pytest

from tests.cogs.conftest import App

RESET = 9.0


@pytest.mark.emulator(session_starts=1, session_start_reset=RESET)
async def test_with_no_session_start_left_the_bot_waits_for_the_reset(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """The day's one start is spent; a session Discord will not resume needs a new IDENTIFY.
    The bot waits for the reset, then identifies, with its token intact."""
    gateway = app.emulator.gateway
    caplog.set_level(logging.WARNING, logger="bot.session_starts")
    token = app.emulator.token
    invalidated = time.monotonic()
    await app.emulator.invalidate_session(resumable=False)

    await app.emulator.wait_for(
        lambda: gateway.stats.identifies == 2 and gateway.connected,
        timeout=RESET + 10,
        what="the bot identified again after the reset",
    )

    assert gateway.stats.token_resets == 0
    assert app.emulator.token == token
    assert "no more session starts" in caplog.text
    # discord.py's own pause is 5 s; the rest was the wait for the reset.
    assert time.monotonic() - invalidated > 5.5
