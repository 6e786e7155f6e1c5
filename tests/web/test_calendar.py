"""The ICS feed: a secret per member and server, revocable, listing upcoming plays."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from icalendar import Calendar

from tests.cogs.conftest import App
from tests.support.app import add_sound
from tests.web.conftest import Client


async def test_feed_lists_the_members_plays_until_revoked(app: App, client: Client) -> None:
    sound = await add_sound(app)
    guild = app.world.guild.id
    alice, bob = await client(app.world.alice), await client(app.world.bob)
    for member, when in ((alice, "every day at 9am"), (bob, "tomorrow at 10am")):
        created = await member.post(
            "/api/v1/scheduler/tasks",
            json={
                "task_type": "play_sound",
                "when": when,
                "timezone": "UTC",
                "name": "mine" if member is alice else "bobs",
                "parameters": {"sound_id": sound.id},
                "guild_id": guild,
                "channel_id": app.world.lounge.id,
            },
        )
        assert created.status_code == 201, created.text
    link = await alice.post("/api/v1/calendar", params={"guild_id": guild})
    assert link.status_code == 201, link.text
    url = link.json()["url"]
    async with httpx.AsyncClient() as calendar_app:  # no cookie: the URL is the secret
        feed = await calendar_app.get(url)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        events = list(Calendar.from_ical(feed.content).walk("VEVENT"))
        assert {str(e["summary"]) for e in events} == {"mine"}
        starts = sorted(e.decoded("dtstart") for e in events)
        assert starts[0] == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        assert len(starts) == 60
        # The feed's token reads the feed only.
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        api = await calendar_app.get(
            link.url.copy_with(path="/api/v1/scheduler/tasks", query=None),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert api.status_code == 401
        token_id = link.json()["token_id"]
        assert (await bob.delete(f"/api/v1/calendar/{token_id}")).status_code == 404
        assert (await alice.delete(f"/api/v1/calendar/{token_id}")).status_code == 204
        assert (await calendar_app.get(url)).status_code == 404
