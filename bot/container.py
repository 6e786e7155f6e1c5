"""The one place the application's objects are built and wired: no module-level singletons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp
import discord

from bot.app import CarillonBot, ShardedCarillonBot
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.db import Database
from bot.metrics import Metrics
from bot.repositories.scheduled_task import ShardFilter
from bot.scheduling.dispatcher import Dispatcher, DispatcherSettings
from bot.scheduling.identity import claim_identity
from bot.scheduling.maintenance import Maintenance
from bot.scheduling.notifier import LogNotifier, TaskNotifier
from bot.services.api_tokens import ApiTokenService
from bot.services.bundle import Services
from bot.services.credits import CreditService
from bot.services.member_tasks import MemberTaskService
from bot.services.playlists import PlaylistService
from bot.services.scheduler import SchedulerService
from bot.services.settings import SettingsService
from bot.services.soundboard import SoundboardService
from bot.services.sounds import SoundService
from bot.services.task_handlers import TaskHandlerRegistry
from bot.services.task_queries import TaskQueries
from bot.services.tracked_messages import TrackedMessageService
from bot.sharding import ShardPlan
from bot.ui.notifier import DiscordNotifier
from bot.ui.now_playing import NowPlayingPoster
from bot.ui.voice_status import VoiceStatus
from bot.voice.play import PlayResult
from bot.voice.ports import NowPlaying, OnPlayEnd, OnPlayStart
from bot.voice.service import VoicePlayerService
from bot.web.app import create_app
from bot.web.members import MemberView
from bot.web.server import WebServer

DEFAULT_EXTENSIONS = (
    "cogs.schedule",
    "cogs.sounds",
    "cogs.playlists",
    "cogs.credits",
    "cogs.admin",
    "cogs.settings",
    "cogs.help",
)


def build_services(
    config: Config,
    client: discord.Client | None = None,
    *,
    clock: Clock | None = None,
    notifier: TaskNotifier | None = None,
    on_start: OnPlayStart | None = None,
    on_end: OnPlayEnd | None = None,
    shards: ShardFilter | None = None,
    dispatcher_settings: DispatcherSettings | None = None,
) -> Services:
    """Every service once. ``client`` is only for voice: nothing here talks to Discord until
    something plays. Without one (an HTTP front end, which leaves playing to the bot and does
    not start the scheduler) the player's client never connects, so it finds no server to
    play in. ``notifier`` defaults to the log."""
    clock = clock or SystemClock()
    client = client or discord.Client(intents=discord.Intents.none())
    db = Database(config.database.url)
    metrics = Metrics()
    store = db.sqlite_path.resolve() if db.sqlite_path is not None else db.url
    identity = claim_identity(f"{store}|{shards}")
    settings = SettingsService(db, config, clock)
    credits = CreditService(db, config, settings, clock, metrics)
    sounds = SoundService(db, config, clock)
    playlists = PlaylistService(db, sounds, clock)

    async def playback_limit(guild_id: int) -> float:
        return (await settings.guild(guild_id)).max_playback_seconds

    player = VoicePlayerService(
        client,
        config.voice,
        load_sound=sounds.playable,
        load_playlist=playlists.playable,
        charge=credits.charge_once,
        playback_limit=playback_limit,
        on_start=on_start,
        on_end=on_end,
        balance=credits.balance,
        metrics=metrics,
    )
    dispatcher = Dispatcher(
        db,
        TaskHandlerRegistry.standard(credits, player),
        clock,
        notifier or LogNotifier(),
        settings=dispatcher_settings or DispatcherSettings.from_config(config.scheduler),
        shards=shards,
        owner=identity.name,
        metrics=metrics,
    )
    scheduler = SchedulerService(
        db,
        player,
        config=config,
        clock=clock,
        dispatcher=dispatcher,
        maintenance=Maintenance(db, clock, config, dispatcher),
    )
    queries = TaskQueries(scheduler, settings)
    return Services(
        config=config,
        clock=clock,
        db=db,
        identity=identity,
        settings=settings,
        credits=credits,
        sounds=sounds,
        playlists=playlists,
        player=player,
        scheduler=scheduler,
        member_tasks=MemberTaskService(
            scheduler, settings, sounds, playlists, clock, config, queries
        ),
        task_queries=queries,
        api_tokens=ApiTokenService(db, config.web, clock),
        soundboard=SoundboardService(db, sounds, clock),
        metrics=metrics,
        tracked_messages=TrackedMessageService(db, clock),
    )


def build_bot(
    config: Config,
    *,
    clock: Clock | None = None,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
    notifier: TaskNotifier | None = None,
    shards: ShardFilter | None = None,
    dispatcher_settings: DispatcherSettings | None = None,
    connector: aiohttp.BaseConnector | None = None,
    shard_plan: ShardPlan | None = None,
    **bot_options: Any,
) -> CarillonBot:
    """The bot with its services; the scheduler starts once the bot is connected.

    ``shard_plan``: an ``AutoShardedBot`` over those shards (``python -m bot run`` gives one
    when shards are configured or owned through PostgreSQL); without it a plain bot."""

    def services_for(bot: discord.Client) -> Services:
        poster = NowPlayingPoster(bot)
        status = VoiceStatus(bot)

        async def started(now: NowPlaying) -> None:
            await status.started(now)
            await poster(now)

        async def ended(now: NowPlaying, result: PlayResult) -> None:
            await poster.ended(now, result)
            await status.ended(now, result)

        return build_services(
            config,
            bot,
            clock=clock,
            notifier=notifier or DiscordNotifier(bot),
            on_start=started,
            on_end=ended,
            shards=shards,
            dispatcher_settings=dispatcher_settings,
        )

    def web_for(bot: CarillonBot) -> WebServer:
        return WebServer(config.web, create_app(bot.services, MemberView(bot)))

    web = web_for if config.web.enabled else None
    if shard_plan is None:
        return CarillonBot(
            config, services_for, extensions, web=web, connector=connector, **bot_options
        )
    return ShardedCarillonBot(
        config,
        services_for,
        extensions,
        web=web,
        connector=connector,
        shard_count=shard_plan.count,
        shard_ids=list(shard_plan.ids) if shard_plan.ids is not None else None,
        **bot_options,
    )
