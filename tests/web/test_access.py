"""Tokens and CSRF: what the API refuses before any rule runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import jwt

from tests.cogs.conftest import App
from tests.support.app import add_sound
from tests.web.conftest import SECRET, Client, base_url

TASKS = "/api/v1/scheduler/tasks"


async def get_with(app: App, token: str, path: str = TASKS) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url(app), cookies={"access_token": token}) as http:
        return await http.get(path)


def body(app: App, sound_id: int) -> dict[str, object]:
    return {
        "task_type": "play_sound",
        "when": "tomorrow 9am",
        "parameters": {"sound_id": sound_id},
        "guild_id": app.world.guild.id,
        "channel_id": app.world.lounge.id,
    }


async def test_no_forged_expired_or_revoked_token(app: App, client: Client) -> None:
    anonymous = await client(None)
    assert (await anonymous.get(TASKS)).status_code == 401
    forged = jwt.encode(
        {"sub": str(app.world.alice.id), "jti": "x" * 32, "kind": "script", "exp": 2**40},
        "another-secret-of-at-least-32-bytes!!",
        algorithm="HS256",
    )
    assert (await get_with(app, forged)).status_code == 401
    # Signed with the right secret but never issued: refused too.
    unissued = jwt.encode(
        {"sub": str(app.world.alice.id), "jti": "y" * 32, "kind": "script", "exp": 2**40},
        SECRET,
        algorithm="HS256",
    )
    assert (await get_with(app, unissued)).status_code == 401

    tokens = app.services.api_tokens
    short = await tokens.mint(app.world.alice.id, days=1)
    headers = {"Authorization": f"Bearer {short.token}"}
    assert (await anonymous.get(TASKS, headers=headers)).status_code == 200
    app.clock.advance(days=1, seconds=1)
    expired = await anonymous.get(TASKS, headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]

    live = await tokens.mint(app.world.alice.id)
    assert (await get_with(app, live.token)).status_code == 200
    assert await tokens.revoke(live.token_id)
    revoked = await get_with(app, live.token)
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["detail"]


async def test_browser_sessions_need_the_csrf_token(app: App, client: Client) -> None:
    from bot.web.access import csrf_token

    sound = await add_sound(app)
    session = await client(app.world.alice, kind="session")
    assert (await session.get(TASKS)).status_code == 200
    refused = await session.post(TASKS, json=body(app, sound.id))
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    other = await app.services.api_tokens.mint(app.world.alice.id, kind="session")
    wrong = await session.post(
        TASKS,
        json=body(app, sound.id),
        headers={"X-CSRF-Token": csrf_token(SECRET, other.token_id)},
    )
    assert wrong.status_code == 403
    holder = await app.services.api_tokens.holder(session.cookies["access_token"])
    right = await session.post(
        TASKS,
        json=body(app, sound.id),
        headers={"X-CSRF-Token": csrf_token(SECRET, holder.token_id)},
    )
    assert right.status_code == 201, right.text


async def test_api_token_cli_mints_a_token_the_api_accepts(app: App, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{app.config.database.url}"\n[web]\nsecret = "{SECRET}"\n',
        encoding="utf-8",
    )
    minted = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "bot",
            "api-token",
            "--user",
            str(app.world.bob.id),
            "--days",
            "400",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.splitlines()[0]
    # The original system's curl example: the token in the access_token cookie.
    async with httpx.AsyncClient(base_url=base_url(app)) as http:
        http.cookies.set("access_token", token)
        answer = await http.get(TASKS, params={"status": "pending", "limit": 10})
        assert answer.status_code == 200, answer.text
        assert answer.json() == []
        token_id = minted.stdout.split("token id ", 1)[1].split()[0]
        revoke = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "bot",
                "api-token",
                "--revoke",
                token_id,
                "--config",
                str(config),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert revoke.returncode == 0, revoke.stdout + revoke.stderr
        refused = await http.get(TASKS)
        assert refused.status_code == 401
    no_secret = tmp_path / "bare.toml"
    no_secret.write_text(f'[database]\nurl = "{app.config.database.url}"\n', encoding="utf-8")
    failed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "api-token", "--user", "1", "--config", str(no_secret)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert failed.returncode == 2
    assert "[web] secret" in failed.stderr
