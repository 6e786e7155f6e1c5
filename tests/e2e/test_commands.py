"""A member's slash commands, autocomplete and buttons, through the real discord.py client."""

from __future__ import annotations

from bot.app import CarillonBot
from bot.emulator import Emulator
from tests.support.e2e import World


async def test_slash_command_gets_an_ephemeral_reply(
    bot: CarillonBot, world: World, emulator: Emulator
) -> None:
    reply = await world.alice.slash("probe ping")

    assert reply.content == "pong alice"
    assert reply.ephemeral
    assert emulator.messages_in(world.general) == []
