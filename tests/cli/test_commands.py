"""The run, check-config and db commands, as a process an admin starts."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CARILLON_TOKEN"} | (env or {})
    environ["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_config_names_the_bad_key_and_exits_2(tmp_path):
    (tmp_path / "config.toml").write_text('[scheduler]\nmax_retries = "three"\n')
    result = bot("check-config", "--config", "config.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "[scheduler] max_retries" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_accepts_the_example_with_a_token(tmp_path):
    example = str(ROOT / "config.example.toml")
    result = bot("check-config", "--config", example, cwd=tmp_path, env={"CARILLON_TOKEN": "x"})
    assert result.returncode == 0, result.stderr
    assert "config OK" in result.stdout
    # Its relative paths are the example's folder's, wherever the command starts from.
    assert f"database: sqlite+aiosqlite:///{ROOT / 'data' / 'carillon.db'}" in result.stdout
    assert f"sounds:   {ROOT / 'data' / 'sounds'}" in result.stdout


def test_run_without_a_token_says_how_to_give_one(tmp_path):
    result = bot("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "CARILLON_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
    assert "python -m bot demo" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_first_command_on_a_fresh_machine_shows_the_demo(tmp_path):
    """``python -m bot`` with no token and no config: one line saying so, then the demo."""
    result = bot(cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert "No Discord bot token" in first
    assert "python -m bot demo" in first
    assert "real server" in first
    assert "Traceback" not in result.stderr
    assert "Carillon joined and played" in result.stdout


def test_run_with_a_bad_config_exits_2(tmp_path):
    (tmp_path / "config.toml").write_text("[time]\ndefault_timezone = 'Nowhere/Land'\n")
    result = bot("run", cwd=tmp_path, env={"CARILLON_TOKEN": "x"})
    assert result.returncode == 2
    assert "[time] default_timezone" in result.stderr


def test_db_upgrade_creates_every_table(tmp_path):
    (tmp_path / "config.toml").write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "data" / "c.db"}"\n'
    )
    result = bot("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "data" / "c.db") as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
        journal = connection.execute("pragma journal_mode").fetchone()[0]
    assert {"scheduled_tasks", "task_runs", "credit_balances", "sounds"} <= tables
    assert journal == "wal"


@pytest.mark.parametrize(
    ("command", "toml", "shown"),
    [
        ("check-config", b"[time]\ndefault_timezone = 'Europe'\n", "[time] default_timezone"),
        ("check-config", b"[sounds]\nmax_upload_mb = inf\n", "[sounds] max_upload_mb"),
        ("check-config", "# café\n".encode("latin-1"), "config.toml: is not UTF-8"),
        ("run", b"[discord]\napi_base_url = 'http://'\n", "[discord] api_base_url"),
        ("run", b"[discord]\ngateway_url = 'wss://host:-1'\n", "[discord] gateway_url"),
        ("run", b"[time]\ndefault_timezone = 'America'\n", "[time] default_timezone"),
        ("run", b"[credits]\nstarting_balance = 9223372036854775808\n", "[credits] starting"),
        ("run", b"\xff\xfe[\x00", "config.toml: is not UTF-8"),
    ],
)
def test_a_config_the_bot_cannot_run_with_exits_2_naming_the_key(tmp_path, command, toml, shown):
    (tmp_path / "config.toml").write_bytes(toml)
    result = bot(command, "--config", "config.toml", cwd=tmp_path, env={"CARILLON_TOKEN": "x"})
    assert result.returncode == 2, result.stderr
    assert f"config: {shown}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()
