"""Voice fixtures: the emulator's standard guild, a bot with no cogs, a real sound library."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bot.app import CarillonBot, DiscordBot
from bot.clock import SystemClock
from bot.config import Config, DatabaseConfig, SoundsConfig, VoiceConfig
from bot.container import build_bot
from bot.db import Database
from bot.emulator import Channel, Emulator, Guild
from bot.errors import InsufficientCredits
from bot.services.credits import ChargeReceipt
from bot.services.playlists import PlaylistService
from bot.services.sounds import SoundService
from bot.voice import VoicePlayerService
from tests.support.e2e import (
    GUILD_READY_TIMEOUT,
    BotRunner,
    World,
    bot_config,
    bots,
    emulator,
    world,
)

__all__ = ["bots", "emulator", "world"]


@dataclass
class Ledger:
    """Balances per member, charged through the signature of ``CreditService.charge_once``."""

    balances: dict[int, int] = field(default_factory=dict)
    charges: list[tuple[int, int, int, str, int | None]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    async def charge(
        self,
        guild_id: int,
        user_id: int,
        amount: int,
        reason: str,
        *,
        task_id: int | None = None,
        key: str | None = None,
    ) -> ChargeReceipt:
        have = self.balances.get(user_id, 0)
        if key is not None and key in self.keys:
            return ChargeReceipt(have, 0, repeated=True)
        if have < amount:
            raise InsufficientCredits(
                f"not enough credits: this costs {amount} and the balance is {have}.",
                balance=have,
                cost=amount,
            )
        self.balances[user_id] = have - amount
        self.charges.append((guild_id, user_id, amount, reason, task_id))
        if key is not None:
            self.keys.add(key)
        return ChargeReceipt(self.balances[user_id], amount)


@dataclass
class SecondServer:
    guild: Guild
    voice: Channel


@dataclass
class Voice:
    """Everything a voice test needs, wired as the application wires it."""

    emulator: Emulator
    world: World
    bot: DiscordBot
    sounds: SoundService
    playlists: PlaylistService
    ledger: Ledger
    second: SecondServer
    rng: random.Random
    player: VoicePlayerService | None = None

    def make_player(self, **options: object) -> VoicePlayerService:
        config = VoiceConfig(
            idle_disconnect_seconds=float(options.pop("idle", 30.0)),  # type: ignore[arg-type]
            max_playback_seconds=float(options.pop("limit", 60.0)),  # type: ignore[arg-type]
        )
        self.player = VoicePlayerService(
            self.bot,
            config,
            load_sound=options.pop("load_sound", self.sounds.playable),  # type: ignore[arg-type]
            load_playlist=self.playlists.playable,
            charge=self.ledger.charge,
            rng=self.rng,
            **options,  # type: ignore[arg-type]
        )
        return self.player


@pytest.fixture
async def voice(
    emulator: Emulator, world: World, bots: BotRunner, sqlite_url: str, tmp_path: Path
) -> AsyncIterator[Voice]:
    second_guild = emulator.add_guild("Second Server")
    second = SecondServer(second_guild, emulator.add_voice_channel(second_guild, "Hall"))
    bot = await bots.start([])
    db = Database(sqlite_url)
    config = Config(sounds=SoundsConfig(directory=str(tmp_path / "sounds")))
    sounds = SoundService(db, config, SystemClock())
    context = Voice(
        emulator=emulator,
        world=world,
        bot=bot,
        sounds=sounds,
        playlists=PlaylistService(db, sounds, SystemClock()),
        ledger=Ledger({world.alice.id: 100, world.bob.id: 100}),
        second=second,
        rng=random.Random(1234),
    )
    yield context
    if context.player is not None:
        await context.player.close()
    await db.dispose()


@pytest.fixture
async def app(
    emulator: Emulator, world: World, sqlite_url: str, tmp_path: Path
) -> AsyncIterator[CarillonBot]:
    config = replace(
        bot_config(emulator),
        database=DatabaseConfig(url=sqlite_url),
        sounds=SoundsConfig(directory=str(tmp_path / "sounds")),
        voice=VoiceConfig(idle_disconnect_seconds=5),
    )
    bot = build_bot(
        config,
        extensions=(),
        connector=emulator.connector(),
        guild_ready_timeout=GUILD_READY_TIMEOUT,
    )
    runner = asyncio.create_task(bot.start(emulator.token))
    await asyncio.wait_for(bot.wait_until_ready(), timeout=10)
    yield bot
    await bot.close()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(runner, timeout=5)
    await bot.services.db.dispose()
