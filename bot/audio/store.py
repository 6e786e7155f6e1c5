"""Stored sound files: generated names under ``[sounds] directory``, never the uploader's."""

from __future__ import annotations

import asyncio
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PlayableSound:
    """What the player needs of one sound: its file and what a play of it costs."""

    sound_id: int
    name: str
    path: Path
    duration_seconds: float
    cost: int
    # set when the sound came from the server's soundboard and can be sent natively
    soundboard_sound_id: int | None = None


class SoundStore:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path(self, file_name: str) -> Path:
        return self.directory / file_name

    async def save(self, guild_id: int, data: bytes) -> str:
        """Write ``data`` under a new random name; returns the name relative to the directory."""
        file_name = f"{guild_id}/{secrets.token_hex(16)}.ogg"
        await asyncio.to_thread(self._write, self.path(file_name), data)
        return file_name

    async def remove(self, file_name: str) -> None:
        await asyncio.to_thread(self.path(file_name).unlink, missing_ok=True)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with open(partial, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(path)
