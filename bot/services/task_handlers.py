"""What each task type does when it runs.

``parameters`` keys by type: play_sound ``sound_id``, ``channel_id`` (voice),
``text_channel_id``, ``native``; play_playlist ``playlist_id``, ``mode``, ``shuffle``,
``channel_id``, ``text_channel_id``, ``native`` (soundboard sounds sent natively, where the
bot may); credit_recharge ``amount``, ``cap``, ``member_id`` (absent: everyone),
``created_by``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PermanentTaskFailure
from bot.models.scheduled_task import ScheduledTask, TaskType
from bot.services.credits import CreditService
from bot.services.player import PlayerService, PlaylistMode, PlayRequest


@dataclass(frozen=True, slots=True)
class RunContext:
    """One attempt at one occurrence; ``session`` and ``run_id`` only for in-transaction work.

    ``interrupted``: an earlier attempt at this occurrence was cut off by a crash.
    """

    task: ScheduledTask
    scheduled_for: datetime
    started_at: datetime
    attempt: int
    interrupted: bool = False
    session: AsyncSession | None = None
    run_id: int | None = None


class TaskHandler(Protocol):
    # True: run inside the transaction that records the run, so its effect happens exactly once.
    in_transaction: bool

    async def prepare(self, task: ScheduledTask) -> None:
        """Get ready for a run due in a few seconds (join voice); failures are the run's."""
        ...

    async def run(self, context: RunContext) -> dict[str, Any]:
        """Do the task; return facts for the run record, or raise ``TaskFailure``."""
        ...


def _param_int(task: ScheduledTask, key: str, *, required: bool = True) -> int | None:
    value = task.parameters.get(key)
    if value is None:
        if required:
            raise PermanentTaskFailure(f"the task has no {key.replace('_', ' ')}")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PermanentTaskFailure(f"the task's {key.replace('_', ' ')} is not valid") from None


def _guild_id(task: ScheduledTask) -> int:
    if task.guild_id is None:
        raise PermanentTaskFailure("a play task needs a server")
    return task.guild_id


class CreditRechargeHandler:
    in_transaction = True

    def __init__(self, credits: CreditService) -> None:
        self.credits = credits

    async def prepare(self, task: ScheduledTask) -> None:
        return None

    async def run(self, context: RunContext) -> dict[str, Any]:
        assert context.session is not None
        task = context.task
        summary = await self.credits.recharge(
            context.session,
            guild_id=task.guild_id,
            user_id=_param_int(task, "member_id", required=False),
            amount=_param_int(task, "amount", required=False),
            cap=_param_int(task, "cap", required=False),
            task_id=task.id,
            run_id=context.run_id,
        )
        return summary.as_details()


class _PlayHandler(ABC):
    in_transaction = False

    def __init__(self, player: PlayerService) -> None:
        self.player = player

    @abstractmethod
    def request(self, task: ScheduledTask) -> PlayRequest:
        """The play ``task`` asks for; ``PermanentTaskFailure`` if its parameters are bad."""

    async def prepare(self, task: ScheduledTask) -> None:
        try:
            request = self.request(task)
        except PermanentTaskFailure:
            return  # the run says why
        await self.player.prepare(request)

    async def run(self, context: RunContext) -> dict[str, Any]:
        request = replace(
            self.request(context.task),
            charge_key=occurrence_key(context.task, context.scheduled_for),
            replay=context.interrupted,
        )
        return _play_details(await self.player.play(request))


def occurrence_key(task: ScheduledTask, occurrence: datetime) -> str:
    """The idempotency key of one occurrence of a play: charged once, whatever the attempts."""
    return f"play:{task.id}:{occurrence.astimezone(UTC).isoformat()}"


class PlaySoundHandler(_PlayHandler):
    def request(self, task: ScheduledTask) -> PlayRequest:
        return PlayRequest(
            guild_id=_guild_id(task),
            voice_channel_id=_param_int(task, "channel_id") or 0,
            payer_id=task.user_id,
            sound_id=_param_int(task, "sound_id"),
            task_id=task.id,
            text_channel_id=_param_int(task, "text_channel_id", required=False),
            native=task.parameters.get("native") is True,
        )


class PlayPlaylistHandler(_PlayHandler):
    def request(self, task: ScheduledTask) -> PlayRequest:
        try:
            mode = PlaylistMode(task.parameters.get("mode", PlaylistMode.CONTINUOUS))
        except ValueError:
            raise PermanentTaskFailure("the task's playlist mode is not valid") from None
        return PlayRequest(
            guild_id=_guild_id(task),
            voice_channel_id=_param_int(task, "channel_id") or 0,
            payer_id=task.user_id,
            playlist_id=_param_int(task, "playlist_id"),
            mode=mode,
            shuffle=bool(task.parameters.get("shuffle", False)),
            task_id=task.id,
            text_channel_id=_param_int(task, "text_channel_id", required=False),
            native=task.parameters.get("native") is True,
        )


def _play_details(result: Any) -> dict[str, Any]:
    return {
        "queued_seconds": round(result.queued_seconds, 3),
        "played_seconds": round(result.played_seconds, 3),
        "sounds_played": result.sounds_played,
        "credits_charged": result.credits_charged,
        "stopped": result.stopped,
        **result.details,
    }


class TaskHandlerRegistry:
    """Maps each ``TaskType`` to its handler."""

    def __init__(self, handlers: Mapping[TaskType, TaskHandler] | None = None) -> None:
        self._handlers: dict[TaskType, TaskHandler] = dict(handlers or {})

    @classmethod
    def standard(cls, credits: CreditService, player: PlayerService) -> TaskHandlerRegistry:
        return cls(
            {
                TaskType.CREDIT_RECHARGE: CreditRechargeHandler(credits),
                TaskType.PLAY_SOUND: PlaySoundHandler(player),
                TaskType.PLAY_PLAYLIST: PlayPlaylistHandler(player),
            }
        )

    def register(self, task_type: TaskType, handler: TaskHandler) -> None:
        self._handlers[task_type] = handler

    def get(self, task_type: TaskType) -> TaskHandler:
        try:
            return self._handlers[task_type]
        except KeyError:
            raise PermanentTaskFailure(f"no handler for tasks of type {task_type}") from None

    def __contains__(self, task_type: object) -> bool:
        return task_type in self._handlers
