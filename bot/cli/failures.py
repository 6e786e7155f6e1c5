"""Why the bot could not start or stay connected, in one paragraph an operator can act on."""

from __future__ import annotations

import discord

from bot.config import Config
from bot.errors import StartupFailure
from bot.permissions import privileged

PORTAL = "https://discord.com/developers/applications"


def explain(exc: BaseException, config: Config, intents: discord.Intents) -> StartupFailure | None:
    """The failure of ``bot.start`` as the operator is told it; ``None`` for one not foreseen."""
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        asked = privileged(intents)
        names = " and ".join(f"'{name}'" for name in asked) or "the privileged intents"
        return StartupFailure(
            "Discord refused the gateway connection (close code 4014, disallowed intents): "
            f"the bot asks for {names}, a privileged intent this application does not have "
            f"switched on. Open the Developer Portal ({PORTAL}), pick the application, go to "
            f"Bot > Privileged Gateway Intents, switch on {names}, save, and start the bot again.",
            lasting=True,
        )
    if isinstance(exc, discord.LoginFailure) or (
        isinstance(exc, discord.ConnectionClosed) and exc.code == 4004
    ):
        how = (
            "close code 4004, authentication failed"
            if isinstance(exc, discord.ConnectionClosed)
            else "401 Unauthorized"
        )
        return StartupFailure(
            f"Discord refused the bot token ({how}). The token in [discord] token or the "
            "CARILLON_TOKEN environment variable is wrong or was reset: in the Developer Portal "
            f"({PORTAL}) pick the application, go to Bot > Reset Token, and put the new token "
            "in the config or in CARILLON_TOKEN (the token alone, without 'Bot ').",
            lasting=True,
        )
    if isinstance(exc, discord.ConnectionClosed):
        reason = exc.reason or "no reason given"
        return StartupFailure(
            f"Discord closed the gateway connection with code {exc.code} ({reason}) and the "
            "bot cannot reconnect; Discord's list of gateway close codes says what it means."
        )
    if isinstance(exc, discord.HTTPException):
        return StartupFailure(
            f"Discord's API at {config.discord.api_base_url} answered {exc.status} while the bot "
            f"was starting ({exc.text or exc}). Try again in a moment; if it persists, check "
            "[discord] api_base_url."
        )
    if isinstance(exc, OSError | TimeoutError) or type(exc).__module__.startswith("aiohttp"):
        return StartupFailure(
            f"Cannot reach Discord at {config.discord.api_base_url} ({exc or type(exc).__name__}"
            "). Check the machine's network and DNS, and [discord] api_base_url and "
            "gateway_url if you changed them."
        )
    return None
