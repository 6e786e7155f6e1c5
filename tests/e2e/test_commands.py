"""A member's slash commands, autocomplete and buttons, through the real discord.py client."""

from __future__ import annotations

import hashlib

import pytest

from bot.app import DiscordBot
from bot.emulator import Emulator, NoResponseError
from tests.e2e.conftest import PROBE
from tests.support.e2e import BotRunner, World


async def test_slash_command_gets_an_ephemeral_reply(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    reply = await world.alice.slash("probe ping")

    assert reply.content == "pong alice"
    assert reply.ephemeral
    assert reply.shown == "pong alice"
    assert emulator.messages_in(world.general) == []


async def test_autocomplete_returns_choices(bot: DiscordBot, world: World) -> None:
    choices = await world.alice.autocomplete("probe pick", focused="fruit", fruit="an")

    assert [c.name for c in choices] == ["banana", "mango", "orange"]


async def test_deferred_reply_is_edited(bot: DiscordBot, world: World) -> None:
    reply = await world.alice.slash("probe slow")
    assert reply.deferred

    await reply.wait_until_ready()

    assert reply.content == "done thinking"
    assert reply.ephemeral


async def test_channel_messages_are_visible(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    reply = await world.alice.slash("probe announce", text="hello")
    await reply.wait_until_ready()

    assert reply.content == "sent"
    [message] = emulator.messages_in(world.general)
    assert message.content == "hello (edited)"
    assert message.version == 1


async def test_attachment_is_downloaded(bot: DiscordBot, world: World, emulator: Emulator) -> None:
    data = bytes(range(256)) * 40
    file = emulator.attachment("bell.ogg", data, "audio/ogg")

    reply = await world.alice.slash("probe upload", file=file)

    assert reply.content == f"bell.ogg {len(data)} {hashlib.sha256(data).hexdigest()}"


async def test_dynamic_button_works_after_a_restart(
    bots: BotRunner, bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    reply = await world.alice.slash("probe task", task_id=42)
    assert not reply.ephemeral
    assert reply.custom_ids == ["carillon:cancel:42"]

    await bots.restart(bot, [PROBE])
    answer = await world.alice.click(reply, "carillon:cancel:42")

    assert answer.content == "Cancelled task 42"
    assert answer.ephemeral
    assert emulator.gateway.stats.identifies == 2


async def test_every_route_the_bot_used_is_emulated(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    await world.alice.slash("probe ping")
    await world.alice.autocomplete("probe pick", focused="fruit")

    assert emulator.unknown_routes == []
    assert {str(r).split(" -> ")[1] for r in emulator.requests} == {"200"}


async def test_a_button_can_update_its_message(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    panel = await world.alice.slash("probe panel")

    answer = await world.alice.click(panel, f"carillon:stop:{world.guild.id}")

    assert answer.message is panel.message
    assert answer.content == "Stopped"
    assert answer.components == []
    assert emulator.messages_in(world.general)[0].content == "Stopped"


async def test_a_deferred_button_edits_its_message_later(bot: DiscordBot, world: World) -> None:
    panel = await world.alice.slash("probe panel")

    answer = await world.alice.click(panel, "carillon:count:0")
    assert answer.deferred
    await answer.wait_for_edit()

    assert answer.content == "count 1"
    assert "carillon:count:1" in answer.custom_ids


async def test_an_answer_after_three_seconds_is_refused(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    emulator.answer_window = 0.2

    with pytest.raises(NoResponseError):
        await world.alice.slash("probe late", timeout=1.0)

    await emulator.wait_for(lambda: emulator.late_callbacks, what="the late answer")
    assert {r.id for r in emulator.late_callbacks} == set(emulator.interactions)


async def test_commands_are_hidden_without_their_default_permissions(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    emulator.command_permissions = True

    with pytest.raises(AssertionError, match="cannot see /secret"):
        await world.alice.slash("secret")
    reply = await world.owner.slash("secret")

    assert reply.content == "the secret"


async def test_private_messages_reach_the_member(
    bot: DiscordBot, world: World, emulator: Emulator
) -> None:
    reply = await world.alice.slash("probe dm")

    assert reply.content == "check your messages"
    assert [m.content for m in emulator.dms_to(world.alice.member)] == ["a private hello"]


async def test_files_the_bot_sends_are_kept(bot: DiscordBot, world: World) -> None:
    reply = await world.alice.slash("probe export")

    assert reply.content == "your tasks"
    [file] = reply.message.attachments
    assert (file.filename, file.data) == ("tasks.csv", b"task,when\n42,tomorrow\n")


async def test_an_ordinary_view_on_an_ephemeral_reply_answers_clicks(
    bot: DiscordBot, world: World
) -> None:
    pages = await world.alice.slash("probe pages")

    await world.alice.click(pages, "pages:next")
    second = await world.alice.click(pages, "pages:next")

    assert second.content == "page 3"
    assert pages.content == "page 3"


async def test_typed_options_resolve_from_objects_or_ids(bot: DiscordBot, world: World) -> None:
    by_object = await world.alice.slash(
        "probe options",
        options={"channel": world.lounge},
        member=world.bob,
        role=world.admin_role,
        count=3,
        ratio=0.5,
        flag=True,
    )
    by_id = await world.alice.slash(
        "probe options",
        options={"channel": world.lounge.id},
        member=world.bob.id,
        role=world.admin_role.id,
        count=3,
        ratio=0.5,
        flag=True,
    )

    assert by_object.content == by_id.content == "Lounge bob Carillon Admin 3 0.5 True"


async def test_missing_and_unknown_options_are_caught_before_sending(
    bot: DiscordBot, world: World
) -> None:
    with pytest.raises(AssertionError, match="required options missing"):
        await world.alice.slash("probe pick")
    with pytest.raises(AssertionError, match="has no option 'colour'"):
        await world.alice.slash("probe pick", fruit="apple", colour="red")
    with pytest.raises(AssertionError, match="no subcommand 'pong'"):
        await world.alice.slash("probe pong")


async def test_a_modal_is_filled_in_and_submitted(bot: DiscordBot, world: World) -> None:
    opened = await world.alice.slash("probe rename")
    assert opened.modal is not None
    assert opened.modal["title"] == "Rename"

    answer = await world.alice.submit(opened, {"name": "big bell"})

    assert answer.content == "renamed to big bell"
    assert answer.ephemeral
