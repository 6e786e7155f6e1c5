"""The gateway serves several shards as Discord does: it recommends a count, refuses a shard
that does not exist or would carry too many guilds, routes each guild's events to the shard
that holds it, and ends a shard's session once its dead client can no longer resume it."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from bot.emulator import Emulator
from bot.emulator.gateway import MAX_GUILDS_PER_SHARD
from bot.emulator.model import snowflake


async def identify(
    session: aiohttp.ClientSession, emulator: Emulator, shard: Any
) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(emulator.gateway_url)
    await ws.receive_json()
    await ws.send_json({"op": 2, "d": {"token": emulator.token, "intents": 641, "shard": shard}})
    return ws


@pytest.mark.emulator(shard_count=6)
async def test_gateway_bot_recommends_the_shard_count(emulator: Emulator) -> None:
    headers = {"Authorization": f"Bot {emulator.token}"}
    async with aiohttp.ClientSession() as session:
        response = await session.get(f"{emulator.api_base_url}/gateway/bot", headers=headers)
        body = await response.json()

    assert response.status == 200
    assert (body["url"], body["shards"]) == (emulator.gateway_url, 6)
    assert body["session_start_limit"]["max_concurrency"] == 1


async def _start_limit(session: aiohttp.ClientSession, emulator: Emulator) -> dict[str, int]:
    headers = {"Authorization": f"Bot {emulator.token}"}
    response = await session.get(f"{emulator.api_base_url}/gateway/bot", headers=headers)
    return (await response.json())["session_start_limit"]


@pytest.mark.emulator(shard_count=2)
async def test_a_second_identify_within_five_seconds_is_an_invalid_session(
    emulator: Emulator,
) -> None:
    async with aiohttp.ClientSession() as session:
        before = await _start_limit(session, emulator)
        first = await identify(session, emulator, [0, 2])
        ready = await first.receive_json()
        second = await identify(session, emulator, [1, 2])
        refused = await second.receive_json()
        after = await _start_limit(session, emulator)
        await first.close()
        await second.close()

    assert ready["t"] == "READY"
    assert refused == {"op": 9, "d": False}
    assert set(emulator.gateway.sessions) == {(0, 2)}
    assert emulator.gateway.stats.refused_identifies == 1
    assert before == {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
    assert after["remaining"] == 999
    assert 0 < after["reset_after"] <= 86_400_000


@pytest.mark.emulator(shard_count=4, max_concurrency=2, identify_window=0.3)
async def test_identify_buckets_are_shard_id_modulo_max_concurrency(emulator: Emulator) -> None:
    """Real clock: buckets 0 and 1 identify together, shard 2 (bucket 0 again) only once
    bucket 0's window has passed."""
    async with aiohttp.ClientSession() as session:
        zero, one, two = [await identify(session, emulator, [i, 4]) for i in range(3)]
        answers = [(await ws.receive_json()).get("t") for ws in (zero, one)]
        refused = await two.receive_json()
        await asyncio.sleep(0.35)
        again = await identify(session, emulator, [2, 4])
        ready = await again.receive_json()
        limit = await _start_limit(session, emulator)
        for ws in (zero, one, two, again):
            await ws.close()

    assert answers == ["READY", "READY"]
    assert refused == {"op": 9, "d": False}
    assert ready["t"] == "READY"
    assert limit["remaining"] == 997
    assert emulator.gateway.stats.refused_identifies == 1


async def test_the_recommendation_grows_with_the_guilds(emulator: Emulator) -> None:
    for i in range(1001):
        emulator.add_guild(f"g{i}")

    assert emulator.gateway.recommended_shards() == 2


@pytest.mark.parametrize("shard", [[6, 6], [-1, 6], [0, 0], [0], "0,6", [0.0, 2]])
async def test_identify_with_an_impossible_shard_is_closed_4010(
    emulator: Emulator, shard: Any
) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await identify(session, emulator, shard)
        await ws.receive()

    assert ws.close_code == 4010
    assert emulator.gateway.sessions == {}


async def test_a_shard_with_too_many_guilds_is_closed_4011(emulator: Emulator) -> None:
    base = snowflake()
    for i in range(MAX_GUILDS_PER_SHARD + 1):
        emulator.add_guild(f"g{i}", guild_id=base + (2 * i << 22))
    async with aiohttp.ClientSession() as session:
        crowded = await identify(session, emulator, [(base >> 22) % 2, 2])
        await crowded.receive()
        split = await identify(session, emulator, [(base >> 22) % 4, 4])
        ready = await split.receive_json()
        await split.close()

    assert crowded.close_code == 4011
    assert ready["t"] == "READY"


@pytest.mark.emulator(max_concurrency=3)
async def test_each_shard_gets_only_its_guilds_and_their_events(emulator: Emulator) -> None:
    base = snowflake()
    guilds = [emulator.add_guild(f"g{i}", guild_id=base + (i << 22)) for i in range(6)]
    shard_of = {g.id: (g.id >> 22) % 3 for g in guilds}
    async with aiohttp.ClientSession() as session:
        sockets = [await identify(session, emulator, [i, 3]) for i in range(3)]
        readies = [await ws.receive_json() for ws in sockets]
        created = [[(await ws.receive_json())["d"]["id"] for _ in range(2)] for ws in sockets]
        channel = emulator.add_text_channel(guilds[4], "new")
        event = await sockets[shard_of[guilds[4].id]].receive_json()
        for ws in sockets:
            await ws.close()

    assert [r["d"]["shard"] for r in readies] == [[0, 3], [1, 3], [2, 3]]
    for shard_id, ids in enumerate(created):
        expected = sorted(g for g, s in shard_of.items() if s == shard_id)
        assert sorted(int(i) for i in ids) == expected
    assert (event["t"], event["d"]["id"]) == ("CHANNEL_CREATE", str(channel.id))


@pytest.mark.emulator(resume_window=0.2)
async def test_a_dead_clients_session_ends_after_the_resume_window(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await identify(session, emulator, [1, 2])
        session_id = (await ws.receive_json())["d"]["session_id"]
        await ws.close()
        await emulator.wait_for(lambda: 1 not in {s[0] for s in emulator.gateway.sessions})
        again = await session.ws_connect(emulator.gateway_url)
        await again.receive_json()
        await again.send_json(
            {"op": 6, "d": {"token": emulator.token, "session_id": session_id, "seq": 1}}
        )
        answer = await again.receive_json()
        await again.close()

    assert answer == {"op": 9, "d": False}


async def test_a_dead_clients_session_stays_resumable_within_the_window(
    emulator: Emulator,
) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await identify(session, emulator, [1, 2])
        session_id = (await ws.receive_json())["d"]["session_id"]
        await ws.close()
        again = await session.ws_connect(emulator.gateway_url)
        await again.receive_json()
        await again.send_json(
            {"op": 6, "d": {"token": emulator.token, "session_id": session_id, "seq": 1}}
        )
        answer = await again.receive_json()
        await again.close()

    assert answer["t"] == "RESUMED"


@pytest.mark.emulator(shard_count=2, session_starts=2, identify_window=0.0)
async def test_an_identify_past_the_days_starts_ends_every_session_and_resets_the_token(
    emulator: Emulator,
) -> None:
    old_token = emulator.token
    async with aiohttp.ClientSession() as session:
        first = await identify(session, emulator, [0, 2])
        second = await identify(session, emulator, [1, 2])
        readies = [(await ws.receive_json())["t"] for ws in (first, second)]
        spent = await _start_limit(session, emulator)
        third = await identify(session, emulator, [0, 2])
        closes = [await ws.receive() for ws in (third, first, second)]
        headers = {"Authorization": f"Bot {old_token}"}
        rest = await session.get(f"{emulator.api_base_url}/gateway/bot", headers=headers)
        again = await session.ws_connect(emulator.gateway_url)
        await again.receive_json()
        await again.send_json({"op": 2, "d": {"token": old_token, "intents": 641, "shard": [0, 2]}})
        refused = await again.receive()

    assert readies == ["READY", "READY"]
    assert spent["remaining"] == 0
    assert [ws.close_code for ws in (third, first, second)] == [4004, 4004, 4004]
    assert all(message.type is aiohttp.WSMsgType.CLOSE for message in closes)
    assert emulator.gateway.sessions == {}
    assert emulator.gateway.stats.token_resets == 1
    assert emulator.token != old_token
    assert rest.status == 401
    assert again.close_code == 4004
    assert refused.type is aiohttp.WSMsgType.CLOSE
