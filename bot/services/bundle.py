"""``Services``: every service of one process, built once by ``bot.container``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import discord

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.metrics import Metrics
from bot.scheduling.identity import ProcessIdentity
from bot.services.api_tokens import ApiTokenService
from bot.services.credits import CreditService
from bot.services.member_tasks import MemberTaskService
from bot.services.playlists import PlaylistService
from bot.services.scheduler import SchedulerService
from bot.services.settings import SettingsService
from bot.services.soundboard import SoundboardService
from bot.services.sounds import SoundService
from bot.services.task_queries import TaskQueries
from bot.services.tracked_messages import TrackedMessageService
from bot.voice.service import VoicePlayerService


@dataclass(frozen=True, slots=True)
class Services:
    """What the cogs, the buttons and any other front end call."""

    config: Config
    clock: Clock
    db: Database
    identity: ProcessIdentity
    settings: SettingsService
    credits: CreditService
    sounds: SoundService
    playlists: PlaylistService
    player: VoicePlayerService
    scheduler: SchedulerService
    member_tasks: MemberTaskService
    task_queries: TaskQueries
    api_tokens: ApiTokenService
    soundboard: SoundboardService
    metrics: Metrics
    tracked_messages: TrackedMessageService


@runtime_checkable
class ServiceHost(Protocol):
    """A client that carries the services (``CarillonBot``)."""

    services: Services


def services_of(client: discord.Client) -> Services:
    """The services of the bot an interaction came to."""
    if not isinstance(client, ServiceHost):
        raise TypeError(f"{type(client).__name__} carries no Carillon services")
    return client.services
