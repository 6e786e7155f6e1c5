"""Lease identities: the same after a restart, distinct between processes alive at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.scheduling.identity import claim_identity

HOLD = """
import sys, time
from pathlib import Path
from bot.scheduling.identity import claim_identity
identity = claim_identity(sys.argv[1], directory=Path(sys.argv[2]))
print(identity.name, flush=True)
time.sleep(60)
"""


def test_processes_alive_at_once_get_distinct_identities(tmp_path: Path):
    first = claim_identity("sqlite:///a.db|None", directory=tmp_path)
    second = claim_identity("sqlite:///a.db|None", directory=tmp_path)
    other_service = claim_identity("sqlite:///b.db|None", directory=tmp_path)
    try:
        assert len({first.name, second.name, other_service.name}) == 3
        assert all(len(i.name) <= 64 for i in (first, second, other_service))
    finally:
        for identity in (first, second, other_service):
            identity.close()


def test_a_process_killed_without_warning_leaves_its_identity_to_its_restart(tmp_path: Path):
    service = "postgresql+asyncpg://db/carillon|None"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, service, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        held = holder.stdout.readline().strip()
        meanwhile = claim_identity(service, directory=tmp_path)
        assert meanwhile.name != held
        meanwhile.close()
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 5
        while True:
            restarted = claim_identity(service, directory=tmp_path)
            if restarted.name == held or time.monotonic() > deadline:
                break
            restarted.close()
        assert restarted.name == held
        restarted.close()
    finally:
        holder.kill()
        holder.wait(timeout=10)
