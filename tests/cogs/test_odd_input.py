"""Odd input from a member, or from a client that skips Discord's own checks, through the emulator:
every answer is an ephemeral error that says what to fix, and nothing is logged as an ERROR.
"""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Reply
from bot.models.scheduled_task import TaskStatus
from tests.cogs.conftest import App
from tests.support.app import add_playlist, add_sound, schedule

HUGE = "99999999999999999999999"
NOT_ASCII_DIGITS = ["²", "³", "٣", "١٢"]


def _error(reply: Reply) -> str:
    assert reply.ephemeral, reply
    assert reply.content.startswith("❌"), reply.content
    assert "Something went wrong" not in reply.content, reply.content
    return reply.content


def _errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture(autouse=True)
def _capture_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("#3", "ambiguous"),
        ("(3)", "ambiguous"),
        ("+5", "ambiguous"),
        ("-3", "ambiguous"),
        ("{3}", "ambiguous"),
        ("[12]", "ambiguous"),
        ('"3"', "ambiguous"),
        ("~5", "ambiguous"),
        ("3.", "ambiguous"),
        ("{{7*7}}", "could not read"),
        ("³", "0-9"),
        ("in ٣ hours", "0-9"),
    ],
)
async def test_a_number_in_symbols_is_refused_as_a_time(
    app: App, caplog: pytest.LogCaptureFixture, when: str, expected: str
) -> None:
    world = app.world
    await add_sound(app)

    reply = await world.alice.slash(
        "schedule sound", sound="bell", when=when, options={"channel": world.lounge}
    )

    message = _error(reply)
    assert expected in message
    assert "Try for example" in message
    assert await app.services.scheduler.count_tasks(guild_id=world.guild.id) == 0
    assert _errors_logged(caplog) == []


@pytest.mark.parametrize(("when", "expected"), [("#3", "ambiguous"), ("²", "0-9")])
async def test_when_autocomplete_shows_the_refusal(app: App, when: str, expected: str) -> None:
    [shown] = await app.world.alice.autocomplete("schedule sound", focused="when", when=when)

    assert shown.name.startswith("⚠️")
    assert expected in shown.name
    assert shown.value == when


def _lookalike(number: int) -> str:
    """The number in Arabic-Indic digits, which ``int`` reads as the same number."""
    return str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


@pytest.mark.parametrize("typed", ["²", "³", "lookalike", HUGE, f"#{HUGE}", str(2**63)])
@pytest.mark.parametrize("command", ["schedule cancel", "schedule info"])
async def test_task_autocomplete_answers_for_odd_numbers(
    app: App, caplog: pytest.LogCaptureFixture, command: str, typed: str
) -> None:
    world = app.world
    await add_sound(app)
    task_id = await schedule(app, world.alice, "in 1 hour", name="first")
    if typed == "lookalike":
        typed = _lookalike(task_id)

    choices = await world.alice.autocomplete(command, focused="task", task=typed)

    assert choices == []
    assert _errors_logged(caplog) == []


async def test_admin_task_autocomplete_answers_for_odd_numbers(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    for typed in ("²", HUGE):
        assert await app.world.admin.autocomplete("admin cancel", focused="task", task=typed) == []
    assert _errors_logged(caplog) == []


@pytest.mark.parametrize("typed", [*NOT_ASCII_DIGITS, HUGE, f"#{HUGE}", str(2**63), "0"])
async def test_an_odd_task_number_is_a_clear_error(
    app: App, caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    world = app.world
    await add_sound(app)
    task_id = await schedule(app, world.alice, "in 1 hour")

    cancel = await world.alice.slash("schedule cancel", task=typed)
    info = await world.alice.slash("schedule info", task=typed)

    assert "Pick a task from the list" in _error(cancel)
    assert "Pick a task from the list" in _error(info)
    assert await app.services.scheduler.get_task(task_id) is not None
    assert _errors_logged(caplog) == []


async def test_an_arabic_indic_digit_is_not_read_as_a_task_number(app: App) -> None:
    world = app.world
    await add_sound(app)
    task_id = await schedule(app, world.alice, "in 1 hour")

    reply = await world.alice.slash("schedule cancel", task=_lookalike(task_id))

    assert "Pick a task from the list" in _error(reply)
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.status is TaskStatus.PENDING


@pytest.mark.parametrize("typed", ["²", HUGE])
async def test_a_sound_or_playlist_given_as_an_odd_number_is_not_found(
    app: App, caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    world = app.world
    await add_sound(app)
    await add_playlist(app, "morning", [])

    sound = await world.alice.slash("sound info", sound=typed)
    playlist = await world.alice.slash("playlist show", playlist=typed)

    assert f"no sound named {typed!r}" in _error(sound)
    assert f"no playlist named {typed!r}" in _error(playlist)
    assert _errors_logged(caplog) == []


@pytest.mark.parametrize("command", ["schedule sound", "schedule edit"])
async def test_a_repeat_outside_its_choices_is_a_clear_error(
    app: App, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    world = app.world
    await add_sound(app)
    task_id = await schedule(app, world.alice, "in 1 hour")
    options = (
        {"sound": "bell", "when": "tomorrow 9am", "channel": world.lounge}
        if command == "schedule sound"
        else {"task": str(task_id)}
    )

    reply = await world.alice.slash(command, options={**options, "repeat": "fortnightly"})

    assert _error(reply) == (
        "❌ `repeat` must be one of `none`, `hourly`, `daily`, `weekly`, `monthly`, `yearly`; "
        "“fortnightly” is not one: pick one from the list, or leave it out."
    )
    assert await app.services.scheduler.count_tasks(guild_id=world.guild.id) == 1
    assert _errors_logged(caplog) == []


async def test_a_text_channel_where_a_voice_channel_is_expected_is_a_clear_error(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    world = app.world
    await add_sound(app)

    scheduled = await world.alice.slash(
        "schedule sound", sound="bell", when="in 1 hour", options={"channel": world.general}
    )
    played = await world.alice.slash("sound play", sound="bell", options={"channel": world.general})

    for reply in (scheduled, played):
        assert _error(reply) == (
            f"❌ `channel` must be a voice or stage channel, and <#{world.general.id}> is not "
            "one: pick one from the list, or leave it out."
        )
    assert await app.services.scheduler.count_tasks(guild_id=world.guild.id) == 0
    assert _errors_logged(caplog) == []


async def test_an_unexpected_error_is_logged_once_with_its_context(
    app: App, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = app.world

    async def broken(guild_id: int, text: str) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(app.services.sounds, "find", broken)

    reply = await world.alice.slash("sound info", sound="bell")

    assert reply.ephemeral
    assert "Something went wrong" in reply.content
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == (
        f"command /sound info by user {world.alice.id} in guild {world.guild.id} failed"
    )
    assert record.exc_info is not None
    assert "the disk is on fire" in str(record.exc_info[1].__cause__)
