"""``/healthz``, ``/readyz`` (unready when the database is gone) and ``/metrics``."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.audio.tones import tone
from tests.cogs.conftest import App
from tests.support.app import move_clock, wait_for_runs
from tests.web.conftest import Client


def take_away(path: Path) -> Path:
    """Move the database file away; leave where it was something SQLite cannot open."""
    moved = path.with_suffix(".away")
    path.rename(moved)
    path.mkdir()
    return moved


def put_back(moved: Path, path: Path) -> None:
    shutil.rmtree(path)
    moved.rename(path)


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite: the test takes the file away."""
    return sqlite_url


async def test_ready_until_the_database_is_gone(app: App, client: Client) -> None:
    anonymous = await client(None)
    assert (await anonymous.get("/healthz")).json() == {"status": "ok"}
    await asyncio.wait_for(app.services.scheduler.dispatcher.ready.wait(), 10)
    ready = await anonymous.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["gateway"]["ok"]
    assert checks["database"]["ok"]
    assert checks["dispatcher"]["last_pass_age_seconds"] >= 0

    path = Path(app.services.db.sqlite_path or "")
    await app.services.db.engine.dispose()
    moved = take_away(path)
    try:
        gone = await anonymous.get("/readyz")
        assert gone.status_code == 503
        assert gone.json()["ready"] is False
        assert not gone.json()["checks"]["database"]["ok"]
        assert gone.json()["checks"]["database"]["error"]
    finally:
        put_back(moved, path)
    assert (await anonymous.get("/readyz")).status_code == 200


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, parsed as Prometheus reads it."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(
    scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_follow_a_real_run_a_missed_one_and_the_api(app: App, client: Client) -> None:
    world = app.world
    sound = await app.services.sounds.upload(
        world.guild.id, world.admin.id, "bell", tone(440, 0.3, "wav"), cost=3
    )
    alice = await client(app.world.alice)
    anonymous = await client(None)
    guild = str(app.world.guild.id)
    before = samples((await anonymous.get("/metrics")).text)
    body = {
        "task_type": "play_sound",
        "scheduled_at": "2026-11-26T12:05:00Z",
        "parameters": {"sound_id": sound.id},
        "guild_id": app.world.guild.id,
        "channel_id": app.world.lounge.id,
    }
    played = (await alice.post("/api/v1/scheduler/tasks", json=body)).json()
    daily = await alice.post(
        "/api/v1/scheduler/tasks",
        json=body | {"scheduled_at": None, "when": "every day at 13:00", "timezone": "UTC"},
    )
    assert daily.status_code == 201, daily.text
    await alice.get("/api/v1/scheduler/tasks/999999")
    pending = samples((await anonymous.get("/metrics")).text)
    assert value(pending, "carillon_queue_depth", guild_id=guild) == 2

    move_clock(app, datetime(2026, 11, 26, 12, 5, tzinfo=UTC))
    await wait_for_runs(app, played["id"], 1)
    # Offline past the daily task's grace (five minutes): its 13:00 run is missed.
    move_clock(app, datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    await wait_for_runs(app, daily.json()["id"], 1)
    text = (await anonymous.get("/metrics")).text
    after = samples(text)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("carillon_task_runs_total", task_type="play_sound", outcome="succeeded") == 1
    assert moved("carillon_task_runs_total", task_type="play_sound", outcome="missed") == 1
    assert moved("carillon_missed_runs_total", task_type="play_sound") == 1
    assert moved("carillon_dispatch_lateness_seconds_count", task_type="play_sound") == 1
    # The fake clock stood at the due instant: on time, in the lowest bucket.
    assert (
        moved("carillon_dispatch_lateness_seconds_bucket", task_type="play_sound", le="0.001") == 1
    )
    assert moved("carillon_voice_connect_seconds_count", result="ok") == 1
    assert moved("carillon_voice_connect_seconds_sum", result="ok") > 0
    assert moved("carillon_credits_spent_total") == 3
    assert value(after, "carillon_queue_depth", guild_id=guild) == 1  # the daily task
    route = "/api/v1/scheduler/tasks"
    assert moved("carillon_api_requests_total", method="POST", route=route, status="201") == 2
    assert (
        moved(
            "carillon_api_requests_total",
            method="GET",
            route="/api/v1/scheduler/tasks/{task_id}",
            status="404",
        )
        == 1
    )
    assert value(after, "carillon_dispatcher_last_pass_age_seconds") >= 0
    # No member's id or name, and no token, in any label.
    for member in (app.world.alice, app.world.admin, app.world.bob):
        assert str(member.id) not in text
    assert "alice" not in text
    assert alice.cookies["access_token"] not in text
