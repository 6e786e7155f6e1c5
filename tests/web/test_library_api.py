"""Sounds, playlists, credits, ``/api/v1/when`` and ``/docs`` over real HTTP."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from bot.audio.tones import tone
from tests.cogs.conftest import App
from tests.web.conftest import Client


async def test_sounds_upload_preview_rename_delete(app: App, client: Client) -> None:
    guild = app.world.guild.id
    alice, bob = await client(app.world.alice), await client(app.world.bob)
    files = {"file": ("bell.wav", tone(440, 0.5, "wav"), "audio/wav")}
    uploaded = await alice.post(
        "/api/v1/sounds", data={"guild_id": str(guild), "name": "bell"}, files=files
    )
    assert uploaded.status_code == 201, uploaded.text
    sound = uploaded.json()
    assert sound["name"] == "bell"
    assert 0.4 < sound["duration_seconds"] < 0.6

    listed = await bob.get("/api/v1/sounds", params={"guild_id": guild})
    assert [s["name"] for s in listed.json()] == ["bell"]
    audio = await bob.get(f"/api/v1/sounds/{sound['id']}/audio", params={"guild_id": guild})
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/ogg"
    assert audio.content.startswith(b"OggS")
    assert b"OpusHead" in audio.content[:200]

    # Only the uploader (or an admin) renames or deletes.
    url = f"/api/v1/sounds/{sound['id']}"
    params = {"guild_id": guild}
    assert (await bob.patch(url, params=params, json={"name": "mine"})).status_code == 403
    renamed = await alice.patch(url, params=params, json={"name": "chime"})
    assert renamed.json()["name"] == "chime"
    not_audio = {"file": ("notes.txt", b"hello", "text/plain")}
    refused = await alice.post(
        "/api/v1/sounds", data={"guild_id": str(guild), "name": "notes"}, files=not_audio
    )
    assert refused.status_code == 422
    deleted = await alice.delete(url, params=params)
    assert deleted.json()["deleted"] is True
    assert (await bob.get(url, params=params)).status_code == 404
    outsider = await alice.get("/api/v1/sounds", params={"guild_id": 1})
    assert outsider.status_code == 404


async def test_playlists_reorder_and_credits(app: App, client: Client) -> None:
    guild = app.world.guild.id
    alice = await client(app.world.alice)
    ids = []
    for name, pitch in (("low", 220), ("high", 880)):
        files = {"file": (f"{name}.wav", tone(pitch, 0.3, "wav"), "audio/wav")}
        answer = await alice.post(
            "/api/v1/sounds", data={"guild_id": str(guild), "name": name}, files=files
        )
        ids.append(answer.json()["id"])
    created = await alice.post("/api/v1/playlists", json={"guild_id": guild, "name": "mix"})
    assert created.status_code == 201, created.text
    playlist = created.json()["id"]
    params = {"guild_id": guild}
    for sound_id in ids:
        added = await alice.post(
            f"/api/v1/playlists/{playlist}/sounds", params=params, json={"sound_id": sound_id}
        )
        assert added.status_code == 200, added.text
    moved = await alice.post(
        f"/api/v1/playlists/{playlist}/sounds/2/move", params=params, json={"position": 1}
    )
    assert [s["name"] for s in moved.json()["sounds"]] == ["high", "low"]
    listed = await alice.get("/api/v1/playlists", params=params)
    assert listed.json() == [
        {"id": playlist, "name": "mix", "owner_id": app.world.alice.id, "sound_count": 2}
    ]

    await app.services.credits.grant(guild, app.world.alice.id, 25, app.world.admin.id)
    credits = (await alice.get("/api/v1/credits", params=params)).json()
    assert credits["balance"] == app.config.credits.starting_balance + 25
    assert credits["ledger"][0]["amount"] == 25


async def test_when_is_the_cli_document(app: App, client: Client) -> None:
    alice = await client(app.world.alice)
    query = {
        "phrase": "every weekday at 9am",
        "tz": "Europe/Paris",
        "now": "2026-11-26T12:00:00",
        "show": 3,
    }
    answer = await alice.get("/api/v1/when", params=query)
    assert answer.status_code == 200, answer.text
    cli = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "bot",
            "when",
            "every weekday at 9am",
            "--tz",
            "Europe/Paris",
            "--now",
            "2026-11-26T12:00:00",
            "--show",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answer.json() == json.loads(cli.stdout)
    assert answer.json()["next_runs"][0] == "2026-11-27T08:00:00Z"
    bad = await alice.get("/api/v1/when", params={"phrase": "at blorp o'clock"})
    assert bad.status_code == 422


async def test_openapi_document(app: App, client: Client) -> None:
    anonymous = await client(None)
    docs = await anonymous.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    paths = (await anonymous.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/scheduler/tasks",
        "/api/v1/scheduler/tasks/{task_id}",
        "/api/v1/scheduler/admin/tasks",
        "/api/v1/scheduler/admin/system-tasks",
        "/api/v1/sounds",
        "/api/v1/playlists",
        "/api/v1/credits",
        "/api/v1/when",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/scheduler/tasks/{task_id}"]) == {"get", "patch", "delete"}
