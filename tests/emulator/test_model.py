"""Permissions, fault patterns and messages in the emulated world."""

from __future__ import annotations

import pytest

from bot.emulator import Emulator
from bot.emulator.faults import Fault
from bot.emulator.model import (
    ALL_PERMISSIONS,
    ChannelType,
    Message,
    Overwrite,
    Permission,
    User,
    add_channel,
    add_member,
    add_role,
    new_guild,
)

CONNECT = int(Permission.CONNECT)


def test_overwrites_resolve_in_discord_order() -> None:
    guild = new_guild("g")
    dj = add_role(guild, "DJ")
    alice = add_member(guild, "alice", roles=[dj])
    bob = add_member(guild, "bob")
    channel = add_channel(
        guild,
        "Stage",
        ChannelType.VOICE,
        overwrites=[
            Overwrite.for_role(guild.everyone, deny=CONNECT),
            Overwrite.for_role(dj, allow=CONNECT),
        ],
    )

    assert guild.permissions_in(alice, channel) & CONNECT
    assert not guild.permissions_in(bob, channel) & CONNECT
    channel.overwrites.append(Overwrite.for_member(alice, deny=CONNECT))
    assert not guild.permissions_in(alice, channel) & CONNECT
    assert guild.permissions_in(guild.members[guild.owner_id], channel) == ALL_PERMISSIONS


def test_administrator_role_grants_everything() -> None:
    guild = new_guild("g")
    admin = add_member(guild, "ada", roles=[add_role(guild, "Admin", permissions=1 << 3)])

    assert guild.base_permissions(admin) == ALL_PERMISSIONS


def test_fault_patterns_match_method_and_path() -> None:
    fault = Fault("POST /interactions/*/callback")

    assert fault.matches("POST", "/interactions/1/abc/callback")
    assert not fault.matches("GET", "/interactions/1/abc/callback")
    assert Fault("/users/@me").matches("GET", "/users/@me")


def test_custom_ids_are_found_in_nested_components() -> None:
    message = Message(1, 2, 3, User(4, "bot"))
    message.components = [
        {"type": 1, "components": [{"type": 2, "custom_id": "carillon:cancel:1", "style": 4}]},
        {"type": 1, "components": [{"type": 2, "custom_id": "carillon:stop:9", "style": 2}]},
    ]

    assert message.custom_ids() == ["carillon:cancel:1", "carillon:stop:9"]
    assert message.find_component("carillon:stop:9") == {
        "type": 2,
        "custom_id": "carillon:stop:9",
        "style": 2,
    }


async def test_voice_channels_refuse_like_discord(emulator: Emulator) -> None:
    guild = emulator.add_guild()
    locked = emulator.add_voice_channel(
        guild, "Locked", overwrites=[Overwrite.for_role(guild.everyone, deny=CONNECT)]
    )
    tiny = emulator.add_voice_channel(guild, "Tiny", user_limit=1)
    alice = emulator.actor(emulator.add_member(guild, "alice"))
    bob = emulator.actor(emulator.add_member(guild, "bob"))
    await bob.join_voice(tiny)

    with pytest.raises(AssertionError, match="missing Connect"):
        await alice.join_voice(locked)
    with pytest.raises(AssertionError, match="channel full"):
        await alice.join_voice(tiny)
    assert emulator.voice_refusal(guild, emulator.bot_user.id, tiny.id) == "channel full"
    assert emulator.voice_refusal(guild, guild.owner_id, locked.id) is None
