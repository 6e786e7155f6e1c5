"""What each task type does when it runs (its parameters: ``bot.services.task_parameters``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.errors import PermanentTaskFailure
from bot.models.scheduled_task import ScheduledTask, TaskType
from bot.scheduling.handlers import HandlerRegistry, RunContext
from bot.services.credits import CreditService
from bot.services.task_parameters import (
    PlaylistParameters,
    RechargeParameters,
    SoundParameters,
    parameters_of,
)
from bot.voice.play import PlayerService, PlayRequest

P = TypeVar("P", SoundParameters, PlaylistParameters, RechargeParameters)


def _typed(task: ScheduledTask, kind: type[P]) -> P:
    parameters = parameters_of(task)
    if not isinstance(parameters, kind):
        raise PermanentTaskFailure(f"a {task.task_type} task cannot run as {kind.__name__}")
    return parameters


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
        parameters = _typed(task, RechargeParameters)
        summary = await self.credits.recharge(
            context.session,
            guild_id=task.guild_id,
            user_id=parameters.member_id,
            amount=parameters.amount,
            cap=parameters.cap,
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
        guild_id = _guild_id(task)
        parameters = _typed(task, SoundParameters)
        return PlayRequest(
            guild_id=guild_id,
            voice_channel_id=parameters.channel_id,
            payer_id=task.user_id,
            sound_id=parameters.sound_id,
            task_id=task.id,
            text_channel_id=parameters.text_channel_id,
            task_name=task.name,
            task_number=task.number,
            cancellable=task.has_later_runs,
            announce=parameters.announce,
            skip_if_empty=parameters.skip_if_empty,
            native=parameters.native,
        )


class PlayPlaylistHandler(_PlayHandler):
    def request(self, task: ScheduledTask) -> PlayRequest:
        guild_id = _guild_id(task)
        parameters = _typed(task, PlaylistParameters)
        return PlayRequest(
            guild_id=guild_id,
            voice_channel_id=parameters.channel_id,
            payer_id=task.user_id,
            playlist_id=parameters.playlist_id,
            mode=parameters.mode,
            shuffle=parameters.shuffle,
            task_id=task.id,
            text_channel_id=parameters.text_channel_id,
            task_name=task.name,
            task_number=task.number,
            cancellable=task.has_later_runs,
            announce=parameters.announce,
            skip_if_empty=parameters.skip_if_empty,
            native=parameters.native,
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


class TaskHandlerRegistry(HandlerRegistry):
    """The engine's registry with Carillon's three task types (the name DESIGN.md keeps)."""

    @classmethod
    def standard(cls, credits: CreditService, player: PlayerService) -> TaskHandlerRegistry:
        return cls(
            {
                TaskType.CREDIT_RECHARGE: CreditRechargeHandler(credits),
                TaskType.PLAY_SOUND: PlaySoundHandler(player),
                TaskType.PLAY_PLAYLIST: PlayPlaylistHandler(player),
            }
        )
