"""``/healthz``, ``/readyz`` (unready when the database is gone) and ``/metrics``."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.cogs.conftest import App
from tests.support.app import add_sound
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


async def test_metrics(app: App, client: Client) -> None:
    sound = await add_sound(app)
    alice = await client(app.world.alice)
    created = await alice.post(
        "/api/v1/scheduler/tasks",
        json={
            "task_type": "play_sound",
            "when": "tomorrow 9am",
            "parameters": {"sound_id": sound.id},
            "guild_id": app.world.guild.id,
            "channel_id": app.world.lounge.id,
        },
    )
    assert created.status_code == 201
    await alice.get("/api/v1/scheduler/tasks/999999")
    text = (await alice.get("/metrics")).text
    assert (
        'carillon_api_requests_total{method="POST",route="/api/v1/scheduler/tasks",'
        'status="201"} 1.0' in text
    )
    assert 'route="/api/v1/scheduler/tasks/{task_id}",status="404"} 1.0' in text
    assert f'carillon_active_tasks{{guild_id="{app.world.guild.id}"}} 1.0' in text
    assert "carillon_dispatcher_last_pass_age_seconds" in text
