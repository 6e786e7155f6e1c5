"""Plays a stored Ogg Opus file by sending its packets as they are: no decoding, no ffmpeg."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import IO

import discord
from discord.oggparse import OggStream

FRAME_SECONDS = 0.020
_HEADER_MAGICS = (b"OpusHead", b"OpusTags")


class OggOpusSource(discord.AudioSource):
    """A ``discord.AudioSource`` over an Ogg Opus file written with 20 ms frames.

    ``packets_read`` counts audio packets handed to the voice client, so a watcher can tell
    playback is progressing (and how far it got) from another thread.
    """

    def __init__(self, source: str | Path | IO[bytes]) -> None:
        if isinstance(source, str | Path):
            self._file: IO[bytes] = open(source, "rb")  # noqa: SIM115
            self._owns_file = True
        else:
            self._file = source
            self._owns_file = False
        self._packets = OggStream(self._file).iter_packets()
        self._headers_left = len(_HEADER_MAGICS)
        self._lock = threading.Lock()
        self.packets_read = 0

    def is_opus(self) -> bool:
        return True

    def read(self) -> bytes:
        with self._lock:
            for packet in self._packets:
                if self._headers_left and packet.startswith(_HEADER_MAGICS):
                    self._headers_left -= 1
                    continue
                self._headers_left = 0
                self.packets_read += 1
                return packet
            return b""

    @property
    def seconds_read(self) -> float:
        return self.packets_read * FRAME_SECONDS

    def cleanup(self) -> None:
        with self._lock:
            if self._owns_file and not self._file.closed:
                self._file.close()
            self._packets = iter(())
