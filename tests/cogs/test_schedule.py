"""``/schedule``: members schedule, list, inspect, edit and cancel, through the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.emulator import Reply
from bot.models.scheduled_task import RecurrenceType, TaskStatus, TaskType
from tests.cogs.conftest import App
from tests.support.app import (
    add_playlist,
    add_sound,
    move_clock,
    number,
    schedule,
    task_id_from,
    wait_for_runs,
)


def _error(reply: Reply) -> str:
    assert reply.ephemeral, reply
    assert reply.content.startswith("❌"), reply.content
    return reply.content


async def test_schedule_sound_in_the_members_voice_channel(app: App) -> None:
    world = app.world
    await add_sound(app)
    await world.alice.join_voice(world.lounge)

    reply = await world.alice.slash("schedule sound", sound="bell", when="in 2 hours")

    assert not reply.ephemeral
    task = await app.services.scheduler.get_task(task_id_from(reply))
    assert task is not None
    assert task.user_id == world.alice.id
    assert task.guild_id == world.guild.id
    assert task.task_type is TaskType.PLAY_SOUND
    assert task.name == "bell"
    assert task.parameters["channel_id"] == world.lounge.id
    assert task.parameters["text_channel_id"] == world.general.id
    assert reply.custom_ids == [f"carillon:pause:{task.id}", f"carillon:cancel:{task.id}"]
    first = int(app.clock.now().timestamp()) + 7200
    assert f"<t:{first}:F>" in reply.text
    assert f"<t:{first}:R>" in reply.text
    assert f"<#{world.lounge.id}>" in reply.text
    assert "Runs left" in reply.text


async def test_the_confirmation_says_how_the_time_was_read(app: App) -> None:
    world = app.world
    await add_sound(app)
    await app.services.settings.set_member_timezone(world.alice.id, "America/New_York")
    app.clock.set(datetime(2026, 11, 27, 14, tzinfo=UTC))
    await world.alice.join_voice(world.lounge)

    once = await world.alice.slash("schedule sound", sound="bell", when="saturday morning at 9")
    daily = await world.alice.slash(
        "schedule sound", sound="bell", when="every day at 8 in the evening"
    )

    assert "Read as" in once.text
    assert "Saturday 28 November 2026, 9 in the morning" in once.text
    assert "Read as" not in daily.text
    assert "every day at 20:00" in daily.text


async def test_channel_option_recurrence_count_and_name(app: App) -> None:
    world = app.world
    await add_sound(app)

    reply = await world.alice.slash(
        "schedule sound",
        sound="bell",
        when="tomorrow at 8am",
        options={"channel": world.tiny},
        repeat="daily",
        count=3,
        name="Morning *bell*",
    )

    task = await app.services.scheduler.get_task(task_id_from(reply))
    assert task is not None
    assert task.parameters["channel_id"] == world.tiny.id
    assert task.recurrence_type is RecurrenceType.DAILY
    assert task.recurrence_count == 3
    assert task.name == "Morning *bell*"
    assert task.next_run_at == datetime(2026, 11, 27, 8, tzinfo=UTC)
    assert "every day at 08:00" in reply.text
    assert "Morning \\*bell\\*" in reply.text


async def test_cron_and_until_options(app: App) -> None:
    world = app.world
    await add_sound(app)
    await world.alice.join_voice(world.lounge)

    reply = await world.alice.slash(
        "schedule sound", sound="bell", when="tomorrow", cron="30 7 * * 1-5", until="dec 31"
    )

    task = await app.services.scheduler.get_task(task_id_from(reply))
    assert task is not None
    assert task.recurrence_type is RecurrenceType.CRON
    assert task.cron_expression == "30 7 * * 1-5"
    assert task.until is not None
    assert task.until.month == 12
    assert task.next_run_at == datetime(2026, 11, 27, 7, 30, tzinfo=UTC)


async def test_schedule_playlist_with_mode_and_shuffle(app: App) -> None:
    world = app.world
    await add_playlist(app, "morning", ["bell", "gong"])
    await world.alice.join_voice(world.lounge)

    reply = await world.alice.slash(
        "schedule playlist", playlist="morning", when="in 1 hour", mode="loop", shuffle=True
    )

    task = await app.services.scheduler.get_task(task_id_from(reply))
    assert task is not None
    assert task.task_type is TaskType.PLAY_PLAYLIST
    assert task.parameters["mode"] == "loop"
    assert task.parameters["shuffle"] is True
    assert task.parameters["channel_id"] == world.lounge.id
    assert "playlist **morning** (loop, shuffled)" in reply.text
    assert reply.custom_ids == [f"carillon:pause:{task.id}", f"carillon:cancel:{task.id}"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"sound": "bell", "when": "in 2 hours"}, "Join a voice channel"),
        ({"sound": "nope", "when": "in 2 hours", "channel": "lounge"}, "no sound named 'nope'"),
        ({"sound": "bell", "when": "purple monkey", "channel": "lounge"}, "could not read"),
        ({"sound": "bell", "when": "2020-01-01 10:00", "channel": "lounge"}, "past"),
        (
            {"sound": "bell", "when": "in 2 hours", "count": 3, "channel": "lounge"},
            "only applies to a repeating",
        ),
        ({"sound": "bell", "when": "in 1 hour", "cron": "61 * * * *", "channel": "lounge"}, ""),
    ],
)
async def test_schedule_sound_errors_say_what_to_fix(
    app: App, options: dict[str, object], expected: str
) -> None:
    world = app.world
    await add_sound(app)
    if options.get("channel") == "lounge":
        options = {**options, "channel": world.lounge}

    reply = await world.alice.slash("schedule sound", options=options)

    assert expected.casefold() in _error(reply).casefold()
    assert await app.services.scheduler.count_tasks(guild_id=world.guild.id) == 0


async def test_playlist_that_does_not_exist(app: App) -> None:
    world = app.world
    reply = await world.alice.slash(
        "schedule playlist", playlist="ghost", when="in 1 hour", options={"channel": world.lounge}
    )
    assert "no playlist named 'ghost'" in _error(reply)


async def test_when_autocomplete_previews_in_the_members_timezone(app: App) -> None:
    world = app.world
    await app.services.settings.set_member_timezone(world.alice.id, "America/New_York")
    app.clock.set(datetime(2026, 11, 27, 14, tzinfo=UTC))

    [once] = await world.alice.autocomplete(
        "schedule sound", focused="when", when="tuesday 9am", sound="bell"
    )
    [weekly] = await world.alice.autocomplete(
        "schedule sound", focused="when", when="every weekday at 9am"
    )
    [wrong] = await world.alice.autocomplete("schedule sound", focused="when", when="blorp")
    [bob] = await world.bob.autocomplete("schedule sound", focused="when", when="tuesday 9am")

    assert once.name == "Tue 1 Dec, 09:00 EST — in 4 days — read as: Tuesday, 9 in the morning"
    assert once.value == "tuesday 9am"
    assert weekly.name == "every weekday at 09:00, next Mon 30 Nov"
    assert wrong.name.startswith("⚠️")
    assert wrong.value == "blorp"
    assert bob.name == "Tue 1 Dec, 09:00 UTC — in 4 days — read as: Tuesday, 9 in the morning"


async def test_when_autocomplete_offers_examples_and_applies_repeat(app: App) -> None:
    world = app.world
    examples = await world.alice.autocomplete("schedule sound", focused="when", when="")
    [daily] = await world.alice.autocomplete(
        "schedule sound", focused="when", when="tomorrow 7am", repeat="daily"
    )

    assert len(examples) >= 4
    assert any(c.value == "every weekday at 9am" for c in examples)
    assert all("→" in c.name for c in examples)
    assert daily.name.startswith("every day at 07:00, next Fri 27 Nov")


async def test_sound_and_playlist_autocomplete(app: App) -> None:
    world = app.world
    await add_sound(app, "bell")
    await add_sound(app, "doorbell")
    await add_sound(app, "gong")
    await add_playlist(app, "evening", [])

    sounds = await world.alice.autocomplete("schedule sound", focused="sound", sound="bell")
    playlists = await world.alice.autocomplete(
        "schedule playlist", focused="playlist", playlist="eve"
    )

    assert [c.value for c in sounds] == ["bell", "doorbell"]
    assert [c.value for c in playlists] == ["evening"]


async def test_list_shows_own_pending_tasks_with_a_cancel_button_each(app: App) -> None:
    world = app.world
    await add_sound(app)
    mine = [await schedule(app, world.alice, f"in {n} hours", name=f"mine {n}") for n in (1, 2)]
    theirs = await schedule(app, world.bob, "in 3 hours", name="bob's")

    reply = await world.alice.slash("schedule list")

    assert reply.ephemeral
    assert reply.custom_ids == [f"carillon:cancel:{task}" for task in mine]
    assert "mine 1" in reply.text
    assert "mine 2" in reply.text
    assert "bob" not in reply.text
    assert f"#{await number(app, theirs)}" not in reply.text


async def test_list_pages_across_three_pages(app: App) -> None:
    world = app.world
    await add_sound(app)
    ids = [await schedule(app, world.alice, f"in {n + 1} minutes", name=f"t{n}") for n in range(23)]

    first = await world.alice.slash("schedule list")
    assert "Page 1/3" in first.text
    assert [i for i in first.custom_ids if "cancel" in i] == [
        f"carillon:cancel:{i}" for i in ids[:10]
    ]
    next_id = next(i for i in first.custom_ids if ":next:" in i)

    second = await world.alice.click(first, next_id)
    assert "Page 2/3" in second.text
    assert f"#{await number(app, ids[10])} · t10" in second.text
    third = await world.alice.click(second, next(i for i in second.custom_ids if ":next:" in i))
    assert "Page 3/3" in third.text
    assert [i for i in third.custom_ids if "cancel" in i] == [
        f"carillon:cancel:{i}" for i in ids[20:]
    ]
    back = await world.alice.click(third, next(i for i in third.custom_ids if ":prev:" in i))
    assert "Page 2/3" in back.text

    refused = await world.bob.click(back, next(i for i in back.custom_ids if ":next:" in i))
    assert refused.ephemeral
    assert "belongs to someone else" in refused.content


async def test_list_filters_by_status(app: App) -> None:
    world = app.world
    await add_sound(app)
    kept = await schedule(app, world.alice, "in 1 hour", name="kept")
    dropped = await schedule(app, world.alice, "in 2 hours", name="dropped")
    await world.alice.slash("schedule cancel", task=await number(app, dropped))

    cancelled = await world.alice.slash("schedule list", status="cancelled")
    pending = await world.alice.slash("schedule list")
    empty = await world.bob.slash("schedule list")

    kept_no, dropped_no = await number(app, kept), await number(app, dropped)
    assert f"#{dropped_no} · dropped" in cancelled.text
    assert f"#{kept_no} · " not in cancelled.text
    assert cancelled.custom_ids == []
    assert f"#{kept_no} · kept" in pending.text
    assert f"#{dropped_no} · " not in pending.text
    assert "You have no pending tasks" in empty.text


async def test_info_shows_next_five_runs_and_last_runs(app: App) -> None:
    world = app.world
    await add_sound(app, seconds=0.1)
    task_id = await schedule(app, world.alice, "every day at 13:00", name="daily bell")
    move_clock(app, datetime(2026, 11, 26, 13, tzinfo=UTC))
    await wait_for_runs(app, task_id, 1)

    reply = await world.alice.slash("schedule info", task=await number(app, task_id))

    assert reply.ephemeral
    assert "daily bell" in reply.text
    for day in range(27, 32):
        moment = datetime(2026, 11, 27, 13, tzinfo=UTC) + timedelta(days=day - 27)
        assert f"<t:{int(moment.timestamp())}:F>" in reply.text
    assert "succeeded" in reply.text
    assert "every day at 13:00" in reply.text


async def test_edit_changes_time_name_and_keeps_history(app: App) -> None:
    world = app.world
    await add_sound(app, seconds=0.1)
    task_id = await schedule(app, world.alice, "every day at 13:00", name="old name")
    move_clock(app, datetime(2026, 11, 26, 13, tzinfo=UTC))
    await wait_for_runs(app, task_id, 1)

    reply = await world.alice.slash(
        "schedule edit",
        task=await number(app, task_id),
        when="every day at 18:30",
        count=4,
        name="new name",
    )

    assert reply.ephemeral
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.name == "new name"
    assert task.next_run_at == datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
    assert task.recurrence_count == 4
    assert task.executions_count == 1
    assert len(await app.services.scheduler.get_task_runs(task_id)) == 1
    assert "every day at 18:30" in reply.text


async def test_edit_count_only_and_errors(app: App) -> None:
    world = app.world
    await add_sound(app)
    daily = await schedule(app, world.alice, "every day at 15:00")
    once = await schedule(app, world.alice, "in 3 hours")

    await world.alice.slash("schedule edit", task=f"#{await number(app, daily)} bell", count=2)
    nothing = await world.alice.slash("schedule edit", task=await number(app, daily))
    count_on_once = await world.alice.slash("schedule edit", task=await number(app, once), count=2)
    bad_when = await world.alice.slash(
        "schedule edit", task=await number(app, once), when="whenever"
    )

    task = await app.services.scheduler.get_task(daily)
    assert task is not None
    assert task.recurrence_count == 2
    assert task.recurrence_type is RecurrenceType.DAILY
    assert "Say what to change" in _error(nothing)
    assert "only apply to a repeating task" in _error(count_on_once)
    assert "could not read" in _error(bad_when)


async def test_cancel_with_autocomplete_over_own_active_tasks(app: App) -> None:
    world = app.world
    await add_sound(app)
    first = await schedule(app, world.alice, "in 1 hour", name="first")
    second = await schedule(app, world.alice, "in 2 hours", name="second")
    await schedule(app, world.bob, "in 1 hour", name="bobs")

    choices = await world.alice.autocomplete("schedule cancel", focused="task", task="")
    filtered = await world.alice.autocomplete("schedule cancel", focused="task", task="sec")
    reply = await world.alice.slash("schedule cancel", task=await number(app, first))
    again = await world.alice.slash("schedule cancel", task=await number(app, first))
    after = await world.alice.autocomplete("schedule cancel", focused="task", task="")

    assert [c.value for c in choices] == [await number(app, first), await number(app, second)]
    assert choices[0].name.startswith(f"#{await number(app, first)} first — next Thu 26 Nov 13:00")
    assert [c.value for c in filtered] == [await number(app, second)]
    assert reply.ephemeral
    assert "Cancelled task" in reply.content
    task = await app.services.scheduler.get_task(first)
    assert task is not None
    assert task.status is TaskStatus.CANCELLED
    assert "already cancelled" in _error(again)
    assert [c.value for c in after] == [await number(app, second)]


async def test_active_task_cap(app: App) -> None:
    world = app.world
    await add_sound(app)
    await app.services.settings.update_guild(world.guild.id, max_active_tasks=2)
    await schedule(app, world.alice, "in 1 hour")
    await schedule(app, world.alice, "in 2 hours")

    refused = await world.alice.slash(
        "schedule sound", sound="bell", when="in 3 hours", options={"channel": world.lounge}
    )
    other = await world.bob.slash(
        "schedule sound", sound="bell", when="in 3 hours", options={"channel": world.lounge}
    )

    assert "2 active tasks" in _error(refused)
    assert "/schedule cancel" in refused.content
    assert not other.ephemeral


@pytest.mark.parametrize(
    ("when", "cron"),
    [("every 5 minutes", None), ("every minute", None), ("tomorrow", "*/10 * * * *")],
)
async def test_minimum_interval_for_members_not_admins(
    app: App, when: str, cron: str | None
) -> None:
    world = app.world
    await add_sound(app)
    options = {"cron": cron} if cron else {}

    member = await world.alice.slash(
        "schedule sound", sound="bell", when=when, options={"channel": world.lounge, **options}
    )
    admin = await world.admin.slash(
        "schedule sound", sound="bell", when=when, options={"channel": world.lounge, **options}
    )

    assert "at most every 15 minutes" in _error(member)
    assert not admin.ephemeral
    allowed = await world.alice.slash(
        "schedule sound", sound="bell", when="every 15 minutes", options={"channel": world.lounge}
    )
    assert not allowed.ephemeral


async def test_list_page_stays_within_discords_embed_limits(app: App) -> None:
    world = app.world
    await add_sound(app)
    await app.services.settings.update_guild(world.guild.id, max_active_tasks=100)
    for n in range(12):
        await schedule(
            app, world.alice, f"every day at {n + 1}:00 until dec 31", name="*_~`|>" * 16 + f"{n}"
        )

    reply = await world.alice.slash("schedule list")

    [embed] = reply.embeds
    fields = embed["fields"]
    total = len(embed["title"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert len(fields) == 10
    assert total <= 6000
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
    assert "\\*\\_\\~" in fields[0]["name"]
    assert len(reply.custom_ids) <= 25


async def test_a_channel_the_bot_cannot_join_is_refused_when_scheduling(app: App) -> None:
    world = app.world
    await add_sound(app)

    reply = await world.alice.slash(
        "schedule sound", sound="bell", when="in 1 hour", options={"channel": world.locked}
    )

    assert "I lack the Connect permission" in _error(reply)
    assert f"<#{world.locked.id}>" in reply.content


async def test_edit_repeat_none_and_cron_keep_the_next_time(app: App) -> None:
    world = app.world
    await add_sound(app)
    daily = await schedule(app, world.alice, "every day at 15:00")
    once = await schedule(app, world.alice, "tomorrow at 7:30")

    await world.alice.slash("schedule edit", task=await number(app, daily), repeat="none")
    await world.alice.slash("schedule edit", task=await number(app, once), cron="30 7 * * 1-5")

    flat = await app.services.scheduler.get_task(daily)
    assert flat is not None
    assert flat.recurrence_type is RecurrenceType.NONE
    assert flat.next_run_at == datetime(2026, 11, 26, 15, tzinfo=UTC)
    weekdays = await app.services.scheduler.get_task(once)
    assert weekdays is not None
    assert weekdays.recurrence_type is RecurrenceType.CRON
    assert weekdays.next_run_at == datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
