"""Discord's session starts, spent with care.

Discord allows an application ``total`` IDENTIFYs (1,000 for most bots) until
``reset_after``; one IDENTIFY past them ends every session of the bot and resets its token,
so the operator must fetch a new one before the bot runs again. A bot restarted in a loop
(a crash at start-up, every few seconds) spends them in hours, faster with more shards. So
before each IDENTIFY the bot asks ``GET /gateway/bot`` and, with no start left, waits for the
reset instead.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp
import discord
from discord.http import HTTPClient

_log = logging.getLogger(__name__)

# Warn the operator once fewer starts than this are left.
FEW_STARTS_LEFT = 50
# Never poll Discord faster than this while waiting for the reset.
MIN_WAIT_SECONDS = 1.0


async def wait_for_a_session_start(http: HTTPClient) -> None:
    """Return once Discord has a session start left for this IDENTIFY; until then, wait for
    the reset. If Discord cannot be asked, return: the IDENTIFY itself will tell."""
    while True:
        try:
            _, _, limit = await http.get_bot_gateway()
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
            _log.debug("session start limit unknown (%s): identifying anyway", exc)
            return
        remaining, reset_after = int(limit["remaining"]), int(limit["reset_after"]) / 1000
        if remaining > 0:
            if remaining < FEW_STARTS_LEFT:
                _log.warning(
                    "Discord allows %d more session starts (IDENTIFYs) in the next %s; past "
                    "them it resets the bot's token. Is the bot being restarted in a loop?",
                    remaining,
                    _duration(reset_after),
                )
            return
        _log.error(
            "Discord allows no more session starts until %s from now: an IDENTIFY now would "
            "end every session and reset the bot's token, so the bot waits for the reset",
            _duration(reset_after),
        )
        await asyncio.sleep(max(reset_after, MIN_WAIT_SECONDS))


def _duration(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))
