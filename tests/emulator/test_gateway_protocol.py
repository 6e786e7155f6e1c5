"""The gateway and voice gateway refuse what Discord refuses."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.emulator import Emulator
from bot.emulator.gateway import HEARTBEAT_ACK_DELAY


async def test_identify_with_a_wrong_token_is_closed_4004(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(emulator.gateway_url) as ws:
        hello = await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0}})
        await ws.receive()

    assert hello["op"] == 10
    assert ws.close_code == 4004


async def test_identify_sends_ready_then_guilds(emulator: Emulator) -> None:
    guild = emulator.add_guild("Guild")
    async with aiohttp.ClientSession() as session, session.ws_connect(emulator.gateway_url) as ws:
        await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": emulator.token, "intents": 641}})
        ready, created = await ws.receive_json(), await ws.receive_json()

    assert (ready["t"], ready["s"]) == ("READY", 1)
    assert ready["d"]["resume_gateway_url"] == emulator.gateway_url
    assert (created["t"], created["d"]["id"]) == ("GUILD_CREATE", str(guild.id))
    assert all("flags" in m for m in created["d"]["members"])


async def test_resume_of_an_unknown_session_is_invalid(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(emulator.gateway_url) as ws:
        await ws.receive_json()
        await ws.send_json({"op": 6, "d": {"token": emulator.token, "session_id": "x", "seq": 3}})
        answer = await ws.receive_json()

    assert answer == {"op": 9, "d": False}


async def test_voice_identify_needs_a_token_from_voice_server_update(emulator: Emulator) -> None:
    url = f"wss://{emulator.host}:{emulator.voice_port}/?v=8"
    connector = emulator.connector()
    async with aiohttp.ClientSession(connector=connector) as session, session.ws_connect(url) as ws:
        hello = await ws.receive_json()
        await ws.send_json({"op": 0, "d": {"server_id": "1", "token": "nope", "user_id": "2"}})
        await ws.receive()

    assert hello["op"] == 8
    assert ws.close_code == 4004


async def test_a_heartbeat_is_acknowledged_a_round_trip_later(emulator: Emulator) -> None:
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as session, session.ws_connect(emulator.gateway_url) as ws:
        await ws.receive_json()
        sent = loop.time()
        await ws.send_json({"op": 1, "d": None})
        ack = await ws.receive_json()
        waited = loop.time() - sent

    assert ack == {"op": 11, "d": None}
    assert waited >= HEARTBEAT_ACK_DELAY


async def test_a_privileged_intent_the_portal_has_off_is_closed_4014() -> None:
    async with Emulator(privileged_intents=("presences",)) as strict, aiohttp.ClientSession() as s:
        for intents, expected in ((1 << 1, 4014), (1 << 8 | 1 << 0, None)):
            async with s.ws_connect(strict.gateway_url) as ws:
                await ws.receive_json()
                await ws.send_json({"op": 2, "d": {"token": strict.token, "intents": intents}})
                answer = await ws.receive()
                if expected is None:
                    assert answer.json()["t"] == "READY"
                else:
                    assert ws.close_code == expected
                    assert answer.extra == "Disallowed intent(s)."


async def test_a_token_reset_ends_the_session_with_4004_and_refuses_the_old_token(
    emulator: Emulator,
) -> None:
    old = emulator.token
    async with aiohttp.ClientSession() as session, session.ws_connect(emulator.gateway_url) as ws:
        await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": old, "intents": 641}})
        assert (await ws.receive_json())["t"] == "READY"
        new = await emulator.reset_token()
        while not ws.closed:
            await ws.receive()
        assert ws.close_code == 4004
        headers = {"Authorization": f"Bot {old}"}
        async with session.get(f"{emulator.api_base_url}/users/@me", headers=headers) as answer:
            assert answer.status == 401
    assert new != old
