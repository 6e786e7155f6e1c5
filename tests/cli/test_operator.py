"""What an operator types on day one: check-config over every bad config, paths relative to
the config file, the invite link, backups, the log's level and format."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.cli.test_commands import bot

NO_TOKEN = {"CARILLON_TOKEN": ""}
TOKEN = {"CARILLON_TOKEN": "a-token"}


@pytest.mark.parametrize(
    ("toml", "env", "shown"),
    [
        ("", NO_TOKEN, "No Discord bot token"),
        ('[discord]\ntoken = ""\n', NO_TOKEN, "No Discord bot token"),
        ('[discord]\ntoken = " abc "\n', NO_TOKEN, "config: [discord] token: must not hold"),
        ('[discord]\ntoken = "Bot abc"\n', NO_TOKEN, "config: [discord] token: must be the token"),
        ("", {"CARILLON_TOKEN": "abc\n"}, "config: [CARILLON_TOKEN]: must not hold"),
        ("[time]\nlanguages = ['xx']\n", TOKEN, "config: [time] languages[0]: unknown language"),
        ("[database]\nurl = 'sqlite+aiosqlite://'\n", TOKEN, "[database] url: is an in-memory"),
        (
            "[database]\nurl = 'sqlite+aiosqlite:///:memory:'\n",
            TOKEN,
            "[database] url: is an in-memory",
        ),
        (
            "[database]\nurl = 'sqlite+aiosqlite:///x.db?mode=memory&cache=shared'\n",
            TOKEN,
            "[database] url: is an in-memory",
        ),
        (
            "[database]\nurl = 'postgresql+asyncpg://'\n",
            TOKEN,
            "[database] url: names no database",
        ),
        (
            "[database]\nurl = 'postgresql+asyncpg://me@db:5432'\n",
            TOKEN,
            "[database] url: names no database",
        ),
        ("[discord]\nsync_on_start = 'sometimes'\n", TOKEN, "[discord] sync_on_start: must be"),
        ("[discord]\nshard_count = 2\nshard_ids = [2]\n", TOKEN, "[discord] shard_ids: shard"),
        ("[discord]\nshard_ids = []\n", TOKEN, "[discord] shard_ids: must name"),
        ("[logging]\nlevel = 'loud'\n", TOKEN, "[logging] level: must be one of"),
        ("[logging]\nformat = 'xml'\n", TOKEN, "[logging] format: must be 'text' or 'json'"),
        ("[logging]\nlevels = { discord = 'much' }\n", TOKEN, "[logging] levels: discord:"),
        ("[web]\nport = 70000\n", TOKEN, "[web] port: must be from 1 to 65535"),
        ("[web]\npublic_url = 'ftp://x'\n", TOKEN, "[web] public_url: must start with"),
    ],
)
def test_check_config_refuses_what_the_bot_cannot_run_with(tmp_path, toml, env, shown):
    (tmp_path / "config.toml").write_text(toml, encoding="utf-8")
    result = bot("check-config", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stdout
    assert shown in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_keys_design_names_are_accepted(tmp_path):
    (tmp_path / "config.toml").write_text(
        "[discord]\nshard_count = 6\nshard_ids = [0, 1]\nsync_on_start = 'guild:123'\n"
        "[logging]\nlevel = 'debug'\nformat = 'json'\nlevels = { apscheduler = 'info' }\n"
        "[web]\nenabled = false\nhost = '0.0.0.0'\nport = 8080\n"
        "public_url = 'https://carillon.example.org'\nsecret = 'xyz'\n",
        encoding="utf-8",
    )
    result = bot("check-config", cwd=tmp_path, env=TOKEN)
    assert result.returncode == 0, result.stderr


def test_relative_paths_are_the_config_files_not_the_working_folders(tmp_path):
    home = tmp_path / "srv" / "carillon"
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        "[database]\nurl = 'sqlite+aiosqlite:///state/bot.db'\n[sounds]\ndirectory = 'media'\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = bot(
        "check-config", "--config", "../srv/carillon/config.toml", cwd=elsewhere, env=TOKEN
    )
    assert result.returncode == 0, result.stderr
    assert f"database: sqlite+aiosqlite:///{home.resolve() / 'state' / 'bot.db'}" in result.stdout
    assert f"sounds:   {home.resolve() / 'media'}" in result.stdout

    result = bot("db", "upgrade", "--config", "../srv/carillon/config.toml", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (home / "state" / "bot.db").is_file()
    assert not (elsewhere / "state").exists()


def test_a_postgresql_password_is_never_printed(tmp_path):
    (tmp_path / "config.toml").write_text(
        "[database]\nurl = 'postgresql+asyncpg://carillon:hunter2@db.internal/carillon'\n"
    )
    result = bot("check-config", cwd=tmp_path, env=TOKEN)
    assert "database: postgresql+asyncpg://carillon:***@db.internal/carillon" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr


def test_when_answers_an_unknown_option_in_json_and_keeps_non_ascii(tmp_path):
    result = bot("when", "in 5 minutes", "--bogus", cwd=tmp_path)
    assert result.returncode == 2
    assert json.loads(result.stdout) == {"error": "unrecognized arguments: --bogus"}
    result = bot("when", "à midi", cwd=tmp_path)
    assert result.returncode == 2
    assert "à midi" in result.stdout
    assert "\\u00e0" not in result.stdout
    assert "error" in json.loads(result.stdout)


def test_invite_asks_for_what_the_code_checks_and_names_the_intents(tmp_path):
    import discord

    from bot.permissions import EVERYTHING

    result = bot("invite", "--client-id", "1234", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    url, permissions_line, intents_line, switch_line = result.stdout.strip().splitlines()
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["1234"]
    assert query["scope"] == ["bot applications.commands"]
    asked = discord.Permissions(int(query["permissions"][0]))
    assert asked == discord.Permissions(**{flag: True for flag, _ in EVERYTHING})
    assert "View Channel, Connect, Speak, Send Messages, Embed Links" in permissions_line
    assert "Use Soundboard, Create Expressions, Set Voice Channel Status" in permissions_line
    assert asked.set_voice_channel_status
    assert int(query["permissions"][0]) == (
        (1 << 10)  # View Channel
        | (1 << 20)  # Connect
        | (1 << 21)  # Speak
        | (1 << 11)  # Send Messages
        | (1 << 14)  # Embed Links
        | (1 << 42)  # Use Soundboard
        | (1 << 43)  # Create Expressions
        | (1 << 48)  # Set Voice Channel Status
    )
    assert intents_line == "gateway intents: guilds, members, expressions, voice_states"
    assert "Server Members Intent" in switch_line.split("leave off")[0]


def test_invite_without_a_token_or_client_id_says_how(tmp_path):
    result = bot("invite", cwd=tmp_path, env=NO_TOKEN)
    assert result.returncode == 2
    assert "--client-id" in result.stderr


def write_sqlite_config(folder: Path, **extra: str) -> Path:
    lines = ["[database]", "url = 'sqlite+aiosqlite:///data/carillon.db'"]
    for section, body in extra.items():
        lines += [f"[{section}]", body]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def revision(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return connection.execute("select version_num from alembic_version").fetchone()[0]


def test_db_current_and_backup(tmp_path):
    write_sqlite_config(tmp_path)
    result = bot("db", "current", cwd=tmp_path)
    assert "no database there yet" in result.stdout
    assert not (tmp_path / "data").exists()
    assert bot("db", "upgrade", cwd=tmp_path).returncode == 0
    result = bot("db", "current", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(up to date)" in result.stdout
    sounds = tmp_path / "data" / "sounds"
    sounds.mkdir()
    (sounds / "1.opus").write_bytes(b"opus")

    result = bot("db", "backup", str(tmp_path / "backup"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert revision(tmp_path / "backup" / "carillon.db") == revision(tmp_path / "data/carillon.db")
    assert (tmp_path / "backup" / "sounds" / "1.opus").read_bytes() == b"opus"
    again = bot("db", "backup", str(tmp_path / "backup"), cwd=tmp_path)
    assert again.returncode == 2
    assert "not empty" in again.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_run_backs_sqlite_up_before_migrating_it(tmp_path):
    port = closed_port()
    write_sqlite_config(
        tmp_path,
        discord=f"api_base_url = 'http://127.0.0.1:{port}/api/v10'\n"
        f"gateway_url = 'ws://127.0.0.1:{port}'",
    )
    assert bot("db", "upgrade", "--revision", "0003", cwd=tmp_path).returncode == 0
    result = bot("db", "current", cwd=tmp_path)
    assert "at 0003; the code's newest is" in result.stdout

    result = bot("run", cwd=tmp_path, env=TOKEN)
    # Discord is not there; the database was migrated first, and backed up before that.
    assert result.returncode == 1
    assert f"Cannot reach Discord at http://127.0.0.1:{port}/api/v10" in result.stderr
    assert "Traceback" not in result.stderr
    [backup] = (tmp_path / "data").glob("carillon.before-*.db")
    assert revision(backup) == "0003"
    assert revision(tmp_path / "data" / "carillon.db") != "0003"


def test_log_lines_are_json_when_asked_and_the_level_follows_log_level(tmp_path):
    port = closed_port()
    write_sqlite_config(
        tmp_path,
        discord=f"api_base_url = 'http://127.0.0.1:{port}/api/v10'",
        logging="format = 'json'\nlevel = 'warning'",
    )
    quiet = bot("run", cwd=tmp_path, env=TOKEN)
    assert "database schema at" not in quiet.stderr
    loud = bot("run", "--log-level", "info", cwd=tmp_path, env=TOKEN)
    lines = [json.loads(line) for line in loud.stderr.splitlines() if line.startswith("{")]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert any(line["logger"] == "discord.client" for line in lines)
    assert not any(line["logger"].startswith("alembic") for line in lines)


def test_run_refuses_an_unknown_log_level(tmp_path):
    result = bot("run", "--log-level", "loud", cwd=tmp_path, env=TOKEN)
    assert result.returncode == 2
    assert "--log-level" in result.stderr
    assert isinstance(result, subprocess.CompletedProcess)


def test_when_loads_neither_discord_nor_the_database_code(tmp_path):
    """What keeps ``when`` fast (benchmarks/cli.py measures it): only the time parser loads."""
    import sys

    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "main(['when', 'every weekday at 9am', '--config', sys.argv[1]])\n"
        "heavy = {'discord', 'sqlalchemy', 'alembic', 'aiohttp', 'aiosqlite', 'asyncpg', 'av'}\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & heavy))\n"
    )
    example = str(Path(__file__).resolve().parents[2] / "config.example.toml")
    done = subprocess.run(
        [sys.executable, "-c", probe, example], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("CARILLON_TEST_DATABASE_URL") or not shutil.which("pg_dump"),
    reason="needs CARILLON_TEST_DATABASE_URL and pg_dump",
)
def test_db_backup_on_postgresql_runs_pg_dump(tmp_path):
    url = os.environ["CARILLON_TEST_DATABASE_URL"]
    (tmp_path / "config.toml").write_text(f"[database]\nurl = '{url}'\n", encoding="utf-8")
    assert bot("db", "upgrade", cwd=tmp_path).returncode == 0
    result = bot("db", "backup", "backup", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    dump = tmp_path / "backup" / "carillon.dump"
    assert "database (pg_dump)" in result.stdout
    if shutil.which("pg_restore"):
        listing = subprocess.run(
            ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True
        )
        assert "command_syncs" in listing.stdout
