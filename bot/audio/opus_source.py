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

    ``start_packet`` skips that many audio packets (to resume), ``max_packets`` ends early (to
    honour a time limit). ``packets_read`` counts audio packets handed to the voice client, so
    a watcher in another thread can tell playback is progressing and how far it got;
    ``exhausted`` says the source ran to its end (or its limit).
    """

    def __init__(
        self,
        source: str | Path | IO[bytes],
        *,
        start_packet: int = 0,
        max_packets: int | None = None,
    ) -> None:
        if isinstance(source, str | Path):
            self._file: IO[bytes] = open(source, "rb")  # noqa: SIM115
            self._owns_file = True
        else:
            self._file = source
            self._owns_file = False
        self._packets = OggStream(self._file).iter_packets()
        self._headers_left = len(_HEADER_MAGICS)
        self._lock = threading.Lock()
        self._skip = start_packet
        self._max_packets = max_packets
        self.packets_read = 0
        self.exhausted = False

    def is_opus(self) -> bool:
        return True

    def read(self) -> bytes:
        with self._lock:
            if self._max_packets is not None and self.packets_read >= self._max_packets:
                self.exhausted = True
                return b""
            for packet in self._packets:
                if self._headers_left and packet.startswith(_HEADER_MAGICS):
                    self._headers_left -= 1
                    continue
                self._headers_left = 0
                if self._skip:
                    self._skip -= 1
                    continue
                self.packets_read += 1
                return packet
            self.exhausted = True
            return b""

    @property
    def seconds_read(self) -> float:
        return self.packets_read * FRAME_SECONDS

    def cleanup(self) -> None:
        with self._lock:
            if self._owns_file and not self._file.closed:
                self._file.close()
            self._packets = iter(())
