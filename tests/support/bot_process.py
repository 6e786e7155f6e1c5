"""The bot as an operator runs it: ``python -m bot run`` in its own process, against the
emulator, so a test can kill it without warning (SIGKILL) and start it again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.emulator import Emulator

READY_LINE = "scheduler started"
PROJECT = Path(__file__).resolve().parents[2]


class BotProcess:
    """One service (a config file and its SQLite database), started and killed at will."""

    def __init__(
        self,
        emulator: Emulator,
        folder: Path,
        *,
        token: str | None = None,
        env: dict[str, str] | None = None,
        **sections: dict[str, Any],
    ) -> None:
        """``token``: the one the process is given (default: the emulator's); ``env``: more
        environment variables."""
        self.emulator = emulator
        self.token = token
        self.extra_env = env or {}
        self.folder = folder
        self.database_url = f"sqlite+aiosqlite:///{folder / 'carillon.db'}"
        self.config_path = folder / "config.toml"
        self.ca_path = emulator.ca.write_pem(folder / "ca.pem")
        self.config_path.write_text(_toml(self._sections(sections)), encoding="utf-8")
        self.log_path = folder / "bot.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def _sections(self, extra: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        sections: dict[str, dict[str, Any]] = {
            "discord": {
                "api_base_url": self.emulator.api_base_url,
                "gateway_url": self.emulator.gateway_url,
            },
            "database": {"url": self.database_url},
            "sounds": {"directory": str(self.folder / "sounds")},
        }
        for name, values in extra.items():
            sections[name] = {**sections.get(name, {}), **values}
        return sections

    async def start(self, *, ready_within: float = 30.0) -> None:
        """Start ``python -m bot run`` and wait until its scheduler is up."""
        self.launch()
        await self.wait_ready(ready_within)

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "CARILLON_TOKEN": self.token or self.emulator.token,
            # The voice gateway's certificate comes from the emulator's throwaway CA.
            "SSL_CERT_FILE": str(self.ca_path),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {self.starts} =====\n".encode())
            log.flush()
            return subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=PROJECT,
            )

    async def _wait_for_log(self, text: str, occurrences: int, within: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.log().count(text) < occurrences:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited ({self.process.returncode}):\n{self.log()}")
            if loop.time() > deadline:
                raise AssertionError(f"the bot was not ready within {within:g} s:\n{self.log()}")
            await asyncio.sleep(0.05)

    def launch(self) -> None:
        """Start ``python -m bot run`` without waiting for it to be ready."""
        assert self.process is None or self.process.poll() is not None
        self.starts += 1
        self.process = self._spawn()

    async def wait_ready(self, within: float = 30.0) -> None:
        await self._wait_for_log(READY_LINE, self.starts, within)

    async def exit_code(self, within: float = 30.0) -> int:
        """Wait for the process to end on its own; its exit status."""
        assert self.process is not None
        try:
            return await asyncio.to_thread(self.process.wait, within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"the bot still ran after {within:g} s:\n{self.log()}") from None

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    async def stop(self) -> None:
        """Ctrl-C, as an operator would stop it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(self.process.wait, 20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _toml(sections: dict[str, dict[str, Any]]) -> str:
    lines: list[str] = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        for key, value in values.items():
            lines.append(f"{key} = {_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
