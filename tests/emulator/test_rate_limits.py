"""Discord's REST limits in the emulator: buckets, the global limit, the invalid-request ban."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.http import HTTPClient, Route

from bot.emulator import Emulator
from bot.emulator.ratelimits import Limit, RateLimitPolicy


def as_bot(emulator: Emulator) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(headers={"Authorization": f"Bot {emulator.token}"})


@pytest.fixture
async def strict() -> AsyncIterator[Emulator]:
    """Small limits, so a test reaches them in a few requests."""
    policy = RateLimitPolicy(
        global_limit=Limit(8, 1.0), invalid_requests=Limit(6, 60.0), ban_seconds=1.0
    )
    policy.buckets["channel-message-create"] = Limit(2, 1.0)
    async with Emulator(rate_limits=policy) as running:
        yield running


@pytest.fixture
async def client(strict: Emulator, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[HTTPClient]:
    """discord.py's own HTTP client, logged in to the emulator."""
    monkeypatch.setattr(Route, "BASE", strict.api_base_url)
    http = HTTPClient(asyncio.get_running_loop(), connector=strict.connector())
    await http.static_login(strict.token)
    yield http
    await http.close()


async def _send(client: HTTPClient, channel_id: int, text: str) -> None:
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    await client.request(route, json={"content": text})


async def test_answers_carry_their_bucket_and_a_429_says_when_to_retry(strict: Emulator) -> None:
    guild = strict.add_guild()
    general, other = (strict.add_text_channel(guild, n) for n in ("general", "other"))
    url = f"{strict.api_base_url}/channels/{{}}/messages"

    async with as_bot(strict) as session:
        answers = []
        for channel in (general, general, general, other):
            async with session.post(url.format(channel.id), json={"content": "hi"}) as response:
                answers.append((response.status, response.headers, await response.json()))

    (first, h1, _), (second, h2, _), (third, h3, body), (elsewhere, h4, _) = answers
    assert (first, second, third, elsewhere) == (200, 200, 429, 200)
    assert (h1["X-RateLimit-Limit"], h1["X-RateLimit-Remaining"]) == ("2", "1")
    assert h2["X-RateLimit-Remaining"] == "0"
    assert 0 < float(h2["X-RateLimit-Reset-After"]) <= 1.0
    assert abs(float(h2["X-RateLimit-Reset"]) - time.time() - 1.0) < 0.5
    assert h1["X-RateLimit-Bucket"] == h3["X-RateLimit-Bucket"] == h4["X-RateLimit-Bucket"]
    assert h4["X-RateLimit-Remaining"] == "1"
    assert body["global"] is False
    assert 0 < body["retry_after"] <= 1.0
    assert body["message"] == "You are being rate limited."
    assert (h3["X-RateLimit-Scope"], h3["Retry-After"], h3["Via"]) == ("user", "1", h1["Via"])
    assert [r.limited for r in strict.rate_limited()] == ["user"]
    assert len(strict.messages_in(general)) == 2


async def test_discord_py_paces_itself_by_the_headers(strict: Emulator, client: HTTPClient) -> None:
    guild = strict.add_guild()
    general = strict.add_text_channel(guild, "general")
    started = time.monotonic()

    await asyncio.gather(*(_send(client, general.id, f"m{i}") for i in range(5)))

    assert time.monotonic() - started >= 2.0
    assert sorted(m.content for m in strict.messages_in(general)) == [f"m{i}" for i in range(5)]
    assert strict.rate_limited() == []


async def test_the_global_limit_refuses_every_route_and_spares_interactions(
    strict: Emulator,
) -> None:
    guild = strict.add_guild()
    channels = [strict.add_text_channel(guild, f"c{i}") for i in range(10)]
    alice = strict.add_member(guild, "alice")
    record = await strict.start_interaction(2, guild, channels[0], alice, {"name": "probe"})
    base = strict.api_base_url

    async with as_bot(strict) as session:
        statuses = []
        for channel in channels:
            url = f"{base}/channels/{channel.id}/messages"
            async with session.post(url, json={"content": "x"}) as r:
                statuses.append(r.status)
                if r.status == 429:
                    refused, headers = await r.json(), r.headers
        callback = f"{base}/interactions/{record.id}/{record.token}/callback"
        async with session.post(callback, json={"type": 5, "data": {}}) as r:
            assert r.status == 200
        hook = f"{base}/webhooks/{strict.application_id}/{record.token}"
        async with session.post(hook, json={"content": "follow-up"}) as r:
            assert r.status == 200

    assert statuses == [200] * 8 + [429] * 2
    assert refused["global"] is True
    assert 0 < refused["retry_after"] <= 1.0
    assert (headers["X-RateLimit-Global"], headers["X-RateLimit-Scope"]) == ("true", "global")
    assert "X-RateLimit-Bucket" not in headers
    assert {r.limited for r in strict.rate_limited()} == {"global"}


async def test_discord_py_waits_out_the_global_limit_and_delivers_everything(
    strict: Emulator, client: HTTPClient
) -> None:
    guild = strict.add_guild()
    channels = [strict.add_text_channel(guild, f"c{i}") for i in range(12)]

    await asyncio.gather(*(_send(client, c.id, "x") for c in channels))

    assert all(len(strict.messages_in(c)) == 1 for c in channels)
    assert {r.limited for r in strict.rate_limited()} == {"global"}
    assert strict.unretried_429s() == []


async def test_invalid_requests_get_the_ip_banned_for_a_while(strict: Emulator) -> None:
    url = f"{strict.api_base_url}/users/@me"
    wrong = {"Authorization": "Bot not-the-token"}

    async with aiohttp.ClientSession() as session:
        for _ in range(2):
            async with session.get(f"{strict.api_base_url}/guilds/1") as r:
                assert r.status == 401
        for _ in range(4):
            async with session.get(url, headers=wrong) as r:
                assert (r.status, (await r.json())["message"]) == (401, "401: Unauthorized")
        async with as_bot(strict) as bot, bot.get(url) as r:
            banned = (r.status, await r.text(), r.headers.get("Via"), r.headers["Retry-After"])
        await asyncio.sleep(1.05)
        async with as_bot(strict) as bot, bot.get(url) as r:
            assert r.status == 200

    assert banned == (429, "error code: 1015", None, "1")
    assert [r.limited for r in strict.rate_limited()] == ["cloudflare"]


async def test_a_ban_is_an_error_to_discord_py_not_a_wait(
    strict: Emulator, client: HTTPClient
) -> None:
    guild = strict.add_guild()
    general = strict.add_text_channel(guild, "general")
    for _ in range(6):
        with pytest.raises(discord.NotFound):
            await client.request(Route("GET", "/channels/{channel_id}", channel_id=1))
    assert strict.rate_limits.invalid_count("127.0.0.1", time.monotonic()) == 0
    strict.rate_limits.policy.invalid_requests = Limit(1, 60.0)
    async with aiohttp.ClientSession() as session, session.get(f"{strict.api_base_url}/users/@me"):
        pass

    with pytest.raises(discord.HTTPException) as refused:
        await _send(client, general.id, "x")

    assert refused.value.status == 429
    assert strict.messages_in(general) == []
