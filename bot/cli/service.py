"""The bot as a service: checks before connecting, graceful stops on SIGTERM and SIGINT."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import sys
import tempfile
from pathlib import Path

from bot.app import CarillonBot
from bot.cli.failures import explain
from bot.config import Config
from bot.container import build_bot
from bot.db.identify_turns import IdentifyTurns
from bot.db.preflight import prepare_database
from bot.db.shard_locks import ShardLocks
from bot.db.single_process import SingleProcessLock, sqlite_file
from bot.errors import StartupFailure
from bot.heartbeat import beat, heartbeat_path
from bot.sharding import ShardPlan, identify_concurrency, take_shards

log = logging.getLogger("bot")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def check_sounds_folder(directory: Path) -> None:
    """``StartupFailure`` unless the bot can create files in ``directory``."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".carillon-write-check-"):
            pass
    except OSError as exc:
        raise StartupFailure(
            f"The sounds folder {directory} is not writable ({exc.strerror or exc}): uploads "
            "could not be stored. Give the user the bot runs as write access to it (for "
            "example chown it to that user), or point [sounds] directory at a folder it can "
            "write.",
            lasting=True,
        ) from None


class GracefulStop:
    """The first SIGTERM or SIGINT closes the bot (runs in flight finish or give their leases
    back, voice is left); a second one ends the process at once."""

    def __init__(self, bot: CarillonBot) -> None:
        self.bot = bot
        self.received: int | None = None
        self._closing: asyncio.Task[None] | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        for number in STOP_SIGNALS:
            loop.add_signal_handler(number, self._on_signal, number)

    def uninstall(self, loop: asyncio.AbstractEventLoop) -> None:
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)

    async def finished(self) -> None:
        """Wait for the close the signal started (it may outlast ``bot.start``)."""
        if self._closing is not None:
            await self._closing

    def _on_signal(self, number: int) -> None:
        name = signal.Signals(number).name
        if self.received is not None:
            print(f"{name} again: exiting at once", file=sys.stderr, flush=True)
            os._exit(128 + number)
        self.received = number
        log.warning("%s: stopping (send it again to exit at once)", name)
        self._closing = asyncio.get_running_loop().create_task(self.bot.close())


def _connected(bot: CarillonBot) -> bool:
    return bot.is_ready() and not bot.is_closed() and math.isfinite(bot.latency)


async def serve(config: Config) -> None:
    check_sounds_folder(Path(config.sounds.directory))
    sqlite_path = sqlite_file(config.database.url)
    only_process = SingleProcessLock(sqlite_path).acquire() if sqlite_path is not None else None
    try:
        await prepare_database(config.database.url)
        await _serve(config)
    finally:
        if only_process is not None:
            only_process.release()


async def _serve(config: Config) -> None:
    plan = ShardPlan.from_config(config)
    locks: ShardLocks | None = None
    if plan.ids is None and not config.database.url.startswith("sqlite"):
        plan, locks = await take_shards(config, plan)
    if plan == ShardPlan(None, None):
        # One process, Discord's recommendation: the plain single-connection bot.
        bot = build_bot(config)
    else:
        turns = (
            None
            if config.database.url.startswith("sqlite")
            else IdentifyTurns(config.database.url, await identify_concurrency(config))
        )
        bot = build_bot(config, shard_plan=plan, shard_locks=locks, identify_turns=turns)
    stop = GracefulStop(bot)
    loop = asyncio.get_running_loop()
    stop.install(loop)
    token = config.discord.token
    assert token is not None
    pulse = heartbeat_path()
    beating = (
        loop.create_task(beat(pulse, lambda: _connected(bot)), name="carillon-heartbeat")
        if pulse is not None
        else None
    )
    try:
        async with bot:
            await bot.start(token)
        await stop.finished()
    except StartupFailure:
        raise
    except Exception as exc:
        failure = explain(exc, config, bot.intents)
        if failure is None:
            raise
        raise failure from None
    finally:
        stop.uninstall(loop)
        if beating is not None:
            beating.cancel()
    if getattr(bot, "lost_shards", None) is not None:
        raise StartupFailure(
            "The database connection that held this process's shards was lost, so other "
            "processes may run them now; the process stopped. Start it again once PostgreSQL "
            "is reachable: it takes the shards that are free then."
        )
    if stop.received is not None:
        log.info("stopped cleanly")
