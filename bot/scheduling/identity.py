"""This process's lease identity: the same after a restart, distinct between live processes.

A restarted process takes back at once the leases its previous life held (they name the same
identity), instead of waiting for them to expire. The identity is a digest of the machine and
of the service (its database and shards), plus the first free slot among lock files: two
processes of one service on one machine hold different slots, and a slot whose process died
(even by kill -9) is free again, because the kernel drops the dead process's lock.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # not POSIX: one process per service and machine
    fcntl = None  # type: ignore[assignment]

MAX_SLOTS = 64
DEFAULT_DIRECTORY = Path(tempfile.gettempdir()) / "carillon-identity"


class ProcessIdentity:
    """A lease owner name, held for as long as this object stays open."""

    def __init__(self, name: str, lock: IO[str] | None) -> None:
        self.name = name
        self._lock = lock

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __repr__(self) -> str:
        return f"<ProcessIdentity {self.name}>"


def claim_identity(service: str, *, directory: Path | None = None) -> ProcessIdentity:
    """The identity for ``service`` on this machine: the first slot no live process holds."""
    host = socket.gethostname() or "host"
    digest = hashlib.sha256(f"{host}\0{service}".encode()).hexdigest()[:12]
    folder = directory or DEFAULT_DIRECTORY
    if fcntl is None:
        return ProcessIdentity(_name(host, digest, 0), None)
    folder.mkdir(parents=True, exist_ok=True)
    for slot in range(MAX_SLOTS):
        lock = (folder / f"{digest}-{slot}.lock").open("a", encoding="utf-8")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        return ProcessIdentity(_name(host, digest, slot), lock)
    raise RuntimeError(f"more than {MAX_SLOTS} processes of one service on this machine")


def _name(host: str, digest: str, slot: int) -> str:
    """At most 64 characters, the width of ``lease_owner``."""
    return f"{host[:40]}-{digest}-{slot}"
