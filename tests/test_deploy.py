"""The Docker image, compose.yaml and the systemd unit: what can be checked here is."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import pytest

from bot.heartbeat import STALE_AFTER_SECONDS, is_fresh, main

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _works(*command: str) -> bool:
    if shutil.which(command[0]) is None:
        return False
    done = subprocess.run(command, capture_output=True, check=False, timeout=60)
    return done.returncode == 0


@pytest.mark.parametrize(
    "name", ["config.docker.toml", "config.compose.toml", "config.systemd.toml"]
)
def test_each_shipped_config_passes_check_config(name):
    environ = {**os.environ, "CARILLON_TOKEN": "a-token", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", "--config", str(DEPLOY / name)],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "sounds:   /" in done.stdout


def test_the_image_runs_as_a_user_keeps_state_in_a_volume_and_checks_its_health():
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM")) :]
    users = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert users
    assert users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in final_stage
    assert any(line.startswith("HEALTHCHECK") for line in final_stage)
    assert "bot.heartbeat" in "\n".join(final_stage)
    assert any("slim" in line for line in lines if line.startswith("FROM"))


@pytest.mark.skipif(not _works("docker", "info"), reason="no Docker daemon on this machine")
def test_the_docker_image_builds_and_answers():
    subprocess.run(["docker", "build", "-t", "carillon-test", str(ROOT)], check=True, timeout=1200)
    done = subprocess.run(
        ["docker", "run", "--rm", "carillon-test", "when", "in 5 minutes"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"first_run"' in done.stdout


@pytest.mark.skipif(
    not _works("docker", "compose", "version"), reason="docker compose is not installed here"
)
def test_compose_yaml_validates():
    done = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, "CARILLON_TOKEN": "a-token"},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_systemd_unit_stops_with_sigterm_and_does_not_retry_what_a_restart_cannot_fix():
    unit = (DEPLOY / "carillon.service").read_text(encoding="utf-8")
    assert "\nExecStart=/opt/carillon/.venv/bin/python -m bot run --config " in unit
    assert "\nKillSignal=SIGTERM\n" in unit
    assert "\nRestartPreventExitStatus=2 78\n" in unit
    stop_timeout = int(unit.split("\nTimeoutStopSec=")[1].split("\n")[0])
    assert stop_timeout >= 20  # the dispatcher gives runs in flight 10 s, then frees leases


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_verifies():
    done = subprocess.run(
        ["systemd-analyze", "verify", str(DEPLOY / "carillon.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    # The unit names /opt/carillon and a user this machine need not have: only syntax counts.
    assert "Unknown key" not in done.stderr, done.stderr
    assert "Invalid" not in done.stderr, done.stderr


def _heartbeat_file() -> str:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    found = re.findall(r"CARILLON_HEARTBEAT_FILE=(\S+)", lines)
    assert len(found) == 1, found
    return found[0]


def _compose_mount_targets() -> list[str]:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    mounts = re.findall(r"^\s+- [^\s:]+:(/[^\s:]*)", text, flags=re.MULTILINE)
    assert mounts
    return mounts


def test_each_scaled_container_keeps_its_own_heartbeat():
    pulse = PurePosixPath(_heartbeat_file())
    volumes = re.findall(
        r'^VOLUME \["([^"]+)"\]',
        (ROOT / "Dockerfile").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    shared = [PurePosixPath(p) for p in [*volumes, *_compose_mount_targets()]]
    assert PurePosixPath("/data") in shared
    assert [str(s) for s in shared if pulse == s or s in pulse.parents] == []
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "CARILLON_HEARTBEAT_FILE" not in compose  # the image's own path, per container


def test_the_healthcheck_reads_the_heartbeats_age(tmp_path: Path):
    pulse = tmp_path / "heartbeat"
    assert main([str(pulse)]) == 1  # never touched: the bot never connected
    pulse.touch()
    assert main([str(pulse)]) == 0
    old = time.time() - STALE_AFTER_SECONDS - 5
    os.utime(pulse, (old, old))
    assert not is_fresh(pulse, time.time())
    assert main([str(pulse)]) == 1
