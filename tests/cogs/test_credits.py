"""``/credits``: a member's balance and recent transactions."""

from __future__ import annotations

from tests.cogs.conftest import App
from tests.support.library import extensions as extensions
from tests.support.library import upload


async def test_a_new_member_sees_the_starting_balance(app: App) -> None:
    reply = await app.world.alice.slash("credits")

    assert reply.ephemeral
    [embed] = reply.embeds
    assert embed["title"] == "🪙 Your credits"
    assert embed["description"] == "**20 credits**"
    [history] = embed["fields"]
    assert history["value"].endswith("**+20** starting balance → 20")


async def test_a_play_shows_up_as_a_transaction(app: App) -> None:
    world = app.world
    await upload(app, world.alice, "bell", seconds=0.3, cost=3)
    await world.alice.join_voice(world.lounge)
    played = await world.alice.slash("sound play", sound="bell")
    await played.wait_until_ready(timeout=10)

    reply = await world.alice.slash("credits")

    assert reply.embeds[0]["description"] == "**17 credits**"
    lines = reply.embeds[0]["fields"][0]["value"].splitlines()
    assert lines[0].endswith("**-3** played 'bell' → 17")
    assert lines[1].endswith("**+20** starting balance → 20")


async def test_another_members_balance_is_visible_but_not_their_transactions(app: App) -> None:
    world = app.world
    await app.services.credits.grant(world.guild.id, world.bob.id, 5, world.admin.id)

    seen_by_alice = await world.alice.slash("credits", member=world.bob)
    seen_by_admin = await world.admin.slash("credits", member=world.bob)

    assert seen_by_alice.embeds[0]["title"] == "🪙 Credits of bob"
    assert seen_by_alice.embeds[0]["description"] == "**25 credits**"
    assert "fields" not in seen_by_alice.embeds[0] or not seen_by_alice.embeds[0]["fields"]
    assert "Only the member and admins can see their transactions." in seen_by_alice.text
    assert "**+5** granted by an admin → 25" in seen_by_admin.text


async def test_bots_have_no_credits(app: App) -> None:
    bot_member = app.emulator.bot_member(app.world.guild)

    reply = await app.world.alice.slash("credits", member=bot_member)

    assert reply.ephemeral
    assert reply.content == "❌ Bots have no credits. Pick a member."
