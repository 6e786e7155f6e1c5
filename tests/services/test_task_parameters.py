"""Each task type's parameters: typed in, JSON in the row, typed out; bad rows fail clearly."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.errors import InvalidInput, PermanentTaskFailure
from bot.models.scheduled_task import TaskType
from bot.services.scheduler import SchedulerService
from bot.services.task_parameters import (
    PlaylistParameters,
    RechargeParameters,
    SoundParameters,
    parse_parameters,
)
from bot.voice.play import PlaylistMode
from tests.support.core import RecordingPlayer


@pytest.mark.parametrize(
    ("task_type", "parameters", "stored"),
    [
        (
            TaskType.PLAY_SOUND,
            SoundParameters(3, 10, 11),
            {"sound_id": 3, "channel_id": 10, "text_channel_id": 11},
        ),
        (
            TaskType.PLAY_SOUND,
            SoundParameters(3, 10, replay_interrupted=False),
            {"sound_id": 3, "channel_id": 10, "text_channel_id": None, "replay_interrupted": False},
        ),
        (
            TaskType.PLAY_PLAYLIST,
            PlaylistParameters(4, 10, PlaylistMode.LOOP, True, 11),
            {
                "playlist_id": 4,
                "channel_id": 10,
                "mode": "loop",
                "shuffle": True,
                "text_channel_id": 11,
            },
        ),
        (
            TaskType.CREDIT_RECHARGE,
            RechargeParameters(10, None, 5, 11),
            {"amount": 10, "member_id": None, "created_by": 5, "text_channel_id": 11},
        ),
        (
            TaskType.CREDIT_RECHARGE,
            RechargeParameters(cap=50),
            {
                "amount": None,
                "member_id": None,
                "created_by": None,
                "text_channel_id": None,
                "cap": 50,
            },
        ),
    ],
)
def test_parameters_round_trip_through_the_json_column(task_type, parameters, stored) -> None:
    assert parameters.to_json() == stored
    assert parse_parameters(task_type, stored) == parameters


def test_a_row_written_before_types_reads_back() -> None:
    assert parse_parameters(TaskType.PLAY_PLAYLIST, {"playlist_id": "4", "channel_id": 10}) == (
        PlaylistParameters(4, 10, PlaylistMode.CONTINUOUS, False)
    )
    assert parse_parameters(TaskType.CREDIT_RECHARGE, {}) == RechargeParameters()


@pytest.mark.parametrize(
    ("task_type", "raw", "reason"),
    [
        (TaskType.PLAY_PLAYLIST, {"channel_id": 1}, "the task has no playlist id"),
        (
            TaskType.PLAY_PLAYLIST,
            {"playlist_id": 1, "channel_id": 1, "mode": "backwards"},
            "the task's playlist mode is not valid",
        ),
        (
            TaskType.PLAY_SOUND,
            {"sound_id": 1, "channel_id": [2]},
            "the task's channel id is not valid",
        ),
        (TaskType.CREDIT_RECHARGE, {"member_id": "someone"}, "the task's member id is not valid"),
        (TaskType.CREDIT_RECHARGE, {"amount": 0}, "The amount must be at least 1 credit."),
    ],
)
def test_a_bad_stored_row_is_a_permanent_failure_naming_the_key(task_type, raw, reason) -> None:
    with pytest.raises(PermanentTaskFailure) as failure:
        parse_parameters(task_type, raw)
    assert str(failure.value) == reason


def test_typed_parameters_are_checked_when_built() -> None:
    with pytest.raises(InvalidInput, match="at least 1 credit"):
        RechargeParameters(amount=0)


async def test_the_scheduler_refuses_another_type_s_parameters(database, clock) -> None:
    scheduler = SchedulerService(database, RecordingPlayer(), config=Config(), clock=clock)
    with pytest.raises(InvalidInput, match="takes SoundParameters"):
        await scheduler.create_task(
            "bell", TaskType.PLAY_SOUND, clock.now(), parameters=RechargeParameters(5)
        )
    task = await scheduler.create_task(
        "bell", TaskType.PLAY_SOUND, clock.now(), parameters=SoundParameters(3, 10)
    )
    stored = await scheduler.get_task(task.id)
    assert stored.parameters == {"sound_id": 3, "channel_id": 10, "text_channel_id": None}
