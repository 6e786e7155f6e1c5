"""What each task type stores in its ``parameters`` JSON column, typed.

Member-facing paths build these (valid by construction); the handlers and the notifier read
them back with ``parameters_of``. A stored row that does not fit is a permanent failure saying
which key is wrong, never a ``KeyError`` mid-run. ``SchedulerService.create_task`` also takes a
plain dict (DESIGN.md section 1); such a dict is checked when the task runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.audio.order import PlaylistMode
from bot.errors import InvalidInput, PermanentTaskFailure
from bot.models.scheduled_task import ScheduledTask, TaskType


@dataclass(frozen=True, slots=True)
class _Parameters:
    # Left out of the JSON while they hold their default (rows stay as they were).
    _quiet_defaults: ClassVar[frozenset[str]] = frozenset()

    def to_json(self) -> dict[str, Any]:
        stored: dict[str, Any] = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if spec.name in self._quiet_defaults and value == spec.default:
                continue
            stored[spec.name] = value.value if isinstance(value, PlaylistMode) else value
        return stored


@dataclass(frozen=True, slots=True)
class SoundParameters(_Parameters):
    _quiet_defaults: ClassVar[frozenset[str]] = frozenset(
        {"replay_interrupted", "announce", "skip_if_empty", "native"}
    )

    sound_id: int
    channel_id: int
    text_channel_id: int | None = None
    replay_interrupted: bool = True
    # Post "now playing"; skip (recorded, not charged) when nobody is in the voice channel.
    announce: bool = True
    skip_if_empty: bool = False
    native: bool = False


@dataclass(frozen=True, slots=True)
class PlaylistParameters(_Parameters):
    _quiet_defaults: ClassVar[frozenset[str]] = frozenset(
        {"replay_interrupted", "announce", "skip_if_empty", "native"}
    )

    playlist_id: int
    channel_id: int
    mode: PlaylistMode = PlaylistMode.CONTINUOUS
    shuffle: bool = False
    text_channel_id: int | None = None
    replay_interrupted: bool = True
    # Post "now playing"; skip (recorded, not charged) when nobody is in the voice channel.
    announce: bool = True
    skip_if_empty: bool = False
    native: bool = False


@dataclass(frozen=True, slots=True)
class RechargeParameters(_Parameters):
    """``member_id`` None: everyone in the server; ``amount`` and ``cap`` None: the server's."""

    _quiet_defaults: ClassVar[frozenset[str]] = frozenset({"cap"})

    amount: int | None = None
    member_id: int | None = None
    created_by: int | None = None
    text_channel_id: int | None = None
    cap: int | None = None

    def __post_init__(self) -> None:
        if self.amount is not None and self.amount < 1:
            raise InvalidInput("The amount must be at least 1 credit.")


TaskParameters = SoundParameters | PlaylistParameters | RechargeParameters

_TYPES: dict[TaskType, type[TaskParameters]] = {
    TaskType.PLAY_SOUND: SoundParameters,
    TaskType.PLAY_PLAYLIST: PlaylistParameters,
    TaskType.CREDIT_RECHARGE: RechargeParameters,
}
_REQUIRED = {"sound_id", "playlist_id", "channel_id"}


def parameters_for(task_type: TaskType) -> type[TaskParameters]:
    return _TYPES[TaskType(task_type)]


def parameters_of(task: ScheduledTask) -> TaskParameters:
    """The task's parameters, typed; ``PermanentTaskFailure`` naming what is wrong."""
    return parse_parameters(task.task_type, task.parameters or {})


def readable_parameters(task: ScheduledTask) -> TaskParameters | None:
    """The task's parameters for showing or telling about it; None when they are what is wrong."""
    try:
        return parameters_of(task)
    except PermanentTaskFailure:
        return None


def parse_parameters(task_type: TaskType, raw: Mapping[str, Any]) -> TaskParameters:
    kind = parameters_for(task_type)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(kind):
        value = raw.get(spec.name)
        if value is None:
            if spec.name in _REQUIRED:
                raise PermanentTaskFailure(f"the task has no {_label(spec.name)}")
            continue
        values[spec.name] = _read(spec.name, value)
    try:
        return kind(**values)
    except InvalidInput as error:
        raise PermanentTaskFailure(str(error)) from None


def _read(name: str, value: Any) -> Any:
    if name == "mode":
        try:
            return PlaylistMode(value)
        except ValueError:
            raise PermanentTaskFailure("the task's playlist mode is not valid") from None
    if name in ("shuffle", "replay_interrupted", "announce", "skip_if_empty", "native"):
        return bool(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PermanentTaskFailure(f"the task's {_label(name)} is not valid") from None


def _label(name: str) -> str:
    return name.replace("_", " ")
