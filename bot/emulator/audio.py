"""Captured Opus audio: counting frames, decoding with PyAV and finding the dominant frequency."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 48_000
FRAME_SECONDS = 0.02
OPUS_SILENCE = b"\xf8\xff\xfe"


class FrameStatus(StrEnum):
    """What a member's client made of one frame."""

    DECRYPTED = "decrypted"  # DAVE frame, decrypted: heard
    CLEAR = "clear"  # no end-to-end encryption expected (protocol 0, or Opus silence): heard
    PLAINTEXT = "plaintext"  # unencrypted audio in a DAVE call: a real client drops it
    FAILED = "failed"  # DAVE frame that did not decrypt: dropped


HEARD = (FrameStatus.DECRYPTED, FrameStatus.CLEAR)


@dataclass(frozen=True)
class OpusPacket:
    """One RTP payload as a member's client got it (``arrival`` is ``time.monotonic()``).

    ``data`` is the Opus frame when it was heard, else the payload as it arrived.
    """

    arrival: float
    sequence: int
    timestamp: int
    ssrc: int
    data: bytes
    status: FrameStatus = FrameStatus.DECRYPTED

    @property
    def heard(self) -> bool:
        return self.status in HEARD

    @property
    def silence(self) -> bool:
        """discord.py sends five of these when playback stops or pauses."""
        return self.data == OPUS_SILENCE


@dataclass(frozen=True)
class CapturedAudio:
    """Everything a member's client got from the bot, in arrival order.

    Counts, durations and decoded audio cover only what the member heard.
    """

    packets: list[OpusPacket]

    @property
    def heard_packets(self) -> list[OpusPacket]:
        return [p for p in self.packets if p.heard]

    @property
    def audio_packets(self) -> list[OpusPacket]:
        return [p for p in self.packets if p.heard and not p.silence]

    @property
    def frames(self) -> int:
        """Audio frames heard, not counting the silence frames that end a playback."""
        return len(self.audio_packets)

    @property
    def silence_frames(self) -> int:
        return sum(1 for p in self.packets if p.heard and p.silence)

    @property
    def plaintext_frames(self) -> int:
        """Unencrypted audio frames in a DAVE call, which a member's client drops."""
        return sum(1 for p in self.packets if p.status is FrameStatus.PLAINTEXT)

    @property
    def failed_frames(self) -> int:
        """DAVE frames the member's client could not decrypt."""
        return sum(1 for p in self.packets if p.status is FrameStatus.FAILED)

    @property
    def lost_frames(self) -> int:
        return self.plaintext_frames + self.failed_frames

    @property
    def duration(self) -> float:
        """Seconds of audio received (20 ms a frame)."""
        return self.frames * FRAME_SECONDS

    @property
    def arrival_span(self) -> float:
        """Seconds between the first and the last audio frame's arrival."""
        audio = self.audio_packets
        return audio[-1].arrival - audio[0].arrival if len(audio) > 1 else 0.0

    def pcm(self) -> np.ndarray:
        """Decode the audio frames to float32 samples, shape ``(channels, samples)``, 48 kHz."""
        import av
        import numpy as np

        context = av.CodecContext.create("opus", "r")
        context.sample_rate = SAMPLE_RATE
        context.layout = "stereo"
        chunks = []
        for packet in self.audio_packets:
            for frame in context.decode(av.Packet(packet.data)):
                chunks.append(frame.to_ndarray())
        for frame in context.decode(None):
            chunks.append(frame.to_ndarray())
        if not chunks:
            return np.zeros((2, 0), dtype=np.float32)
        return np.concatenate(chunks, axis=1).astype(np.float32)

    def dominant_frequency(self) -> float:
        """The strongest frequency in Hz of the decoded audio (first channel)."""
        import numpy as np

        samples = self.pcm()[0]
        if samples.size == 0:
            return 0.0
        spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
        spectrum[0] = 0.0
        return float(np.argmax(spectrum) * SAMPLE_RATE / samples.size)
