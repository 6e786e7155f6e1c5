"""The one place the application's objects are built and wired: no module-level singletons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.app import CarillonBot
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.db import Database
from bot.repositories.scheduled_task import ShardFilter
from bot.scheduling.dispatcher import DispatcherSettings
from bot.scheduling.identity import ProcessIdentity, claim_identity
from bot.services.credits import CreditService
from bot.services.notifications import TaskNotifier
from bot.services.playlists import PlaylistService
from bot.services.scheduler import SchedulerService
from bot.services.settings import SettingsService
from bot.services.soundboard import SoundboardService
from bot.services.sounds import SoundService
from bot.ui.notifier import DiscordNotifier
from bot.ui.now_playing import NowPlayingPoster
from bot.voice.service import VoicePlayerService

DEFAULT_EXTENSIONS = (
    "cogs.schedule",
    "cogs.sounds",
    "cogs.playlists",
    "cogs.credits",
    "cogs.admin",
    "cogs.settings",
)


@dataclass
class Services:
    """Everything the cogs call; built by ``build_bot``."""

    config: Config
    clock: Clock
    db: Database
    settings: SettingsService
    credits: CreditService
    sounds: SoundService
    playlists: PlaylistService
    player: VoicePlayerService
    scheduler: SchedulerService
    identity: ProcessIdentity
    soundboard: SoundboardService


async def _playback_limit_from(settings: SettingsService, guild_id: int) -> float:
    return (await settings.guild(guild_id)).max_playback_seconds


def build_bot(
    config: Config,
    *,
    clock: Clock | None = None,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
    notifier: TaskNotifier | None = None,
    shards: ShardFilter | None = None,
    dispatcher_settings: DispatcherSettings | None = None,
    connector: aiohttp.BaseConnector | None = None,
    **bot_options: Any,
) -> CarillonBot:
    """The bot with its services; the scheduler starts once the bot is connected."""
    clock = clock or SystemClock()
    db = Database(config.database.url)
    store = db.sqlite_path.resolve() if db.sqlite_path is not None else db.url
    identity = claim_identity(f"{store}|{shards}")
    settings = SettingsService(db, config, clock)
    credits = CreditService(db, config, settings, clock)
    sounds = SoundService(db, config, clock)
    playlists = PlaylistService(db, sounds, clock)
    bot = CarillonBot(config, None, extensions, connector=connector, **bot_options)

    async def playback_limit(guild_id: int) -> float:
        return await _playback_limit_from(settings, guild_id)

    player = VoicePlayerService(
        bot,
        config.voice,
        load_sound=sounds.playable,
        load_playlist=playlists.playable,
        charge=credits.charge_once,
        playback_limit=playback_limit,
        on_start=NowPlayingPoster(bot),
    )
    scheduler = SchedulerService(
        db,
        player,
        config=config,
        clock=clock,
        credits=credits,
        notifier=notifier or DiscordNotifier(bot),
        shards=shards,
        dispatcher_settings=dispatcher_settings
        or DispatcherSettings(max_retries=config.scheduler.max_retries),
        owner=identity.name,
    )
    bot.services = Services(
        config=config,
        clock=clock,
        db=db,
        settings=settings,
        credits=credits,
        sounds=sounds,
        playlists=playlists,
        player=player,
        scheduler=scheduler,
        identity=identity,
        soundboard=SoundboardService(db, sounds, clock),
    )
    return bot
