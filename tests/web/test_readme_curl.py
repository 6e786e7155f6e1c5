"""The README's curl examples, run verbatim with real curl against the running bot."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cogs.conftest import App
from tests.support.app import add_sound
from tests.web.conftest import base_url

README = Path(__file__).resolve().parents[2] / "README.md"


def curl_commands() -> list[str]:
    block = re.search(r"## HTTP API and dashboard.*?```bash\n(.+?)\n```", README.read_text(), re.S)
    assert block, "the README's HTTP API section has no bash example"
    commands: list[str] = []
    for line in block.group(1).splitlines():
        if line.startswith("curl "):
            commands.append(line)
        elif line.startswith("#"):
            continue
        else:
            commands[-1] += "\n" + line
    return commands


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


async def test_the_readme_examples_behave_as_documented(app: App) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    sound = await add_sound(app)
    minted = await app.services.api_tokens.mint(app.world.alice.id)
    env = os.environ | {
        "URL": base_url(app),
        "TOKEN": minted.token,
        "GUILD": str(app.world.guild.id),
        "CHANNEL": str(app.world.lounge.id),
        "SOUND": str(sound.id),
    }
    answers = []
    for command in curl_commands():
        done = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", command + ' -w "\\n%{http_code}"'],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        body, _, status = done.stdout.rpartition("\n")
        answers.append((int(status), json.loads(body) if body else None))
        if len(answers) == 1:
            env["TASK"] = str(answers[0][1]["id"])
    statuses = [status for status, _ in answers]
    assert statuses == [201, 201, 200, 200, 200, 200, 200, 200, 204, 200]
    first, second, pending, one, patched, paused, resumed, skipped, _, when = (
        body for _, body in answers
    )
    assert first["next_run_at"] == "2030-01-07T08:00:00Z"
    assert first["recurrence_type"] == "daily"
    assert first["recurrence_count"] == 5
    assert second["recurrence_type"] == "cron"
    assert second["cron_expression"] == "0 8 * * 1-5"
    assert {t["id"] for t in pending} == {first["id"], second["id"]}
    assert one["upcoming_runs"][1] == "2030-01-08T08:00:00Z"
    assert patched["name"] == "Wake-up bell"
    assert (paused["status"], resumed["status"]) == ("paused", "pending")
    assert skipped["skipped"] == "2030-01-07T08:00:00Z"
    assert skipped["next_run_at"] == "2030-01-08T08:00:00Z"
    cancelled = await app.services.scheduler.get_task(first["id"])
    assert cancelled is not None
    assert cancelled.status == "cancelled"
    assert set(when) == {"first_run", "recurrence", "next_runs", "description"}
