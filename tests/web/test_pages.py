"""The dashboard without JavaScript: pages over real HTTP, forms with the CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from icalendar import Calendar

from bot.errors import NotPermitted
from bot.models import TaskType
from tests.cogs.conftest import App
from tests.support.app import add_sound
from tests.web.conftest import Client, log_in


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def test_week_view_create_and_cancel_without_javascript(app: App) -> None:
    sound = await add_sound(app)
    guild = app.world.guild.id
    browser = await log_in(app, app.world.alice)
    try:
        home = await browser.get("/")
        assert f'href="/servers/{guild}"' in home.text
        # The zone the page's script puts in a cookie from the browser's settings.
        browser.cookies.set("tz", "Europe/Paris")
        week = await browser.get(f"/servers/{guild}")
        assert "Nothing is scheduled" in week.text
        form = {
            "csrf_token": csrf_of(week),
            "sound_id": str(sound.id),
            "channel_id": str(app.world.lounge.id),
            "when": "tomorrow at 9am",
            "timezone": "Europe/Paris",
            "name": "wake up",
        }
        forged = await browser.post(f"/servers/{guild}/tasks", data=form | {"csrf_token": "0"})
        assert forged.status_code == 422
        assert "expired" in forged.text
        created = await browser.post(f"/servers/{guild}/tasks", data=form)
        assert created.status_code == 200, created.text
        assert "wake up" in created.text
        # The task's time shown in the viewer's zone: 9:00 in Paris is 08:00 UTC.
        tasks = await app.services.scheduler.get_user_tasks(app.world.alice.id)
        assert tasks[0].next_run_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
        assert ">09:00</time>" in created.text
        bad = await browser.post(f"/servers/{guild}/tasks", data=form | {"when": "blorp"})
        assert bad.status_code == 422
        assert 'role="alert"' in bad.text
        cancelled = await browser.post(
            f"/servers/{guild}/tasks/{tasks[0].id}/cancel", data={"csrf_token": csrf_of(week)}
        )
        assert cancelled.status_code == 200
        assert "Nothing is scheduled" in cancelled.text
        old_token = browser.cookies["access_token"]
        refused = await browser.post("/logout", data={"csrf_token": "0"})
        assert refused.status_code == 400
        out = await browser.post("/logout", data={"csrf_token": csrf_of(week)})
        assert out.status_code == 200
        assert "Log in with Discord" in out.text
        with pytest.raises(NotPermitted, match="revoked"):
            await app.services.api_tokens.holder(old_token)
    finally:
        await browser.aclose()


async def test_pages_need_a_login_and_membership(app: App) -> None:
    async with httpx.AsyncClient(base_url=app.bot.web.url) as anonymous:  # type: ignore[union-attr]
        answer = await anonymous.get(f"/servers/{app.world.guild.id}")
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login")
    browser = await log_in(app, app.world.bob)
    try:
        assert (await browser.get("/servers/12345")).status_code == 404
    finally:
        await browser.aclose()


async def test_edit_playlists_credits_and_admin_pages(app: App) -> None:
    guild = app.world.guild.id
    low = await add_sound(app, "low")
    await add_sound(app, "high")
    browser = await log_in(app, app.world.alice)
    admin = await log_in(app, app.world.admin)
    try:
        week = await browser.get(f"/servers/{guild}")
        csrf = csrf_of(week)
        assert "/admin" not in week.text  # no Admin tab for a member
        form = {
            "csrf_token": csrf,
            "sound_id": str(low.id),
            "when": "tomorrow at 9am",
            "channel_id": str(app.world.lounge.id),
            "timezone": "UTC",
        }
        await browser.post(f"/servers/{guild}/tasks", data=form)
        task = (await app.services.scheduler.get_user_tasks(app.world.alice.id))[0]
        edit = await browser.get(f"/servers/{guild}/tasks/{task.id}/edit")
        assert edit.status_code == 200
        saved = await browser.post(
            f"/servers/{guild}/tasks/{task.id}/edit",
            data={"csrf_token": csrf, "when": "tomorrow at 11am", "name": "later"},
        )
        assert saved.status_code == 200, saved.text
        assert ">11:00</time>" in saved.text
        assert "later" in saved.text
        # Another member's task has no edit page for bob... nor for alice's admin-less peers.
        assert (await admin.get(f"/servers/{guild}/tasks/{task.id}/edit")).status_code == 404

        created = await browser.post(
            f"/servers/{guild}/playlists", data={"csrf_token": csrf, "name": "mix"}
        )
        assert created.status_code == 200
        playlist = (await app.services.playlists.list(guild))[0][0]
        sounds = {s.name: s.id for s in await app.services.sounds.list(guild)}
        for name in ("low", "high"):
            await browser.post(
                f"/servers/{guild}/playlists/{playlist.id}/add",
                data={"csrf_token": csrf, "sound_id": str(sounds[name])},
            )
        moved = await browser.post(
            f"/servers/{guild}/playlists/{playlist.id}/move",
            data={"csrf_token": csrf, "position": "2", "to": "1"},
        )
        assert moved.status_code == 200
        view = await app.services.playlists.show(guild, playlist.id)
        assert [s.name for s in view.sounds] == ["high", "low"]

        link_page = await browser.post(f"/servers/{guild}/calendar", data={"csrf_token": csrf})
        found = re.search(
            r'id="calendar-url" readonly value="([^"]+)"|value="([^"]+\.ics)"', link_page.text
        )
        assert found, link_page.text
        feed_url = next(g for g in found.groups() if g)
        feed = await httpx.AsyncClient().get(feed_url)
        assert "BEGIN:VCALENDAR" in feed.text
        assert "later" in feed.text

        credits = await browser.get(f"/servers/{guild}/credits")
        assert f'id="balance">{app.config.credits.starting_balance}<' in credits.text

        assert (await browser.get(f"/servers/{guild}/admin")).status_code == 403
        admin_page = await admin.get(f"/servers/{guild}/admin")
        assert admin_page.status_code == 200
        assert app.world.admin_role.name in admin_page.text
        recharge = await admin.post(
            f"/servers/{guild}/admin/recharges",
            data={
                "csrf_token": csrf_of(admin_page),
                "amount": "25",
                "when": "every monday at 8am",
                "timezone": "UTC",
            },
        )
        assert recharge.status_code == 200, recharge.text
        assert "Recharge 25 credits for everyone" in recharge.text
    finally:
        await browser.aclose()
        await admin.aclose()


async def test_pause_skip_and_resume_by_form(app: App) -> None:
    guild = app.world.guild.id
    sound = await add_sound(app)
    browser = await log_in(app, app.world.alice)
    bob = await log_in(app, app.world.bob)
    try:
        week = await browser.get(f"/servers/{guild}")
        csrf = csrf_of(week)
        form = {
            "csrf_token": csrf,
            "sound_id": str(sound.id),
            "when": "every day at 9am",
            "channel_id": str(app.world.lounge.id),
            "timezone": "UTC",
            "name": "daily bell",
        }
        created = await browser.post(f"/servers/{guild}/tasks", data=form)
        task = (await app.services.scheduler.get_user_tasks(app.world.alice.id))[0]
        actions = f"/servers/{guild}/tasks/{task.id}"
        # One Pause and one Skip next, on the task's next run; a Cancel on each run.
        assert created.text.count(f'action="{actions}/pause"') == 1
        assert created.text.count(f'action="{actions}/skip"') == 1
        assert created.text.count(f'action="{actions}/cancel"') == 7

        refused = await bob.post(f"{actions}/pause", data={"csrf_token": csrf_of(week)})
        assert refused.status_code == 422  # bob's session, alice's form token
        bobs = await bob.post(
            f"{actions}/pause", data={"csrf_token": csrf_of(await bob.get(f"/servers/{guild}"))}
        )
        assert bobs.status_code == 404
        assert f"#{task.id}" in bobs.text
        assert (await app.services.scheduler.get_task(task.id)).status == "pending"

        skipped = await browser.post(f"{actions}/skip", data={"csrf_token": csrf})
        assert skipped.status_code == 200, skipped.text
        assert created.text.count(f'action="{actions}/cancel"') - 1 == skipped.text.count(
            f'action="{actions}/cancel"'
        )
        paused = await browser.post(f"{actions}/pause", data={"csrf_token": csrf})
        assert paused.status_code == 200, paused.text
        assert 'id="paused-title"' in paused.text
        assert f'action="{actions}/resume"' in paused.text
        assert "Nothing is scheduled" in paused.text
        assert (await app.services.scheduler.get_task(task.id)).status == "paused"

        resumed = await browser.post(f"{actions}/resume", data={"csrf_token": csrf})
        assert resumed.status_code == 200
        assert 'id="paused-title"' not in resumed.text
        assert (await app.services.scheduler.get_task(task.id)).status == "pending"
        again = await browser.post(f"{actions}/resume", data={"csrf_token": csrf})
        assert again.status_code == 422
        assert 'role="alert"' in again.text
    finally:
        await browser.aclose()
        await bob.aclose()


async def test_admin_settings_and_roles_pages(app: App) -> None:
    guild = app.world.guild.id
    settings = app.services.settings
    member = await log_in(app, app.world.alice)
    admin = await log_in(app, app.world.admin)
    try:
        page = await admin.get(f"/servers/{guild}/admin")
        csrf = csrf_of(page)
        form = {
            "csrf_token": csrf,
            "timezone": "Paris",
            "default_cost": "3",
            "recharge_amount": "20",
            "recharge_cap": "200",
            "max_active_tasks": "7",
            "announcements": str(app.world.general.id),
        }
        member_csrf = csrf_of(await member.get(f"/servers/{guild}"))
        for path in ("/admin", "/admin/settings", "/admin/roles"):
            answer = await member.post(
                f"/servers/{guild}{path}", data=form | {"csrf_token": member_csrf}
            )
            assert answer.status_code in (403, 405), (path, answer.status_code)
        forbidden = await member.post(
            f"/servers/{guild}/admin/settings", data=form | {"csrf_token": member_csrf}
        )
        assert forbidden.status_code == 403
        assert (await settings.guild(guild)).max_active_tasks != 7
        forged = await admin.post(
            f"/servers/{guild}/admin/settings", data=form | {"csrf_token": "0"}
        )
        assert forged.status_code == 422
        assert "expired" in forged.text

        saved = await admin.post(f"/servers/{guild}/admin/settings", data=form)
        assert saved.status_code == 200, saved.text
        assert 'role="status"' in saved.text
        current = await settings.guild(guild)
        assert current.timezone == "Europe/Paris"
        assert (current.default_sound_cost, current.recharge_amount) == (3, 20)
        assert (current.recharge_cap, current.max_active_tasks) == (200, 7)
        assert current.announcement_channel_id == app.world.general.id
        assert 'value="Europe/Paris"' in saved.text

        # The same rules as /admin settings: nothing changes when one value is refused.
        refused = await admin.post(
            f"/servers/{guild}/admin/settings",
            data=form | {"recharge_cap": "5", "default_cost": "9"},
        )
        assert refused.status_code == 422
        assert "recharge cap must be at least the recharge amount" in refused.text
        assert (await settings.guild(guild)).default_sound_cost == 3
        unknown = await admin.post(
            f"/servers/{guild}/admin/settings", data=form | {"timezone": "Mars/Olympus"}
        )
        assert unknown.status_code == 422
        assert "not a time zone I know" in unknown.text
        nowhere = await admin.post(
            f"/servers/{guild}/admin/settings", data=form | {"announcements": "none"}
        )
        assert nowhere.status_code == 200
        assert not (await settings.guild(guild)).announces

        role = app.emulator.add_role(app.world.guild, "DJs")
        added = await admin.post(
            f"/servers/{guild}/admin/roles", data={"csrf_token": csrf, "role_id": str(role.id)}
        )
        assert added.status_code == 200, added.text
        assert await settings.admin_role_ids(guild) == [role.id]
        assert "Remove the admin role DJs" in added.text
        configured = await admin.post(
            f"/servers/{guild}/admin/roles/{app.world.admin_role.id}/remove",
            data={"csrf_token": csrf},
        )
        assert configured.status_code == 422
        assert "config" in configured.text
        removed = await admin.post(
            f"/servers/{guild}/admin/roles/{role.id}/remove", data={"csrf_token": csrf}
        )
        assert removed.status_code == 200
        assert await settings.admin_role_ids(guild) == []
        not_a_role = await admin.post(
            f"/servers/{guild}/admin/roles", data={"csrf_token": csrf, "role_id": "12345"}
        )
        assert not_a_role.status_code == 422
    finally:
        await member.aclose()
        await admin.aclose()


async def test_a_busy_week_is_shown_a_page_at_a_time(app: App) -> None:
    """Every 15 minutes is 672 plays a week: 100 on a page, then "Later plays this week"."""
    guild = app.world.guild.id
    sound = await add_sound(app)
    browser = await log_in(app, app.world.admin)  # admins may repeat more often than hourly
    try:
        week = await browser.get(f"/servers/{guild}")
        form = {
            "csrf_token": csrf_of(week),
            "sound_id": str(sound.id),
            "when": "every 15 minutes",
            "channel_id": str(app.world.lounge.id),
            "timezone": "UTC",
            "name": "quarter bell",
        }
        first = await browser.post(f"/servers/{guild}/tasks", data=form)
        assert first.status_code == 200, first.text
        times = re.findall(r'<time datetime="([^"]+)"', first.text)
        assert len(times) == 100
        later = re.search(r'href="\?from=([^"]+)" id="later"', first.text)
        assert later, first.text
        second = await browser.get(f"/servers/{guild}?from={later.group(1)}")
        following = re.findall(r'<time datetime="([^"]+)"', second.text)
        assert len(following) == 100
        assert datetime.fromisoformat(following[0]) - datetime.fromisoformat(times[-1]) == (
            timedelta(minutes=15)
        )
        assert "From now" in second.text
        # Pause and Skip next stay on the task's next run, on the first page only.
        assert 'formaction="/servers/' not in second.text
        assert first.text.count("/pause") == 1
    finally:
        await browser.aclose()


async def test_pages_and_the_feed_name_tasks_by_their_number_in_the_server(
    app: App, client: Client
) -> None:
    """Members know a task as "#1" from Discord; the URLs keep its global id."""
    sound = await add_sound(app)
    guild = app.world.guild.id
    elsewhere = await app.services.scheduler.create_task(
        "another server's bell",
        TaskType.PLAY_SOUND,
        app.services.clock.now() + timedelta(days=2),
        parameters={"sound_id": sound.id, "channel_id": 1},
        user_id=app.world.alice.id,
        guild_id=guild + 1,
    )
    alice = await client(app.world.alice)
    created = await alice.post(
        "/api/v1/scheduler/tasks",
        json={
            "task_type": "play_sound",
            "when": "tomorrow at 10am",
            "timezone": "UTC",
            "name": "ours",
            "parameters": {"sound_id": sound.id},
            "guild_id": guild,
            "channel_id": app.world.lounge.id,
        },
    )
    assert created.status_code == 201, created.text
    task_id, number = created.json()["id"], created.json()["number"]
    assert (number, elsewhere.number) == (1, 1)
    assert task_id != number

    browser = await log_in(app, app.world.alice)
    try:
        week = await browser.get(f"/servers/{guild}")
        assert '<span class="id">#1</span>' in week.text
        assert f'<span class="id">#{task_id}</span>' not in week.text
        assert f'action="/servers/{guild}/tasks/{task_id}/cancel"' in week.text
        edit = await browser.get(f"/servers/{guild}/tasks/{task_id}/edit")
        assert "Edit task #1: ours" in edit.text
    finally:
        await browser.aclose()

    link = await alice.post("/api/v1/calendar", params={"guild_id": guild})
    async with httpx.AsyncClient() as calendar_app:
        feed = await calendar_app.get(link.json()["url"])
    (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
    assert str(event["description"]) == "Task #1 in Carillon Test"
