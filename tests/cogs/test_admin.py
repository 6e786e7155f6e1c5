"""``/admin``: gated to Carillon admins; every task, recharges, credits, roles and settings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.emulator import Reply
from bot.models.scheduled_task import RecurrenceType, TaskStatus, TaskType
from bot.repositories.scheduled_task import ScheduledTaskRepository
from bot.scheduling.maintenance import DAILY_RECHARGE_KEY
from bot.ui.checks import NOT_ADMIN
from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, number, schedule, wait_for_runs

ADMIN_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("admin tasks", {}),
    ("admin cancel", {"task": "1"}),
    ("admin recharge", {"when": "tomorrow 9am", "amount": 5}),
    ("admin credits grant", {"member": "bob", "amount": 5}),
    ("admin credits set", {"member": "bob", "amount": 5}),
    ("admin roles add", {"role": "admin_role"}),
    ("admin roles remove", {"role": "admin_role"}),
    ("admin roles list", {}),
    ("admin settings", {}),
    ("admin settings", {"max_active_tasks": 1}),
]


def _options(app: App, options: dict[str, Any]) -> dict[str, Any]:
    world = app.world
    named = {"bob": world.bob.member, "admin_role": world.admin_role}
    return {k: named.get(v, v) if isinstance(v, str) else v for k, v in options.items()}


def _error(reply: Reply) -> str:
    assert reply.ephemeral
    assert reply.content.startswith("❌"), reply.content
    return reply.content


async def test_admin_group_needs_manage_server(app: App) -> None:
    command = app.emulator.find_command("admin", app.world.guild.id)
    assert command is not None
    assert int(command["default_member_permissions"]) == 1 << 5


async def test_members_are_refused_every_admin_command(app: App) -> None:
    world = app.world
    balance = await app.services.credits.balance(world.guild.id, world.bob.id)

    for command, options in ADMIN_COMMANDS:
        reply = await world.alice.slash(command, options=_options(app, options))
        assert _error(reply) == f"❌ {NOT_ADMIN}", command

    assert await app.services.credits.balance(world.guild.id, world.bob.id) == balance
    assert await app.services.settings.admin_role_ids(world.guild.id) == []
    assert (await app.services.settings.guild(world.guild.id)).max_active_tasks == 25


async def test_admin_tasks_lists_everyones_tasks_and_cancels_any(app: App) -> None:
    world = app.world
    await add_sound(app)
    alices = await schedule(app, world.alice, "in 1 hour", name="alice task")
    bobs = await schedule(app, world.bob, "in 2 hours", name="bob task")

    everything = await world.admin.slash("admin tasks")
    listed, buttons = everything.text, everything.custom_ids
    only_bob = await world.admin.slash("admin tasks", member=world.bob.member)
    cancelled = await world.admin.click(everything, f"carillon:cancel:{bobs}")

    assert everything.ephemeral
    assert "alice task" in listed
    assert "bob task" in listed
    assert f"<@{world.alice.id}>" in listed
    assert buttons == [f"carillon:cancel:{alices}", f"carillon:cancel:{bobs}"]
    assert "alice task" not in only_bob.text
    assert "bob task" in only_bob.text
    assert "Cancelled" in (await cancelled.wait_for_followup()).content
    assert "bob task" not in cancelled.text
    assert cancelled.custom_ids == [f"carillon:cancel:{alices}"]
    task = await app.services.scheduler.get_task(bobs)
    assert task is not None
    assert task.status is TaskStatus.CANCELLED
    gone = await world.admin.slash("admin tasks", status="cancelled")
    assert "bob task" in gone.text


async def test_admin_tasks_pages(app: App) -> None:
    world = app.world
    await add_sound(app)
    for n in range(11):
        await schedule(app, world.alice if n % 2 else world.bob, f"in {n + 1} hours")

    first = await world.admin.slash("admin tasks")
    assert "Page 1/2" in first.text
    second = await world.admin.click(first, next(i for i in first.custom_ids if ":next:" in i))

    assert "Page 2/2" in second.text
    assert len([i for i in second.custom_ids if "cancel" in i]) == 1


async def test_admin_cancel_with_autocomplete_over_the_server(app: App) -> None:
    world = app.world
    await add_sound(app)
    alices = await schedule(app, world.alice, "in 1 hour", name="alice task")
    bobs = await schedule(app, world.bob, "in 2 hours", name="bob task")

    choices = await world.admin.autocomplete("admin cancel", focused="task", task="")
    reply = await world.admin.slash("admin cancel", task=await number(app, alices))
    missing = await world.admin.slash("admin cancel", task="424242")

    assert [c.value for c in choices] == [await number(app, alices), await number(app, bobs)]
    assert "Cancelled task" in reply.content
    assert "This server has no task #424242" in _error(missing)


async def test_admin_recharge_for_everyone_runs_as_a_system_task(app: App) -> None:
    world = app.world
    credits = app.services.credits
    await credits.set(world.guild.id, world.alice.id, 3, None)
    await credits.set(world.guild.id, world.bob.id, 95, None)

    preview = await world.admin.autocomplete(
        "admin recharge", focused="when", when="every day at 13:00"
    )
    reply = await world.admin.slash("admin recharge", when="every day at 13:00", amount=10)

    assert preview[0].name.startswith("every day at 13:00, next Thu 26 Nov")
    assert reply.ephemeral
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.user_id is None
    assert task.guild_id == world.guild.id
    assert task.task_type is TaskType.CREDIT_RECHARGE
    assert task.recurrence_type is not RecurrenceType.NONE
    assert task.parameters == {
        "amount": 10,
        "member_id": None,
        "created_by": world.admin.id,
        "text_channel_id": world.general.id,
    }
    assert "recharge of 10 credits for everyone" in reply.text

    move_clock(app, datetime(2026, 11, 26, 13, tzinfo=UTC))
    await wait_for_runs(app, task_id, 1)
    assert await credits.balance(world.guild.id, world.alice.id) == 13
    assert await credits.balance(world.guild.id, world.bob.id) == 100


async def test_admin_recharge_for_one_member_once(app: App) -> None:
    world = app.world
    credits = app.services.credits
    await credits.set(world.guild.id, world.alice.id, 0, None)
    await credits.set(world.guild.id, world.bob.id, 0, None)

    reply = await world.admin.slash(
        "admin recharge", when="in 1 hour", amount=7, member=world.alice.member
    )
    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])
    move_clock(app, datetime(2026, 11, 26, 13, tzinfo=UTC))
    await wait_for_runs(app, task_id, 1)

    assert await credits.balance(world.guild.id, world.alice.id) == 7
    assert await credits.balance(world.guild.id, world.bob.id) == 0
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.status is TaskStatus.COMPLETED


async def test_admin_recharge_errors(app: App) -> None:
    world = app.world
    bad_when = await world.admin.slash("admin recharge", when="someday", amount=5)
    count_once = await world.admin.slash("admin recharge", when="in 1 hour", amount=5, count=3)

    assert "could not read" in _error(bad_when)
    assert "only applies to a repeating" in _error(count_once)


async def test_admin_credits_grant_and_set(app: App) -> None:
    world = app.world
    credits = app.services.credits
    start = await credits.balance(world.guild.id, world.bob.id)

    granted = await world.admin.slash("admin credits grant", member=world.bob.member, amount=15)
    assert await credits.balance(world.guild.id, world.bob.id) == start + 15
    taken = await world.admin.slash("admin credits grant", member=world.bob.member, amount=-5)
    assert await credits.balance(world.guild.id, world.bob.id) == start + 10
    setting = await world.admin.slash("admin credits set", member=world.bob.member, amount=42)

    assert f"now has {start + 15} credits (+15)" in granted.content
    assert "(-5)" in taken.content
    assert "now has 42 credits" in setting.content
    assert await credits.balance(world.guild.id, world.bob.id) == 42
    [last, *_] = await credits.history(world.guild.id, world.bob.id)
    assert last.actor_id == world.admin.id


async def test_admin_roles_add_list_remove(app: App) -> None:
    world = app.world
    emulator = app.emulator
    helpers = emulator.add_role(world.guild, "Helpers")
    await emulator.set_roles(world.bob.member, [helpers])

    refused = await world.bob.slash("admin roles list")
    added = await world.owner.slash("admin roles add", role=helpers)
    listing = await world.bob.slash("admin roles list")
    again = await world.owner.slash("admin roles add", role=helpers)
    removed = await world.admin.slash("admin roles remove", role=helpers)
    after = await world.bob.slash("admin roles list")

    assert _error(refused) == f"❌ {NOT_ADMIN}"
    assert "is now an admin role" in added.content
    assert f"<@&{helpers.id}>" in listing.text
    assert f"<@&{world.admin_role.id}> (from the config)" in listing.text
    assert "already" in again.content
    assert "no longer an admin role" in removed.content
    assert _error(after) == f"❌ {NOT_ADMIN}"


async def test_admin_settings_show_change_and_errors(app: App) -> None:
    world = app.world
    shown = await world.admin.slash("admin settings")
    changed = await world.admin.slash(
        "admin settings",
        timezone="Paris",
        default_cost=3,
        recharge_amount=20,
        recharge_cap=200,
        max_active_tasks=5,
    )
    zone_choices = await world.admin.autocomplete(
        "admin settings", focused="timezone", timezone="new york"
    )
    bad_zone = await world.admin.slash("admin settings", timezone="Atlantis/Nowhere")
    bad_cap = await world.admin.slash("admin settings", recharge_cap=1)

    assert "Max active tasks per member" in shown.text
    assert "25" in shown.text
    settings = await app.services.settings.guild(world.guild.id)
    assert settings.timezone == "Europe/Paris"
    assert settings.default_sound_cost == 3
    assert settings.recharge_amount == 20
    assert settings.recharge_cap == 200
    assert settings.max_active_tasks == 5
    assert "Europe/Paris" in changed.text
    assert any(c.value == "America/New_York" for c in zone_choices)
    assert "not a time zone I know" in _error(bad_zone)
    assert "cap must be at least the recharge amount" in _error(bad_cap)


async def test_server_default_timezone_applies_to_members_without_one(app: App) -> None:
    world = app.world
    await add_sound(app)
    await world.admin.slash("admin settings", timezone="Europe/Paris")

    reply = await world.bob.slash(
        "schedule sound", sound="bell", when="tomorrow 9am", options={"channel": world.lounge}
    )

    task_id = int(reply.custom_ids[0].rsplit(":", 1)[1])
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.timezone == "Europe/Paris"
    assert task.next_run_at == datetime(2026, 11, 27, 8, tzinfo=UTC)


async def test_admin_cancel_autocomplete_finds_a_task_by_id_among_many(app: App) -> None:
    world = app.world
    await add_sound(app)
    scheduler = app.services.scheduler
    sound_id = (await app.services.sounds.find(world.guild.id, "bell")).id
    for n in range(105):
        await scheduler.create_task(
            f"filler {n}",
            TaskType.PLAY_SOUND,
            app.clock.now() + timedelta(hours=1, minutes=n),
            parameters={"sound_id": sound_id, "channel_id": world.lounge.id},
            user_id=world.bob.id,
            guild_id=world.guild.id,
        )
    last = await schedule(app, world.alice, "in 3 days", name="far away")

    choices = await world.admin.autocomplete(
        "admin cancel", focused="task", task=await number(app, last)
    )
    alices = await world.alice.autocomplete("schedule cancel", focused="task", task="1")

    assert choices[0].value == await number(app, last)
    assert all(c.value != "1" for c in alices)


async def test_admin_tasks_lists_the_daily_recharge_with_its_next_run(app: App) -> None:
    await asyncio.wait_for(app.services.scheduler.dispatcher.ready.wait(), 5)
    async with app.services.db() as session:
        daily = await ScheduledTaskRepository(session).get_by_system_key(DAILY_RECHARGE_KEY)
    assert daily is not None

    listing = await app.world.admin.slash("admin tasks")
    members = await app.world.alice.slash("schedule list", status="all")

    assert daily.guild_id is None
    assert daily.next_run_at is not None
    assert daily.number is None
    assert f"system task · {daily.name}" in listing.text
    assert f"<t:{int(daily.next_run_at.timestamp())}:F>" in listing.text
    assert "owner: system, every server" in listing.text
    assert f"carillon:cancel:{daily.id}" not in listing.custom_ids
    assert daily.name not in members.text
