"""Messages that stay true across a restart, ephemeral replies within their token's life,
and task numbers per server as members see and type them."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.audio.tones import tone
from bot.emulator import Reply
from bot.models.scheduled_task import TaskStatus
from bot.models.tracked_message import MessageKind, TrackedMessage
from tests.cogs.conftest import App
from tests.support.app import (
    add_sound,
    move_clock,
    number,
    running_bot,
    task_id_from,
    task_number_from,
    wait_for_runs,
)

NOON = datetime(2026, 11, 26, 12, tzinfo=UTC)
RUN = datetime(2026, 11, 26, 13, tzinfo=UTC)
TOMORROW = int((RUN + timedelta(days=1)).timestamp())


def _field(reply: Reply, name: str) -> str:
    return next(f["value"] for f in reply.embeds[0]["fields"] if f["name"] == name)


async def _daily(app: App) -> tuple[int, Reply]:
    await add_sound(app)
    reply = await app.world.alice.slash(
        "schedule sound",
        sound="bell",
        when="every day at 13:00",
        options={"channel": app.world.lounge, "count": 3},
    )
    return task_id_from(reply), reply


async def _rows(app: App) -> list:
    return list(await app.services.tracked_messages.load(list(MessageKind)))


async def test_a_confirmation_posted_before_a_restart_is_edited_when_the_task_runs(
    app: App,
) -> None:
    task_id, confirmation = await _daily(app)
    assert _field(confirmation, "Runs left") == "3"
    await app.bot.close()

    extensions = app.bot.extension_names
    async with running_bot(app.emulator, app.world, app.config, app.clock, extensions) as bot:
        restarted = dataclasses.replace(app, bot=bot, services=bot.services)
        await asyncio.wait_for(bot.services.scheduler.dispatcher.ready.wait(), 5)
        assert bot.task_messages.tracked(task_id) == 1
        await bot.task_messages.settled()
        assert confirmation.message is not None
        assert confirmation.message.version == 0, "nothing changed while the bot was away"

        move_clock(restarted, RUN)
        await wait_for_runs(restarted, task_id, 1)
        await confirmation.wait_for_edit()
        await bot.task_messages.settled()

        assert _field(confirmation, "Runs left") == "2"
        assert f"<t:{TOMORROW}:F>" in _field(confirmation, "Next run")
        assert confirmation.custom_ids[-1] == f"carillon:cancel:{task_id}"


async def test_a_message_deleted_while_the_bot_was_away_is_dropped(app: App) -> None:
    task_id, confirmation = await _daily(app)
    await app.bot.close()
    assert confirmation.message is not None
    app.emulator.delete_message(confirmation.message)

    extensions = app.bot.extension_names
    async with running_bot(app.emulator, app.world, app.config, app.clock, extensions) as bot:
        restarted = dataclasses.replace(app, bot=bot, services=bot.services)
        await asyncio.wait_for(bot.services.scheduler.dispatcher.ready.wait(), 5)
        move_clock(restarted, RUN)
        await wait_for_runs(restarted, task_id, 1)
        await bot.task_messages.settled()

        assert bot.task_messages.tracked(task_id) == 0
        assert await _rows(restarted) == []


async def test_the_ephemeral_replies_of_edit_resume_and_skip_stay_true(app: App) -> None:
    task_id, _ = await _daily(app)
    shown = await number(app, task_id)
    edited = await app.world.alice.slash("schedule edit", task=shown, name="renamed")
    skipped = await app.world.alice.slash("schedule skip", task=shown)
    await app.world.alice.slash("schedule pause", task=shown)
    resumed = await app.world.alice.slash("schedule resume", task=shown)
    assert all(reply.ephemeral for reply in (edited, skipped, resumed))
    kinds = {row.kind for row in await _rows(app)}
    assert kinds == {MessageKind.CONFIRMATION, MessageKind.REPLY}
    assert "Resumed task" in resumed.content

    cancelled = await app.world.alice.slash("schedule cancel", task=shown)
    assert "Cancelled" in cancelled.content
    await app.bot.task_messages.settled()

    for reply in (edited, skipped, resumed):
        assert _field(reply, "Next run") == "— (cancelled)"
        assert reply.custom_ids == []
    assert resumed.content == "", "the reply's own words went stale: the embed tells it"
    assert app.bot.task_messages.tracked(task_id) == 0
    assert await _rows(app) == []


async def test_an_ephemeral_reply_is_left_alone_once_its_token_is_past_fifteen_minutes(
    app: App,
) -> None:
    task_id, _ = await _daily(app)
    shown = await number(app, task_id)
    early = await app.world.alice.slash("schedule edit", task=shown, name="early")
    app.clock.set(NOON + timedelta(minutes=16))
    late = await app.world.alice.slash("schedule edit", task=shown, name="late")

    await app.world.alice.slash("schedule pause", task=shown)
    await late.wait_for_edit()
    await app.bot.task_messages.settled()

    assert "paused" in _field(late, "Next run")
    assert early.message is not None
    assert early.message.version == 0
    assert "paused" not in _field(early, "Next run")
    rows = await _rows(app)
    assert [row.message_id for row in rows if row.kind is MessageKind.REPLY] == [late.message.id]


async def test_a_reply_whose_token_discord_refuses_is_dropped(app: App) -> None:
    task_id, _ = await _daily(app)
    shown = await number(app, task_id)
    edited = await app.world.alice.slash("schedule edit", task=shown, name="renamed")
    app.emulator.token_lifetime = 0.0

    await app.world.alice.slash("schedule pause", task=shown)
    await app.bot.task_messages.settled()

    assert edited.message is not None
    assert edited.message.version == 0
    assert [row.kind for row in await _rows(app)] == [MessageKind.CONFIRMATION]


async def test_numbers_count_per_server_and_a_number_is_read_in_the_members_server(
    app: App,
) -> None:
    world, emulator = app.world, app.emulator
    await add_sound(app)
    here = [
        await world.alice.slash(
            "schedule sound", sound="bell", when=f"in {n} hours", options={"channel": world.lounge}
        )
        for n in (1, 2)
    ]
    guild = emulator.add_guild("Second", text_channels=("general",))
    text = guild.channel_named("general")
    voice = emulator.add_voice_channel(guild, "Hall")
    carol = emulator.actor(emulator.add_member(guild, "carol"), channel=text)
    await emulator.wait_for(lambda: app.bot.get_channel(voice.id) is not None, what="the guild")
    await app.services.sounds.upload(guild.id, carol.id, "gong", tone(330, 0.3, "wav"))
    there = await carol.slash(
        "schedule sound", sound="gong", when="in 3 hours", options={"channel": voice}
    )

    assert [task_number_from(reply) for reply in (*here, there)] == [1, 2, 1]
    assert "Task #1 · gong" in there.embeds[0]["footer"]["text"]
    picks = await carol.autocomplete("schedule cancel", focused="task", task="")
    assert [(c.value, c.name.split(" — ")[0]) for c in picks] == [("1", "#1 gong")]
    missing = await carol.slash("schedule info", task="2")
    assert missing.content == "❌ You have no task #2. See your tasks with `/schedule list`."

    cancelled = await carol.slash("schedule cancel", task="#1")

    assert cancelled.content == "✅ Cancelled task #1 **gong**: it will not run again."
    theirs = await app.services.scheduler.get_task(task_id_from(there))
    ours = await app.services.scheduler.get_task(task_id_from(here[0]))
    assert theirs is not None
    assert ours is not None
    assert (theirs.status, ours.status) == (TaskStatus.CANCELLED, TaskStatus.PENDING)
    assert theirs.id != 1, "the global id differs from what carol typed"


async def test_a_button_posted_with_a_global_id_still_cancels_its_task(app: App) -> None:
    """Buttons keep the global id: a message from before the numbers still works, and its
    task is the one cancelled even where the number differs."""
    task_id, confirmation = await _daily(app)
    assert confirmation.custom_ids[-1] == f"carillon:cancel:{task_id}"
    assert task_number_from(confirmation) != task_id

    pressed = await app.world.alice.click(confirmation, f"carillon:cancel:{task_id}")

    told = await pressed.wait_for_followup()
    assert told.content == "✅ Cancelled task #1 **bell**: it will not run again."
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.status is TaskStatus.CANCELLED


async def test_a_task_list_follows_the_tasks_of_its_server_while_its_token_lives(
    app: App,
) -> None:
    world = app.world
    await add_sound(app)
    ids = [
        task_id_from(
            await world.alice.slash(
                "schedule sound",
                sound="bell",
                when=f"in {n + 1} hours",
                options={"channel": world.lounge, "name": f"t{n:02}"},
            )
        )
        for n in range(12)
    ]
    listing = await world.alice.slash("schedule list")
    admin = await world.admin.slash("admin tasks")
    assert "Your pending tasks (12)" in listing.text
    on_page_two = await world.alice.click(
        listing, next(i for i in listing.custom_ids if ":next:" in i)
    )
    assert "Page 2/2" in on_page_two.text
    await app.bot.task_messages.settled()
    seen = on_page_two.message.version

    await world.alice.slash("schedule cancel", task=await number(app, ids[0]))
    await app.bot.task_messages.settled()

    assert "Your pending tasks (11)" in listing.text
    assert "Page 2/2" in listing.text, "the list stays on the page the member turned to"
    assert listing.message.version > seen
    assert "All pending tasks (12)" in admin.text  # 11 and the daily recharge

    seen = listing.message.version
    await world.bob.slash(
        "schedule sound", sound="bell", when="in 5 hours", options={"channel": world.lounge}
    )
    await app.bot.task_messages.settled()
    assert listing.message.version == seen, "bob's task is not on alice's list"
    assert "All pending tasks (13)" in admin.text

    app.clock.set(NOON + timedelta(minutes=15))
    await world.alice.slash("schedule cancel", task=await number(app, ids[1]))
    await app.bot.task_messages.settled()
    assert listing.message.version == seen, "past its token's life the list is left alone"
    assert app.bot.task_messages.lists() == 0
    assert not [r for r in await _rows(app) if r.kind is MessageKind.LIST]


async def test_expired_replies_are_forgotten_when_the_next_message_is_tracked(app: App) -> None:
    task_id, _ = await _daily(app)
    shown = await number(app, task_id)
    await app.world.alice.slash("schedule edit", task=shown, name="early")
    await app.world.alice.slash("schedule list")
    app.clock.set(NOON + timedelta(minutes=15))

    await app.world.alice.slash("schedule list")

    async with app.services.db() as session:
        kinds = (await session.scalars(select(TrackedMessage.kind))).all()
    assert sorted(kinds) == [MessageKind.CONFIRMATION, MessageKind.LIST]
    assert app.bot.task_messages.lists() == 1
