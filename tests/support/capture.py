"""Reading what the emulator captured: one segment per sound played."""

from __future__ import annotations

from bot.emulator import CapturedAudio


def segments(audio: CapturedAudio) -> list[CapturedAudio]:
    """Split on the silence frames discord.py sends after each sound ends."""
    parts: list[CapturedAudio] = []
    current: list = []
    for packet in audio.packets:
        if packet.silence:
            if current:
                parts.append(CapturedAudio(current))
            current = []
        else:
            current.append(packet)
    if current:
        parts.append(CapturedAudio(current))
    return parts


def tones(audio: CapturedAudio) -> list[int]:
    """The tone of each sound played, rounded to 10 Hz."""
    return [round(part.dominant_frequency(), -1) for part in segments(audio)]
