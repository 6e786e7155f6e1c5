"""Faults on demand for REST routes: rate limits, server errors and slow answers."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """Answer the next ``times`` requests matching ``pattern`` (``"POST /channels/*/messages"``).

    ``status`` 429 answers with ``retry_after``; another status answers that error; ``delay``
    alone only slows the real answer down.
    """

    pattern: str
    status: int | None = None
    retry_after: float = 0.1
    delay: float = 0.0
    times: int = 1
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        method_pattern, _, path_pattern = self.pattern.partition(" ")
        if not path_pattern:
            method_pattern, path_pattern = "*", method_pattern
        return fnmatch.fnmatchcase(method, method_pattern.upper()) and fnmatch.fnmatchcase(
            path, path_pattern
        )

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.times

    def error_body(self) -> dict[str, Any]:
        if self.status == 429:
            return {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": False,
            }
        return {"message": f"Emulated error {self.status}", "code": 0}


@dataclass
class FaultPlan:
    """The faults waiting to be triggered, first added first used."""

    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if not fault.exhausted and fault.matches(method, path):
                fault.hits += 1
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()


@dataclass
class RecordedRequest:
    """One REST request as the bot sent it, and what the emulator answered."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0
    fault: Fault | None = None
    # Who refused it with a 429: "user" (a bucket), "global", or "cloudflare" (a ban).
    limited: str | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"
