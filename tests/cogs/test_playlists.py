"""``/playlist``: members build ordered lists of the server's sounds through the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.emulator import Reply
from bot.models.scheduled_task import TaskType
from tests.cogs.conftest import App
from tests.support.library import extensions as extensions
from tests.support.library import upload


@pytest.fixture
async def library(app: App) -> App:
    for name in ("bell", "gong", "chime"):
        await upload(app, app.world.alice, name, seconds=0.2)
    return app


def _lines(reply: Reply) -> list[str]:
    """The sound names of a playlist embed, in order."""
    return [
        line.split("** ·")[0].split("**")[-1]
        for line in reply.embeds[0]["description"].splitlines()
    ]


async def _build(app: App, *names: str) -> None:
    await app.world.alice.slash("playlist create", playlist="morning")
    for name in names:
        await app.world.alice.slash("playlist add", playlist="morning", sound=name)


async def test_create_add_and_show(library: App) -> None:
    alice = library.world.alice

    created = await alice.slash("playlist create", playlist="morning")
    added = await alice.slash("playlist add", playlist="morning", sound="bell")
    await alice.slash("playlist add", playlist="morning", sound="gong")
    first = await alice.slash("playlist add", playlist="morning", sound="chime", position=1)
    shown = await library.world.bob.slash("playlist show", playlist="MORNING")

    assert created.ephemeral
    assert created.content == (
        "🎶 Created the playlist **morning**. Add sounds with `/playlist add`."
    )
    assert added.embeds[0]["title"] == "Added bell: morning"
    assert _lines(first) == ["chime", "bell", "gong"]
    assert _lines(shown) == ["chime", "bell", "gong"]
    assert "3 sounds, 0.6 s" in shown.text
    assert f"<@{library.world.alice.id}>" in shown.text


async def test_autocomplete_of_playlists_and_sounds(library: App) -> None:
    await _build(library, "bell", "gong", "bell")
    await library.world.alice.slash("playlist create", playlist="evening")
    bob = library.world.bob

    playlists = await bob.autocomplete("playlist show", focused="playlist", playlist="ev")
    everything = await bob.autocomplete("playlist delete", focused="playlist")
    library_sounds = await bob.autocomplete(
        "playlist add", focused="sound", playlist="morning", sound="g"
    )
    items = await bob.autocomplete(
        "playlist remove", focused="sound", playlist="morning", sound="bell"
    )

    assert [c.value for c in playlists] == ["evening"]
    assert [c.value for c in everything] == ["evening", "morning"]
    assert [c.value for c in library_sounds] == ["gong"]
    assert [(c.name, c.value) for c in items] == [
        ("1. bell (0.2 s)", "#1"),
        ("3. bell (0.2 s)", "#3"),
    ]


async def test_move_and_remove(library: App) -> None:
    await _build(library, "bell", "gong", "chime", "bell")
    alice = library.world.alice

    moved = await alice.slash("playlist move", playlist="morning", sound="chime", position=1)
    by_item = await alice.slash("playlist move", playlist="morning", sound="#4", position=2)
    removed = await alice.slash("playlist remove", playlist="morning", position=1)
    by_name = await alice.slash("playlist remove", playlist="morning", sound="gong")

    assert _lines(moved) == ["chime", "bell", "gong", "bell"]
    assert moved.embeds[0]["title"] == "Moved #3 to #1: morning"
    assert _lines(by_item) == ["chime", "bell", "bell", "gong"]
    assert _lines(removed) == ["bell", "bell", "gong"]
    assert _lines(by_name) == ["bell", "bell"]


async def test_mistakes_are_explained(library: App) -> None:
    await _build(library, "bell")
    alice = library.world.alice

    taken = await alice.slash("playlist create", playlist="Morning")
    too_far = await alice.slash("playlist move", playlist="morning", sound="bell", position=5)
    missing = await alice.slash("playlist remove", playlist="morning", sound="gong")
    nothing = await alice.slash("playlist remove", playlist="morning")
    unknown = await alice.slash("playlist show", playlist="night")

    assert "already has a playlist named 'Morning'" in taken.content
    assert "'morning' has 1 sounds: pick a position from 1 to 1." in too_far.content
    assert "**gong** is not in **morning**" in missing.content
    assert "give `sound` or `position`" in nothing.content
    assert "There is no playlist named 'night'. See `/playlist list`." in unknown.content
    assert all(r.ephemeral for r in (taken, too_far, missing, nothing, unknown))


async def test_only_the_owner_or_an_admin_changes_a_playlist(library: App) -> None:
    await _build(library, "bell")
    world = library.world

    refused = await world.bob.slash("playlist add", playlist="morning", sound="gong")
    refused_delete = await world.bob.slash("playlist delete", playlist="morning")
    by_admin = await world.admin.slash("playlist add", playlist="morning", sound="gong")

    assert "Only the member who created 'morning' or an admin can." in refused.content
    assert "Only the member who created 'morning' or an admin can." in refused_delete.content
    assert _lines(by_admin) == ["bell", "gong"]


async def test_list(library: App) -> None:
    await _build(library, "bell", "gong")
    await library.world.bob.slash("playlist create", playlist="evening")

    listing = await library.world.bob.slash("playlist list")

    assert listing.embeds[0]["description"].splitlines() == [
        f"**evening** · 0 sounds · <@{library.world.bob.id}>",
        f"**morning** · 2 sounds · <@{library.world.alice.id}>",
    ]


async def test_delete_and_delete_with_confirmation(library: App) -> None:
    await _build(library, "bell")
    world = library.world
    services = library.services
    await world.alice.slash("playlist create", playlist="evening")
    evening = await services.playlists.find(world.guild.id, "evening")
    await services.scheduler.create_task(
        "nightly",
        TaskType.PLAY_PLAYLIST,
        library.clock.now() + timedelta(hours=3),
        parameters={"playlist_id": evening.id, "channel_id": world.lounge.id},
        user_id=world.bob.id,
        guild_id=world.guild.id,
    )

    deleted = await world.alice.slash("playlist delete", playlist="morning")
    asked = await world.alice.slash("playlist delete", playlist="evening")
    assert asked.custom_ids == [
        f"carillon:delplaylist:{evening.id}",
        f"carillon:keepplaylist:{evening.id}",
    ]
    assert "1 scheduled task uses it" in asked.text
    confirmed = await world.alice.click(asked, f"carillon:delplaylist:{evening.id}")
    [notice] = await library.emulator.wait_for(lambda: library.emulator.dms_to(world.bob.member))

    assert deleted.content == "🗑️ Deleted the playlist **morning**."
    assert confirmed.content.startswith("🗑️ Deleted the playlist **evening**.")
    assert "The playlist **evening** was deleted" in notice.content
    assert await services.playlists.list(world.guild.id) == []
    assert await services.sounds.count(world.guild.id) == 3
