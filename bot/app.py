"""The discord.py bot: where it connects, which extensions it loads, its command tree."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import aiohttp
import discord
import yarl
from discord.ext import commands

from bot.command_sync import sync_on_start
from bot.config import Config, DiscordConfig
from bot.db.identify_turns import IdentifyTurns
from bot.db.shard_locks import ShardLocks
from bot.services.bundle import Services
from bot.session_starts import wait_for_a_session_start
from bot.sharding import dispatch_filter
from bot.timeparse import warm_up
from bot.ui.errors import on_app_command_error
from bot.ui.now_playing import cut_short_by_restart
from bot.ui.task_messages import TaskMessages

_log = logging.getLogger(__name__)

SHARD_READY_TIMEOUT = 30.0


def default_intents() -> discord.Intents:
    """Guilds, voice states, members and expressions (soundboard events); no message content."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.expressions = True
    intents.voice_states = True
    intents.members = True
    return intents


def use_discord_endpoints(discord_config: DiscordConfig) -> None:
    """Point discord.py at the configured REST base and gateway.

    discord.py 2.7 has no per-client option for either: every REST call (webhook and
    interaction callbacks included) builds its URL from the class attribute
    ``discord.http.Route.BASE`` when the request is made, and a plain ``Client`` opens the
    gateway at ``DiscordWebSocket.DEFAULT_GATEWAY`` (it never asks ``/gateway/bot``). Setting
    those two documented class attributes is the supported way short of replacing the HTTP
    client or copying ``Client.connect``; they are process-wide, so one process talks to one
    Discord-compatible server. Resumes use the ``resume_gateway_url`` that server sends.
    Asset URLs (soundboard files) are built from ``discord.asset.Asset.BASE`` the same way.
    """
    discord.http.Route.BASE = discord_config.api_base_url.rstrip("/")
    discord.asset.Asset.BASE = discord_config.cdn_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(discord_config.gateway_url)


def freeze_startup_objects() -> None:
    """Move what start-up built (dateparser's data, discord.py's cache, SQLAlchemy's mappers)
    out of the garbage collector's view, for good.

    A full collection otherwise walks all of it and holds the event loop for tens of
    milliseconds at a time, when a burst of runs allocates the most (benchmarks/dispatch.py:
    the longest pause under 1,000 runs due at once drops from about 60 ms to about 10 ms).
    """
    gc.collect()
    gc.freeze()


class WebFrontEnd(Protocol):
    """The HTTP API (``bot.web.server.WebServer``), started and stopped with the bot."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class DiscordBot(commands.Bot):
    """A ``commands.Bot`` on the configured endpoints: slash commands only, its extensions
    loaded and synced at start-up. ``CarillonBot`` adds the services."""

    def __init__(
        self,
        config: Config,
        extensions: Sequence[str],
        *,
        connector: aiohttp.BaseConnector | None = None,
        intents: discord.Intents | None = None,
        **options: Any,
    ) -> None:
        """``connector`` lets a caller trust another CA (the emulator's voice gateway)."""
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or default_intents(),
            connector=connector,
            **options,
        )
        self.config = config
        self.extension_names = tuple(extensions)
        self.tree.on_error = on_app_command_error

    async def login(self, token: str) -> None:
        use_discord_endpoints(self.config.discord)
        await super().login(token)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.identify_pause(shard_id, initial=initial)
        await wait_for_a_session_start(self.http)

    async def identify_pause(self, shard_id: int | None, *, initial: bool) -> None:
        """The pause before an IDENTIFY (discord.py's: 5 s between one process's)."""
        await super().before_identify_hook(shard_id, initial=initial)

    async def setup_hook(self) -> None:
        # dateparser's first call loads its language data: pay it now, not on a member's command.
        await asyncio.to_thread(warm_up, self.config.time)
        for name in self.extension_names:
            await self.load_extension(name)
        _log.info("loaded %d extensions", len(self.extension_names))
        await self._sync_commands()

    async def _sync_commands(self) -> None:
        synced = await self.tree.sync()
        _log.info("synced %d commands", len(synced))


class CarillonBot(DiscordBot):
    """Carillon's bot: its services are built with it (the voice player needs the client)."""

    def __init__(
        self,
        config: Config,
        services: Callable[[discord.Client], Services],
        extensions: Sequence[str],
        *,
        web: Callable[[CarillonBot], WebFrontEnd] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(config, extensions, **options)
        self.services: Services = services(self)
        self.web: WebFrontEnd | None = web(self) if web is not None else None
        self.task_messages = TaskMessages(
            self,
            self.services.scheduler,
            self.services.tracked_messages,
            self.services.clock,
        )
        self.services.scheduler.dispatcher.watchers.add(self.task_messages.changed)
        self._scheduler_started = False
        self._closing_started = False

    async def setup_hook(self) -> None:
        await super().setup_hook()
        if self.web is not None:
            await self.web.start()

    async def _sync_commands(self) -> None:
        """As ``[discord] sync_on_start`` says (``bot.command_sync``)."""
        if self.application_id is None:
            await super()._sync_commands()
            return
        await sync_on_start(
            self.tree,
            self.services.db,
            self.application_id,
            self.services.clock.now(),
            self.config.discord.sync_on_start,
        )

    async def on_ready(self) -> None:
        """The scheduler starts once the guilds are known, so due plays find their channels."""
        if not self._scheduler_started:
            self._scheduler_started = True
            self._claim_only_held_shards()
            await self._take_back_messages()
            await self.services.scheduler.start()
            _log.info(
                "scheduler started; this process records its runs as %s",
                self.services.scheduler.dispatcher.owner,
            )
            freeze_startup_objects()

    async def _take_back_messages(self, guild_ids: frozenset[int] | None = None) -> None:
        """The messages kept true before a restart, and the plays it cut short (of this bot's
        servers, or of ``guild_ids`` only); a failure here costs those edits, never the start."""
        try:
            kept = await self.task_messages.load(guild_ids)
            cut_short = await cut_short_by_restart(self, self.services.tracked_messages, guild_ids)
        except Exception:
            _log.exception("could not take back the messages kept true before the restart")
            return
        _log.info("keeping %d task messages true; %d plays were cut short", kept, cut_short)

    def _claim_only_held_shards(self) -> None:
        """A sharded bot's dispatcher claims only the tasks of the guilds its shards hold."""
        count = self.shard_count
        if count is None:
            return
        shard_ids = getattr(self, "shard_ids", None)
        if shard_ids is None:
            shard_ids = [self.shard_id] if self.shard_id is not None else range(count)
        shards = dispatch_filter(list(shard_ids), count)
        self.services.scheduler.dispatcher.shards = shards
        _log.info("running shards %s of %d", sorted(shard_ids), count)

    async def close(self) -> None:
        """Stop the scheduler, leave voice, disconnect, release the database; once."""
        if self._closing_started:
            await super().close()
            return
        self._closing_started = True
        if self.web is not None:
            await self.web.stop()
        if self._scheduler_started:
            await self.services.scheduler.stop()
        await self.services.player.close()
        await super().close()
        await self.services.db.dispose()
        self.services.identity.close()


class ShardedCarillonBot(CarillonBot, commands.AutoShardedBot):
    """Carillon as an ``AutoShardedBot``: one gateway connection per shard it runs
    (``shard_count`` None: as many as ``/gateway/bot`` recommends; ``shard_ids`` None: all).

    Given ``shard_locks`` (``shard_ids = "auto"`` on PostgreSQL), it connects the orphaned
    shards its locks take up while it runs, and closes if the locks' connection is lost.
    Given ``identify_turns``, its IDENTIFYs take turns with every other process's."""

    def __init__(
        self,
        *args: Any,
        shard_locks: ShardLocks | None = None,
        identify_turns: IdentifyTurns | None = None,
        **options: Any,
    ) -> None:
        super().__init__(*args, **options)
        self.shard_locks = shard_locks
        self.identify_turns = identify_turns
        self.lost_shards: BaseException | None = None
        self._shard_ready: dict[int, asyncio.Event] = {}
        self._watching: asyncio.Task[None] | None = None

    async def on_ready(self) -> None:
        await super().on_ready()
        if self.shard_locks is not None and self._watching is None:
            self._watching = asyncio.get_running_loop().create_task(
                self.shard_locks.watch(self.run_more_shards, self._on_shards_lost),
                name="carillon-shard-locks",
            )

    async def identify_pause(self, shard_id: int | None, *, initial: bool) -> None:
        """With ``identify_turns`` (PostgreSQL), wait for this shard's IDENTIFY bucket to be
        free in every process, not just this one (discord.py's own 5 s pause)."""
        if self.identify_turns is None:
            await super().identify_pause(shard_id, initial=initial)
            return
        await self.identify_turns.wait_turn(shard_id or 0)

    async def on_shard_ready(self, shard_id: int) -> None:
        self._shard_ready.setdefault(shard_id, asyncio.Event()).set()

    async def run_more_shards(self, shard_ids: list[int]) -> None:
        """Connect shards taken over from a process that died, then claim their guilds'
        tasks (their due and missed runs come with them)."""
        assert self.shard_ids is not None
        _log.warning("taking over shards %s", shard_ids)
        for shard_id in shard_ids:
            ready = self._shard_ready.setdefault(shard_id, asyncio.Event())
            self.shard_ids.append(shard_id)
            await self.launch_shard(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY, shard_id)
            try:
                await asyncio.wait_for(ready.wait(), SHARD_READY_TIMEOUT)
            except TimeoutError:
                _log.warning("shard %d not ready after %g s", shard_id, SHARD_READY_TIMEOUT)
        # The dead process's messages first: a play replayed here posts a new one.
        taken = frozenset(g.id for g in self.guilds if g.shard_id in shard_ids)
        await self._take_back_messages(taken)
        self._claim_only_held_shards()
        self.services.scheduler.dispatcher.wake()

    async def _on_shards_lost(self, exc: BaseException) -> None:
        _log.error(
            "lost the database connection that holds shards %s (%s): stopping, so that no "
            "shard runs in two processes",
            self.shard_ids,
            exc,
        )
        self.lost_shards = exc
        await self.close()

    async def close(self) -> None:
        if self._watching is not None and self._watching is not asyncio.current_task():
            self._watching.cancel()
        await super().close()
        if self.shard_locks is not None:
            await self.shard_locks.close()
        if self.identify_turns is not None:
            await self.identify_turns.close()
