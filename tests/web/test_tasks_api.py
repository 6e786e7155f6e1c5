"""The scheduler routes over real HTTP: the original names, shapes and semantics."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.cogs.conftest import App
from tests.support.app import add_sound, move_clock, wait_for_runs
from tests.web.conftest import Client


def sound_body(app: App, sound_id: int, **fields: object) -> dict[str, object]:
    return {
        "name": "morning bell",
        "task_type": "play_sound",
        "scheduled_at": "2026-11-27T09:00:00",
        "timezone": "Europe/Paris",
        "recurrence_type": "none",
        "cron_expression": None,
        "recurrence_count": None,
        "parameters": {"sound_id": sound_id},
        "guild_id": app.world.guild.id,
        "channel_id": app.world.lounge.id,
        **fields,
    }


async def test_naive_scheduled_at_is_wall_clock_in_timezone(app: App, client: Client) -> None:
    sound = await add_sound(app)
    alice = await client(app.world.alice)
    created = await alice.post("/api/v1/scheduler/tasks", json=sound_body(app, sound.id))
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["next_run_at"] == "2026-11-27T08:00:00Z"
    assert task["timezone"] == "Europe/Paris"
    assert task["status"] == "pending"
    assert task["task_type"] == "play_sound"
    assert task["number"] == 1
    assert task["id"] != task["number"]  # the daily recharge, of no server, took an id first
    assert task["user_id"] == app.world.alice.id
    assert task["parameters"]["sound_id"] == sound.id
    assert task["parameters"]["channel_id"] == app.world.lounge.id

    listed = await alice.get("/api/v1/scheduler/tasks", params={"status": "pending", "limit": 10})
    assert [t["id"] for t in listed.json()] == [task["id"]]
    shown = await alice.get(f"/api/v1/scheduler/tasks/{task['id']}")
    assert shown.json()["upcoming_runs"][0] == "2026-11-27T08:00:00Z"

    deleted = await alice.delete(f"/api/v1/scheduler/tasks/{task['id']}")
    assert deleted.status_code == 204
    again = await alice.get(f"/api/v1/scheduler/tasks/{task['id']}")
    assert again.json()["status"] == "cancelled"
    assert (await alice.get("/api/v1/scheduler/tasks", params={"status": "pending"})).json() == []


async def test_when_recurrence_and_patch(app: App, client: Client) -> None:
    sound = await add_sound(app)
    alice = await client(app.world.alice)
    body = sound_body(app, sound.id, scheduled_at=None, when="every day at 9am", timezone="UTC")
    created = (await alice.post("/api/v1/scheduler/tasks", json=body)).json()
    assert created["recurrence_type"] == "daily"
    assert created["next_run_at"] == "2026-11-27T09:00:00Z"
    patched = await alice.patch(
        f"/api/v1/scheduler/tasks/{created['id']}", json={"name": "renamed", "when": "10am"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "renamed"
    assert patched.json()["next_run_at"] == "2026-11-27T10:00:00Z"


async def test_an_api_task_plays_through_the_bots_dispatcher(app: App, client: Client) -> None:
    sound = await add_sound(app)
    alice = await client(app.world.alice)
    body = sound_body(app, sound.id, scheduled_at="2026-11-26T12:05:00Z", timezone="UTC")
    task = (await alice.post("/api/v1/scheduler/tasks", json=body)).json()
    move_clock(app, datetime(2026, 11, 26, 12, 5, tzinfo=UTC))
    await wait_for_runs(app, task["id"], 1)
    shown = (await alice.get(f"/api/v1/scheduler/tasks/{task['id']}")).json()
    assert shown["status"] == "completed"
    assert shown["runs"][0]["outcome"] == "succeeded"


async def test_members_cannot_touch_each_others_tasks(app: App, client: Client) -> None:
    sound = await add_sound(app)
    alice, bob, admin = (
        await client(app.world.alice),
        await client(app.world.bob),
        await client(app.world.admin),
    )
    task = (await alice.post("/api/v1/scheduler/tasks", json=sound_body(app, sound.id))).json()
    url = f"/api/v1/scheduler/tasks/{task['id']}"
    assert (await bob.get(url)).status_code == 404
    assert (await bob.patch(url, json={"name": "mine"})).status_code == 404
    assert (await bob.delete(url)).status_code == 404
    assert (await bob.get("/api/v1/scheduler/tasks")).json() == []
    assert (await alice.get(url)).json()["status"] == "pending"
    # An admin sees and cancels any task of their server.
    assert (await admin.get(url)).status_code == 200
    assert (await admin.delete(url)).status_code == 204


async def test_admin_routes(app: App, client: Client) -> None:
    guild = app.world.guild.id
    alice, admin = await client(app.world.alice), await client(app.world.admin)
    recharge = {
        "name": "weekly top-up",
        "task_type": "credit_recharge",
        "scheduled_at": "2026-11-30T08:00:00",
        "timezone": "America/New_York",
        "recurrence_type": "weekly",
        "parameters": {"amount": 50},
        "guild_id": guild,
    }
    refused = await alice.post("/api/v1/scheduler/admin/system-tasks", json=recharge)
    assert refused.status_code == 403
    assert (
        await alice.get("/api/v1/scheduler/admin/tasks", params={"guild_id": guild})
    ).status_code == 403
    created = await admin.post("/api/v1/scheduler/admin/system-tasks", json=recharge)
    assert created.status_code == 201, created.text
    assert created.json()["next_run_at"] == "2026-11-30T13:00:00Z"
    assert created.json()["recurrence_type"] == "weekly"
    listed = await admin.get("/api/v1/scheduler/admin/tasks", params={"guild_id": guild})
    assert [t["id"] for t in listed.json()] == [created.json()["id"]]
    # A member's play is no system task, and a recharge is not a member's task.
    as_member = await admin.post("/api/v1/scheduler/tasks", json=recharge)
    assert as_member.status_code == 422
    assert "task_type" in as_member.json()["detail"]


async def test_bad_bodies_name_the_field(app: App, client: Client) -> None:
    sound = await add_sound(app)
    alice = await client(app.world.alice)
    missing = sound_body(app, sound.id)
    del missing["task_type"]
    answer = await alice.post("/api/v1/scheduler/tasks", json=missing)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "task_type"]
    for field, value, named in (
        ("timezone", "Mars/Olympus", "timezone"),
        ("scheduled_at", "2020-01-01T00:00:00", "scheduled_at: That is in the past"),
        ("recurrence_type", "fortnightly", "recurrence_type"),
        ("channel_id", 12345, "channel_id"),
    ):
        answer = await alice.post(
            "/api/v1/scheduler/tasks", json=sound_body(app, sound.id, **{field: value})
        )
        assert answer.status_code == 422, (field, answer.text)
        assert named in answer.text, (field, answer.text)
    not_a_member = sound_body(app, sound.id, guild_id=1)
    assert (await alice.post("/api/v1/scheduler/tasks", json=not_a_member)).status_code == 404


async def test_patch_reads_a_naive_scheduled_at_in_the_bodys_timezone(
    app: App, client: Client
) -> None:
    """The member's own zone (New York) must not win over the body's ``timezone``."""
    await app.services.settings.set_member_timezone(app.world.alice.id, "America/New_York")
    sound = await add_sound(app)
    alice = await client(app.world.alice)
    body = sound_body(app, sound.id, scheduled_at=None, when="every day at 9am", timezone="UTC")
    created = (await alice.post("/api/v1/scheduler/tasks", json=body)).json()
    url = f"/api/v1/scheduler/tasks/{created['id']}"
    patched = await alice.patch(
        url, json={"scheduled_at": "2026-11-28T09:00:00", "timezone": "Europe/Paris"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["next_run_at"] == "2026-11-28T08:00:00Z"
    assert patched.json()["timezone"] == "Europe/Paris"
    assert patched.json()["recurrence_type"] == "daily"
    # The day after keeps 09:00 in Paris, not in New York.
    shown = (await alice.get(url)).json()
    assert shown["upcoming_runs"][:2] == ["2026-11-28T08:00:00Z", "2026-11-29T08:00:00Z"]
    # A `when` text is read in the body's zone too.
    moved = await alice.patch(url, json={"when": "10am", "timezone": "Asia/Tokyo"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["timezone"] == "Asia/Tokyo"
    assert moved.json()["next_run_at"].endswith("T01:00:00Z")


async def test_pause_resume_and_skip(app: App, client: Client) -> None:
    sound = await add_sound(app)
    alice, bob, admin = (
        await client(app.world.alice),
        await client(app.world.bob),
        await client(app.world.admin),
    )
    body = sound_body(app, sound.id, scheduled_at=None, when="every day at 9am", timezone="UTC")
    task = (await alice.post("/api/v1/scheduler/tasks", json=body)).json()
    url = f"/api/v1/scheduler/tasks/{task['id']}"
    assert task["next_run_at"] == "2026-11-27T09:00:00Z"

    # Another member's task does not exist for bob, whatever he tries.
    for action in ("pause", "resume", "skip"):
        refused = await bob.post(f"{url}/{action}")
        assert refused.status_code == 404, (action, refused.text)
    assert (await alice.get(url)).json()["status"] == "pending"

    paused = await alice.post(f"{url}/pause")
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "paused"
    assert (await alice.get(url)).json()["status"] == "paused"
    again = await alice.post(f"{url}/pause")
    assert again.status_code == 422
    assert "already paused" in again.json()["detail"]
    assert (await alice.post(f"{url}/skip")).status_code == 422

    resumed = await alice.post(f"{url}/resume")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "pending"
    skipped = await alice.post(f"{url}/skip")
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["skipped"] == "2026-11-27T09:00:00Z"
    assert skipped.json()["next_run_at"] == "2026-11-28T09:00:00Z"
    shown = (await alice.get(url)).json()
    assert shown["upcoming_runs"][0] == "2026-11-28T09:00:00Z"
    assert shown["runs"][0]["outcome"] == "skipped"

    # An admin of the server acts on any of its tasks.
    by_admin = await admin.post(f"{url}/pause")
    assert by_admin.status_code == 200, by_admin.text
    assert (await alice.get(url)).json()["status"] == "paused"
    assert (await admin.post(f"{url}/resume")).json()["status"] == "pending"
    assert (await alice.post("/api/v1/scheduler/tasks/999999/pause")).status_code == 404
