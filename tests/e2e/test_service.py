"""The bot as a service, from its own process: what an operator sees when Discord or the
database refuses it, and what SIGTERM (systemd, Docker) does to a run in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.errors import EXIT_NEEDS_OPERATOR, EXIT_TRANSIENT
from bot.heartbeat import HEARTBEAT_ENV
from bot.models.scheduled_task import TaskStatus
from bot.models.task_run import RunOutcome
from tests.e2e.test_crashes import Service, make_service, schedule_chime
from tests.support.bot_process import BotProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    marker = request.node.get_closest_marker("emulator")
    async with Emulator(**(marker.kwargs if marker else {})) as running:
        yield running


@pytest.fixture
async def service(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Service]:
    made = await make_service(emulator, tmp_path, credits={"starting_balance": 10})
    try:
        yield made
    finally:
        await made.process.stop()
        await made.db.dispose()


async def refused(process: BotProcess, status: int = EXIT_NEEDS_OPERATOR) -> str:
    """Run the process to its end; what it printed, after checking it failed cleanly.

    ``status``: 78 (EX_CONFIG) where a restart cannot help, so service managers stop
    retrying; 1 where it may (a database that is down).
    """
    process.launch()
    assert await process.exit_code() == status, process.log()
    log = process.log()
    assert "Traceback" not in log, log
    return log


@pytest.mark.emulator(privileged_intents=())
async def test_a_privileged_intent_switched_off_names_it_and_where_to_switch_it_on(
    emulator: Emulator, tmp_path: Path
):
    log = await refused(BotProcess(emulator, tmp_path))
    assert "4014" in log
    assert "'Server Members Intent'" in log
    assert "Bot > Privileged Gateway Intents" in log


async def test_a_wrong_token_says_to_reset_it(emulator: Emulator, tmp_path: Path):
    log = await refused(BotProcess(emulator, tmp_path, token="not-the-token"))
    assert "Discord refused the bot token (401 Unauthorized)" in log
    assert "Reset Token" in log


async def test_a_token_reset_while_running_ends_the_run_with_4004(service: Service, emulator):
    await service.process.start()
    await emulator.reset_token()
    assert await service.process.exit_code() == EXIT_NEEDS_OPERATOR
    log = service.process.log()
    assert "Discord refused the bot token (close code 4004, authentication failed)" in log
    assert "Traceback" not in log


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_database_is_named_without_its_password(
    emulator: Emulator, tmp_path: Path
):
    url = f"postgresql+asyncpg://carillon:s3cret@127.0.0.1:{closed_port()}/carillon"
    log = await refused(BotProcess(emulator, tmp_path, database={"url": url}), EXIT_TRANSIENT)
    assert "Cannot reach the database at postgresql+asyncpg://carillon:***@127.0.0.1:" in log
    assert "s3cret" not in log
    assert "Discord" not in log


async def test_a_database_from_a_newer_version_is_left_alone(emulator: Emulator, tmp_path: Path):
    process = BotProcess(emulator, tmp_path)
    with sqlite3.connect(tmp_path / "carillon.db") as connection:
        connection.execute("create table alembic_version (version_num varchar(32) primary key)")
        connection.execute("insert into alembic_version values ('0999')")
    log = await refused(process)
    assert "schema revision '0999', which this version of Carillon does not know" in log
    with sqlite3.connect(tmp_path / "carillon.db") as connection:
        tables = {
            row[0]
            for row in connection.execute("select name from sqlite_master where type = 'table'")
        }
    assert tables == {"alembic_version"}


async def test_a_sounds_folder_that_cannot_be_created_is_named(emulator: Emulator, tmp_path: Path):
    (tmp_path / "a-file").write_text("")
    sounds = tmp_path / "a-file" / "sounds"
    log = await refused(BotProcess(emulator, tmp_path, sounds={"directory": str(sounds)}))
    assert f"The sounds folder {sounds} is not writable" in log


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anywhere")
async def test_a_read_only_sounds_folder_is_named(emulator: Emulator, tmp_path: Path):
    sounds = tmp_path / "sounds"
    sounds.mkdir()
    sounds.chmod(0o500)
    try:
        log = await refused(BotProcess(emulator, tmp_path))
    finally:
        sounds.chmod(0o700)
    assert f"The sounds folder {sounds} is not writable (Permission denied)" in log


async def test_sigterm_lets_the_run_in_flight_finish_then_exits_0(service: Service, emulator):
    guild = service.world.guild
    task = await schedule_chime(service, due_in=5, seconds=3)
    pulse = service.process.folder / "heartbeat"
    service.process.extra_env[HEARTBEAT_ENV] = str(pulse)
    await service.process.start()
    await service.wait_for(lambda: asyncio.sleep(0, pulse.exists()), 10, "the heartbeat")
    await emulator.wait_for(lambda: emulator.voice_audio(guild).frames >= 20, timeout=30)
    service.process.signal(signal.SIGTERM)

    assert await service.process.exit_code(within=20) == 0
    log = service.process.log()
    assert "SIGTERM: stopping" in log
    assert "Traceback" not in log
    [run] = await service.runs(task.id)
    assert run.outcome is RunOutcome.SUCCEEDED
    stored = await service.task(task.id)
    assert stored.status is TaskStatus.COMPLETED
    assert stored.lease_owner is None
    assert emulator.voice_audio(guild).frames >= 147  # the whole sound was heard
    assert emulator.bot_voice_channel(guild) is None  # and the bot left the channel


async def test_a_second_signal_exits_at_once(service: Service, emulator):
    guild = service.world.guild
    await schedule_chime(service, due_in=5, seconds=20)
    await service.process.start()
    await emulator.wait_for(lambda: emulator.voice_audio(guild).frames >= 20, timeout=30)
    service.process.signal(signal.SIGTERM)
    await asyncio.sleep(0.5)
    started = asyncio.get_running_loop().time()
    service.process.signal(signal.SIGINT)
    assert await service.process.exit_code(within=5) == 128 + signal.SIGINT
    assert asyncio.get_running_loop().time() - started < 3
    assert "SIGINT again: exiting at once" in service.process.log()


def grant_the_bot_only(emulator: Emulator, world_guild, permissions: int) -> None:
    """The server as the invite link sets it up: the bot's own role, nothing from @everyone."""
    world_guild.everyone.permissions = 0
    role = emulator.add_role(world_guild, "Carillon", permissions=permissions)
    emulator.bot_member(world_guild).role_ids = [role.id]


async def test_the_invite_links_permissions_are_enough_for_the_whole_job(
    service: Service, emulator
):
    from bot.cli.invite import invite_url
    from bot.permissions import invite_permissions

    asked = int(invite_url(1).rpartition("permissions=")[2])
    assert asked == invite_permissions().value
    guild = service.world.guild
    grant_the_bot_only(emulator, guild, asked)
    task = await schedule_chime(service, due_in=4, seconds=1)
    await service.process.start()

    audio = await emulator.wait_for_audio(guild, frames=45, idle=0.5, timeout=30)
    assert audio.frames >= 45
    post = await emulator.wait_for_message(service.world.general)
    assert post.embeds[0]["title"] in ("🔔 Now playing", "✅ Played")
    [run] = await service.runs(task.id)
    assert run.outcome is RunOutcome.SUCCEEDED


async def test_without_one_of_the_invites_permissions_the_bot_says_which(
    service: Service, emulator
):
    from bot.permissions import invite_permissions

    guild = service.world.guild
    lacking_speak = invite_permissions()
    lacking_speak.speak = False
    grant_the_bot_only(emulator, guild, lacking_speak.value)
    task = await schedule_chime(service, due_in=4, seconds=1)
    await service.process.start()

    async def failed() -> bool:
        return bool(await service.runs(task.id))

    await service.wait_for(failed, 30, "the failed run")
    [run] = await service.runs(task.id)
    assert run.outcome is RunOutcome.FAILED
    assert "lacks the Speak permission" in (run.error or "")
    assert emulator.voice_audio(guild).frames == 0
    notice = await emulator.wait_for_message(service.world.general)
    assert "lacks the Speak permission" in notice.content


def command_puts(emulator: Emulator) -> list[str]:
    return [r.path for r in emulator.requests if r.method == "PUT" and r.path.endswith("/commands")]


async def test_a_restart_with_the_same_commands_does_not_sync_them_again(
    service: Service, emulator
):
    await service.process.start()
    assert len(command_puts(emulator)) == 1
    await service.process.stop()
    await service.process.start()
    assert len(command_puts(emulator)) == 1
    assert "commands unchanged since the last sync; not synced" in service.process.log()
    assert len(emulator.commands[None]) == 9


async def test_sync_sends_the_commands_to_one_server_and_clear_removes_them(
    service: Service, emulator
):
    guild_id = service.world.guild.id
    process = service.process
    env = {**os.environ, "CARILLON_TOKEN": emulator.token, "SSL_CERT_FILE": str(process.ca_path)}
    config = ["--config", str(process.config_path)]

    async def bot_sync(*args: str) -> str:
        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sync", *args, *config,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await done.communicate()
        assert done.returncode == 0, out.decode()
        return out.decode()

    assert f"synced 9 commands to server {guild_id}" in await bot_sync("--guild", str(guild_id))
    assert len(emulator.commands[guild_id]) == 9
    assert None not in emulator.commands or not emulator.commands[None]
    assert "0 left there" in await bot_sync("--guild", str(guild_id), "--clear")
    assert not emulator.commands[guild_id]
