"""Interaction tokens: follow-ups with a token are refused once it has expired, as Discord does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.emulator import Emulator
from bot.emulator.interactions import TOKEN_LIFETIME, InteractionRecord

LIFETIME = 0.5


@pytest.fixture
async def short_lived() -> AsyncIterator[Emulator]:
    async with Emulator(token_lifetime=LIFETIME) as running:
        yield running


async def _deferred(emulator: Emulator, session: aiohttp.ClientSession) -> InteractionRecord:
    guild = emulator.add_guild()
    general = emulator.add_text_channel(guild, "general")
    alice = emulator.add_member(guild, "alice")
    record = await emulator.start_interaction(2, guild, general, alice, {"name": "probe"})
    url = f"{emulator.api_base_url}/interactions/{record.id}/{record.token}/callback"
    async with session.post(url, json={"type": 5, "data": {"flags": 64}}) as response:
        assert response.status == 200
    return record


async def test_follow_ups_and_edits_work_while_the_token_lives(short_lived: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        record = await _deferred(short_lived, session)
        hook = f"{short_lived.api_base_url}/webhooks/{short_lived.application_id}/{record.token}"
        async with session.post(hook, json={"content": "done"}) as response:
            assert response.status == 200
        async with session.patch(f"{hook}/messages/@original", json={"content": "edited"}) as r:
            assert r.status == 200
        other_app = f"{short_lived.api_base_url}/webhooks/1/{record.token}"
        async with session.post(other_app, json={"content": "elsewhere"}) as response:
            assert (response.status, (await response.json())["code"]) == (404, 10015)

    assert record.original is not None
    assert record.original.content == "edited"


async def test_an_expired_token_gets_401_invalid_webhook_token(short_lived: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        record = await _deferred(short_lived, session)
        hook = f"{short_lived.api_base_url}/webhooks/{short_lived.application_id}/{record.token}"
        await asyncio.sleep(LIFETIME + 0.1)
        answers = []
        for method, url in [
            ("POST", hook),
            ("PATCH", f"{hook}/messages/@original"),
            ("GET", f"{hook}/messages/@original"),
            ("DELETE", f"{hook}/messages/@original"),
        ]:
            async with session.request(method, url, json={"content": "late"}) as response:
                answers.append((response.status, await response.json()))

    expected = {"message": "Invalid Webhook Token", "code": 50027}
    assert answers == [(401, expected)] * 4
    assert record.original is not None
    assert record.original.loading
    assert short_lived.rate_limits.invalid_count("127.0.0.1", time.monotonic()) >= 4


def test_tokens_live_fifteen_minutes_by_default() -> None:
    assert Emulator().token_lifetime == TOKEN_LIFETIME == 15 * 60
