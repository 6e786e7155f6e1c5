"""Cancel, Stop and page buttons: the owner and admins may press them, nobody else; also after a
restart. Member A never sees, edits or cancels member B's task by any command, option or button.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.emulator import Actor
from bot.models.scheduled_task import TaskStatus
from tests.cogs.conftest import App
from tests.support.app import add_sound, number, running_bot, schedule


async def _status(app: App, task_id: int) -> TaskStatus:
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    return task.status


async def _confirmation(app: App, actor: Actor) -> tuple[int, object]:
    reply = await actor.slash(
        "schedule sound", sound="bell", when="in 1 hour", options={"channel": app.world.lounge}
    )
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])
    return task_id, reply


@pytest.mark.parametrize("presser", ["alice", "admin", "owner"])
async def test_cancel_button_by_the_owner_or_an_admin(app: App, presser: str) -> None:
    await add_sound(app)
    task_id, reply = await _confirmation(app, app.world.alice)

    answer = await getattr(app.world, presser).click(reply, f"carillon:cancel:{task_id}")
    told = await answer.wait_for_followup()

    assert told.ephemeral
    assert f"Cancelled task #{await number(app, task_id)}" in told.content
    assert await _status(app, task_id) is TaskStatus.CANCELLED
    assert answer.message is not None
    assert reply.message is not None
    assert answer.message.id == reply.message.id
    assert "— (cancelled)" in answer.text
    assert answer.custom_ids == []


async def test_cancel_button_refused_for_another_member(app: App) -> None:
    await add_sound(app)
    task_id, reply = await _confirmation(app, app.world.alice)

    answer = await app.world.bob.click(reply, f"carillon:cancel:{task_id}")

    assert answer.ephemeral
    assert "Only the task's owner or a Carillon admin" in answer.content
    assert "bell" not in answer.content
    assert await _status(app, task_id) is TaskStatus.PENDING


async def test_cancel_button_after_a_restart(app: App) -> None:
    world = app.world
    await add_sound(app)
    first, first_reply = await _confirmation(app, world.alice)
    second, second_reply = await _confirmation(app, world.alice)
    third, _ = await _confirmation(app, world.alice)
    await app.bot.close()
    assert app.emulator.gateway.stats.identifies == 1

    extensions = app.bot.extension_names
    async with running_bot(app.emulator, world, app.config, app.clock, extensions) as bot:
        restarted = dataclasses.replace(app, bot=bot, services=bot.services)
        refused = await world.bob.click(first_reply, f"carillon:cancel:{first}")
        by_owner = await world.alice.click(first_reply, f"carillon:cancel:{first}")
        by_admin = await world.admin.click(second_reply, f"carillon:cancel:{second}")

        assert app.emulator.gateway.stats.identifies == 2
        assert "Only the task's owner" in refused.content
        assert "Cancelled" in (await by_owner.wait_for_followup()).content
        assert "Cancelled" in (await by_admin.wait_for_followup()).content
        assert await _status(restarted, first) is TaskStatus.CANCELLED
        assert await _status(restarted, second) is TaskStatus.CANCELLED
        assert await _status(restarted, third) is TaskStatus.PENDING


async def test_list_cancel_buttons_and_pages_after_a_restart(app: App) -> None:
    world = app.world
    await add_sound(app)
    ids = [await schedule(app, world.alice, f"in {n + 1} hours") for n in range(12)]
    listing = await world.alice.slash("schedule list")
    next_id = next(i for i in listing.custom_ids if ":next:" in i)
    await app.bot.close()

    async with running_bot(
        app.emulator, world, app.config, app.clock, app.bot.extension_names
    ) as bot:
        page = await world.alice.click(listing, next_id)
        assert "Page 2/2" in page.text
        cancelled = await world.alice.click(page, f"carillon:cancel:{ids[11]}")
        assert "Cancelled" in (await cancelled.wait_for_followup()).content
        assert f"#{await number(app, ids[11])} ·" not in cancelled.text
        assert f"carillon:cancel:{ids[11]}" not in cancelled.custom_ids
        assert "Your pending tasks (11)" in cancelled.text
        assert "Page 2/2" in cancelled.text
        task = await bot.services.scheduler.get_task(ids[11])
        assert task is not None
        assert task.status is TaskStatus.CANCELLED


async def test_member_never_reaches_another_members_task(app: App) -> None:
    world = app.world
    await add_sound(app)
    task_id, reply = await _confirmation(app, world.alice)
    other = f"You have no task #{await number(app, task_id)}"

    info = await world.bob.slash("schedule info", task=await number(app, task_id))
    edit = await world.bob.slash("schedule edit", task=await number(app, task_id), name="mine now")
    cancel = await world.bob.slash("schedule cancel", task=await number(app, task_id))
    listing = await world.bob.slash("schedule list", status="all")
    cancel_choices = await world.bob.autocomplete("schedule cancel", focused="task", task="")
    info_choices = await world.bob.autocomplete(
        "schedule info", focused="task", task=await number(app, task_id)
    )
    edit_choices = await world.bob.autocomplete("schedule edit", focused="task", task="bell")
    admin_choices = await world.bob.autocomplete("admin cancel", focused="task", task="")
    button = await world.bob.click(reply, f"carillon:cancel:{task_id}")
    missing = await world.bob.slash("schedule info", task="999999")

    for answer in (info, edit, cancel):
        assert answer.ephemeral
        assert other in answer.content
        assert "bell" not in answer.content
    assert missing.content.replace("999999", await number(app, task_id)) == info.content
    assert f"#{await number(app, task_id)}" not in listing.text
    assert cancel_choices == info_choices == edit_choices == admin_choices == []
    assert "Only the task's owner" in button.content
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.name == "bell"
    assert task.status is TaskStatus.PENDING


async def test_admin_on_schedule_commands_sees_only_their_own(app: App) -> None:
    world = app.world
    await add_sound(app)
    task_id, _ = await _confirmation(app, world.alice)

    info = await world.admin.slash("schedule info", task=await number(app, task_id))

    assert f"You have no task #{await number(app, task_id)}" in info.content
    answer = await world.admin.slash("admin cancel", task=await number(app, task_id))
    assert "Cancelled" in answer.content


async def test_cancel_button_pressed_twice_says_there_is_nothing_left(app: App) -> None:
    await add_sound(app)
    task_id, reply = await _confirmation(app, app.world.alice)

    await app.world.alice.slash("schedule cancel", task=await number(app, task_id))
    again = await app.world.alice.click(reply, f"carillon:cancel:{task_id}")

    assert again.ephemeral
    assert (
        again.content
        == f"❌ Task #{await number(app, task_id)} is already cancelled: there is nothing left."
    )
