"""``/sound list``, ``/playlist list`` and ``/playlist show`` page like ``/schedule list``:
0, 1, 40 and 41 items, Previous / Next, footers that count right."""

from __future__ import annotations

import re

import pytest

from bot.audio.tones import tone
from tests.cogs.conftest import App

PER_PAGE = 20


async def _sounds(app: App, count: int) -> None:
    world = app.world
    data = tone(440, 0.05, "wav")
    for n in range(count):
        await app.services.sounds.upload(world.guild.id, world.admin.id, f"s{n:02}", data)


async def _playlists(app: App, count: int) -> None:
    for n in range(count):
        await app.services.playlists.create(app.world.guild.id, app.world.admin.id, f"p{n:02}")


async def _one_playlist(app: App, count: int) -> str:
    world = app.world
    playlist = await app.services.playlists.create(world.guild.id, world.admin.id, "long")
    if count:
        [sound] = [
            await app.services.sounds.upload(
                world.guild.id, world.admin.id, "tick", tone(440, 0.05, "wav")
            )
        ]
        for _ in range(count):
            await app.services.playlists.add(
                world.guild.id, playlist.id, sound.id, actor_id=world.admin.id, is_admin=True
            )
    return "long"


def _names(text: str, prefix: str) -> list[str]:
    """The bold item names of one page, in order."""
    return re.findall(rf"\*\*({prefix}\d\d)\*\*", text)


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (40, 2), (41, 3)])
async def test_sound_list_pages(app: App, count: int, pages: int) -> None:
    await _sounds(app, count)
    reply = await app.world.alice.slash("sound list")

    noun = "sound" if count == 1 else "sounds"
    assert reply.embeds[0]["footer"]["text"] == f"Page 1/{pages} · {count} {noun}"
    seen = _names(reply.text, "s")
    if pages == 1:
        assert reply.custom_ids == []
    else:
        for page in range(1, pages):
            next_id = next(i for i in reply.custom_ids if ":next:" in i)
            reply = await app.world.alice.click(reply, next_id)
            assert reply.embeds[0]["footer"]["text"].startswith(f"Page {page + 1}/{pages}")
            seen += _names(reply.text, "s")
        prev_id = next(i for i in reply.custom_ids if ":prev:" in i)
        back = await app.world.alice.click(reply, prev_id)
        assert back.embeds[0]["footer"]["text"].startswith(f"Page {pages - 1}/{pages}")
    assert seen == [f"s{n:02}" for n in range(count)]


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (40, 2), (41, 3)])
async def test_playlist_list_pages(app: App, count: int, pages: int) -> None:
    await _playlists(app, count)
    reply = await app.world.alice.slash("playlist list")

    if count == 0:
        assert "No playlists yet" in reply.text
    noun = "playlist" if count == 1 else "playlists"
    assert reply.embeds[0]["footer"]["text"] == f"Page 1/{pages} · {count} {noun}"
    seen = _names(reply.text, "p")
    while any(":next:" in i for i in reply.custom_ids) and len(seen) < count:
        reply = await app.world.alice.click(
            reply, next(i for i in reply.custom_ids if ":next:" in i)
        )
        seen += _names(reply.text, "p")
    assert seen == [f"p{n:02}" for n in range(count)]


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (40, 2), (41, 3)])
async def test_playlist_show_pages(app: App, count: int, pages: int) -> None:
    name = await _one_playlist(app, count)
    reply = await app.world.alice.slash("playlist show", playlist=name)

    noun = "sound" if count == 1 else "sounds"
    assert reply.embeds[0]["footer"]["text"].startswith(f"Page 1/{pages} · {count} {noun}")
    positions = [line for line in reply.text.splitlines() if line.startswith("`")]
    while any(":next:" in i for i in reply.custom_ids) and len(positions) < count:
        reply = await app.world.alice.click(
            reply, next(i for i in reply.custom_ids if ":next:" in i)
        )
        positions += [line for line in reply.text.splitlines() if line.startswith("`")]
    assert [int(line.split(".")[0].strip("` ")) for line in positions] == list(range(1, count + 1))
    if pages > 1:
        assert len(positions) == count
        assert reply.embeds[0]["footer"]["text"].startswith(f"Page {pages}/{pages}")


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (40, 2), (41, 3)])
async def test_a_filtered_sound_list_pages_like_the_whole_one(
    app: App, count: int, pages: int
) -> None:
    """Only the names containing the filter, prefixes first, paged by the same buttons."""
    world = app.world
    data = tone(440, 0.05, "wav")
    for n in range(count):
        name = f"bell{n:02}" if n % 2 == 0 else f"s{n:02} bell"
        await app.services.sounds.upload(world.guild.id, world.admin.id, name, data)
    await app.services.sounds.upload(world.guild.id, world.admin.id, "gong", data)

    reply = await world.alice.slash("sound list", sound="  BELL ")

    noun = "sound" if count == 1 else "sounds"
    footer = f"Page 1/{pages} · {count} {noun} · names containing “bell”"
    assert reply.embeds[0]["footer"]["text"] == footer
    seen = re.findall(r"\*\*([^*]+)\*\*", reply.embeds[0].get("description", ""))
    if count == 0:
        assert reply.embeds[0]["description"] == (
            "No sound name contains “bell”. See `/sound list`."
        )
    if pages == 1:
        assert reply.custom_ids == []
    else:
        for page in range(1, pages):
            next_id = next(i for i in reply.custom_ids if ":next:" in i)
            assert next_id.endswith(":bell")
            reply = await world.alice.click(reply, next_id)
            assert reply.embeds[0]["footer"]["text"].startswith(f"Page {page + 1}/{pages}")
            seen += re.findall(r"\*\*([^*]+)\*\*", reply.embeds[0]["description"])
        prev_id = next(i for i in reply.custom_ids if ":prev:" in i)
        back = await world.alice.click(reply, prev_id)
        assert back.embeds[0]["footer"]["text"].startswith(f"Page {pages - 1}/{pages}")
    prefixed = sorted(f"bell{n:02}" for n in range(0, count, 2))
    inside = sorted(f"s{n:02} bell" for n in range(1, count, 2))
    assert seen == prefixed + inside
    assert "gong" not in seen
