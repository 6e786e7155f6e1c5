"""The emulator's REST surface, spoken to with plain aiohttp."""

from __future__ import annotations

import aiohttp

from bot.emulator import Emulator


def as_bot(emulator: Emulator) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(headers={"Authorization": f"Bot {emulator.token}"})


async def test_json_answers_carry_exactly_application_json(emulator: Emulator) -> None:
    url = f"{emulator.api_base_url}/users/@me"
    async with as_bot(emulator) as session, session.get(url) as response:
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["id"] == str(emulator.bot_user.id)


async def test_unknown_routes_answer_404_and_are_logged(emulator: Emulator) -> None:
    url = f"{emulator.api_base_url}/nowhere/else"
    async with aiohttp.ClientSession() as session, session.post(url, json={}) as response:
        assert response.status == 404

    assert emulator.unknown_routes == ["POST /api/v10/nowhere/else"]
    assert [str(r) for r in emulator.requests] == ["POST /nowhere/else -> 404"]


async def test_faults_answer_then_let_requests_through(emulator: Emulator) -> None:
    emulator.fail("GET /users/*", 429, retry_after=1.5)
    emulator.fail("GET /users/*", 503)
    url = f"{emulator.api_base_url}/users/@me"

    async with as_bot(emulator) as session:
        statuses = []
        for _ in range(3):
            async with session.get(url) as response:
                statuses.append(response.status)
                if response.status == 429:
                    assert (await response.json())["retry_after"] == 1.5
                    assert response.headers["Via"]

    assert statuses == [429, 503, 200]


async def test_attachments_are_served(emulator: Emulator) -> None:
    attachment = emulator.attachment("bell.ogg", b"OggS-bytes", "audio/ogg")

    async with aiohttp.ClientSession() as session, session.get(attachment.url) as response:
        assert await response.read() == b"OggS-bytes"
        assert response.content_type == "audio/ogg"


async def test_channel_messages_are_created_edited_and_deleted(emulator: Emulator) -> None:
    guild = emulator.add_guild()
    channel = emulator.add_text_channel(guild, "general")
    base = f"{emulator.api_base_url}/channels/{channel.id}/messages"

    async with as_bot(emulator) as session:
        async with session.post(base, json={"content": "hi", "embeds": [{"title": "t"}]}) as r:
            message_id = (await r.json())["id"]
        async with session.patch(f"{base}/{message_id}", json={"content": "hello"}) as r:
            assert (await r.json())["edited_timestamp"]
        [message] = emulator.messages_in(channel)
        assert (message.content, message.embeds, message.version) == ("hello", [{"title": "t"}], 1)
        async with session.delete(f"{base}/{message_id}") as r:
            assert r.status == 204

    assert emulator.messages_in(channel) == []


async def test_the_bot_cannot_post_where_it_may_not_view_or_send(emulator: Emulator) -> None:
    from bot.emulator.model import Overwrite, Permission

    guild = emulator.add_guild()
    bot_id = emulator.bot_user.id
    hidden = emulator.add_text_channel(
        guild, "hidden", overwrites=[Overwrite(bot_id, 1, deny=int(Permission.VIEW_CHANNEL))]
    )
    muted = emulator.add_text_channel(
        guild, "muted", overwrites=[Overwrite(bot_id, 1, deny=int(Permission.SEND_MESSAGES))]
    )
    headers = {"Authorization": f"Bot {emulator.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        answers = []
        for channel in (hidden, muted):
            url = f"{emulator.api_base_url}/channels/{channel.id}/messages"
            async with session.post(url, json={"content": "hi"}) as response:
                answers.append((response.status, (await response.json())["code"]))
    assert answers == [(403, 50001), (403, 50013)]
    assert not emulator.messages_in(hidden)
    assert not emulator.messages_in(muted)
