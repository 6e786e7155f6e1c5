"""First run: ``/help``, the welcome posted when the bot joins a server, and the nudge to set a
time zone on a member's first ``/schedule``, with its "Set my timezone" button and modal."""

from __future__ import annotations

from bot.emulator import Emulator
from tests.cogs.conftest import App
from tests.support.app import add_sound


async def test_help_is_one_ephemeral_embed(app: App) -> None:
    reply = await app.world.alice.slash("help")

    assert reply.ephemeral
    [embed] = reply.embeds
    assert embed["title"] == "🔔 Carillon"
    assert "`/schedule sound`" in reply.text
    assert "`/timezone set`" in reply.text
    assert "“every weekday at 9am”" in reply.text


async def test_joining_a_server_posts_the_welcome_in_its_system_channel(app: App) -> None:
    emulator: Emulator = app.emulator
    guild = emulator.add_guild(
        "New friends", text_channels=("lobby", "welcome"), system_channel="welcome"
    )
    lobby, welcome = guild.channel_named("lobby"), guild.channel_named("welcome")

    posted = await emulator.wait_for_message(welcome, lambda m: bool(m.embeds))

    assert posted.embeds[0]["title"] == "🔔 Carillon"
    assert emulator.messages_in(lobby) == []


async def test_first_schedule_without_a_timezone_offers_to_set_one(app: App) -> None:
    world = app.world
    await add_sound(app)
    await world.alice.join_voice(world.lounge)

    first = await world.alice.slash("schedule sound", sound="bell", when="tomorrow 9am")
    nudge = await first.wait_for_followup()
    pressed = await world.alice.click(nudge, "carillon:timezone:set")
    bad = await world.alice.submit(pressed, {"zone": "Atlantis"})
    again = await world.alice.click(nudge, "carillon:timezone:set")
    done = await world.alice.submit(again, {"zone": "Paris"})
    second = await world.alice.slash("schedule sound", sound="bell", when="tomorrow 10am")

    assert nudge.ephemeral
    assert "I read your time in **UTC**" in nudge.content
    assert nudge.custom_ids() == ["carillon:timezone:set"]
    assert pressed.modal is not None
    assert bad.ephemeral
    assert bad.content.startswith("❌")
    assert "Europe/Paris" in done.content
    assert await app.services.settings.member_timezone(world.alice.id) == "Europe/Paris"
    assert second.followups == []
