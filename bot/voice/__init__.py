"""Voice playback: one player per server, a FIFO queue each, streaming stored Opus packets."""

from bot.voice.service import VoicePlayerService

__all__ = ["VoicePlayerService"]
