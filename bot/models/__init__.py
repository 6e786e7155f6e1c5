"""Typed SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from bot.models.api_token import ApiToken
from bot.models.base import Base
from bot.models.command_sync import CommandSync
from bot.models.credits import CreditBalance, CreditTransaction
from bot.models.guild_counter import GuildTaskCounter
from bot.models.scheduled_task import RecurrenceType, ScheduledTask, TaskStatus, TaskType
from bot.models.settings import GuildAdminRole, GuildSettings, MemberSettings
from bot.models.sound import Playlist, PlaylistItem, Sound
from bot.models.task_run import RunOutcome, TaskRun
from bot.models.tracked_message import MessageKind, TrackedMessage

__all__ = [
    "ApiToken",
    "Base",
    "CommandSync",
    "CreditBalance",
    "CreditTransaction",
    "GuildAdminRole",
    "GuildSettings",
    "GuildTaskCounter",
    "MemberSettings",
    "MessageKind",
    "Playlist",
    "PlaylistItem",
    "RecurrenceType",
    "RunOutcome",
    "ScheduledTask",
    "Sound",
    "TaskRun",
    "TaskStatus",
    "TaskType",
    "TrackedMessage",
]
