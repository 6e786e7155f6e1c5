"""``python -m bot invite [--config PATH] [--client-id ID]``: the OAuth2 link that adds the bot
to a server with the permissions its code checks, and the intents to switch on."""

from __future__ import annotations

import argparse
import sys

SCOPES = ("bot", "applications.commands")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=None, help="path (default: config.toml)")
    parser.add_argument(
        "--client-id",
        type=int,
        default=None,
        help="the application id (default: asked of Discord with the configured token)",
    )


def invite_url(client_id: int) -> str:
    import discord.utils

    from bot.permissions import invite_permissions

    return discord.utils.oauth_url(client_id, permissions=invite_permissions(), scopes=SCOPES)


def run(args: argparse.Namespace) -> int:
    from bot.app import default_intents
    from bot.permissions import EVERYTHING, PRIVILEGED_INTENTS, invite_permissions, privileged

    client_id = args.client_id
    if client_id is None:
        client_id = _application_id(args.config)
        if client_id is None:
            return 2
    permissions = invite_permissions()
    intents = default_intents()
    print(invite_url(client_id))
    print(f"permissions ({permissions.value}): {', '.join(label for _, label in EVERYTHING)}")
    names = [flag for flag, enabled in intents if enabled]
    print(f"gateway intents: {', '.join(names)}")
    switches = privileged(intents)
    print(
        "switch on in the Developer Portal (your application > Bot > Privileged Gateway "
        f"Intents): {', '.join(switches)}; leave off: "
        f"{', '.join(label for label in PRIVILEGED_INTENTS.values() if label not in switches)}"
    )
    return 0


def _application_id(config_path: str | None) -> int | None:
    """The application's id from Discord, with the configured token."""
    import asyncio

    from bot.cli.failures import explain
    from bot.cli.first_start import NO_TOKEN
    from bot.config import load_config
    from bot.errors import ConfigError

    try:
        config = load_config(config_path).with_token_from_env()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return None
    if not config.discord.token:
        print(f"{NO_TOKEN} Or give the application id: --client-id ID.", file=sys.stderr)
        return None
    import discord

    from bot.app import default_intents, use_discord_endpoints

    async def ask() -> int:
        use_discord_endpoints(config.discord)
        client = discord.Client(intents=default_intents())
        async with client:
            await client.login(config.discord.token or "")
            assert client.application_id is not None
            return client.application_id

    try:
        return asyncio.run(ask())
    except Exception as exc:
        failure = explain(exc, config, default_intents())
        if failure is None:
            raise
        print(str(failure), file=sys.stderr)
        return None
