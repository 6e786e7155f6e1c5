"""Two bot processes, one shard each: every guild's events reach only the shard that holds it."""

from __future__ import annotations

from bot.emulator import Emulator
from bot.emulator.model import snowflake
from tests.e2e.conftest import PROBE
from tests.support.e2e import BotRunner


async def test_each_shard_sees_and_answers_only_its_guilds(
    emulator: Emulator, bots: BotRunner
) -> None:
    base = snowflake()
    guilds = [emulator.add_guild(f"g{i}", guild_id=base + (i << 22)) for i in range(2)]
    members = [
        emulator.actor(emulator.add_member(g, "alice"), channel=emulator.add_text_channel(g, "t"))
        for g in guilds
    ]
    shard_of = {g.id: (g.id >> 22) % 2 for g in guilds}

    shard_bots = [await bots.start([PROBE], shard_id=i, shard_count=2) for i in range(2)]
    replies = [await member.slash("probe ping") for member in members]

    for bot in shard_bots:
        assert {g.id for g in bot.guilds} == {g for g, s in shard_of.items() if s == bot.shard_id}
    assert [r.content for r in replies] == ["pong alice", "pong alice"]
    assert len(emulator.gateway.sessions) == 2
    callbacks = emulator.requests_to("POST", "/interactions/*/callback")
    assert [r.status for r in callbacks] == [200, 200]
