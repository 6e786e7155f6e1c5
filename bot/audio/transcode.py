"""Upload validation and the one-time transcode to loudness-normalised 48 kHz stereo Ogg Opus."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

import av

from bot.audio.filters import LAYOUT, SAMPLE_RATE, audio_graph, drain, integrated_loudness
from bot.config import SoundsConfig
from bot.errors import InvalidInput

OPUS_FRAME_SAMPLES = 960  # 20 ms at 48 kHz: what a Discord voice packet carries
OPUS_BITRATE = 96_000
MAX_GAIN_DB = 30.0
TRUE_PEAK_LIMIT = 0.891  # -1 dBFS
_MEASURE = ("ebur128", "metadata=1")


@dataclass(frozen=True, slots=True)
class AudioLimits:
    max_bytes: int
    max_duration_seconds: float
    target_lufs: float = -16.0

    @classmethod
    def from_config(cls, sounds: SoundsConfig, target_lufs: float = -16.0) -> AudioLimits:
        return cls(
            int(sounds.max_upload_mb * 1024 * 1024), sounds.max_duration_seconds, target_lufs
        )


@dataclass(frozen=True, slots=True)
class TranscodedAudio:
    """The Ogg Opus file to store, with what was measured of it."""

    data: bytes
    duration_seconds: float
    loudness_lufs: float | None
    source_loudness_lufs: float | None
    source_format: str

    @property
    def size_bytes(self) -> int:
        return len(self.data)


async def transcode_upload(data: bytes, limits: AudioLimits) -> TranscodedAudio:
    """``transcode`` in a worker thread: decoding and encoding are CPU-bound."""
    return await asyncio.to_thread(transcode, data, limits)


def transcode(data: bytes, limits: AudioLimits) -> TranscodedAudio:
    """Validate an upload and transcode it; raises ``InvalidInput`` saying what is wrong."""
    check_size(len(data), limits)
    if not data:
        raise InvalidInput("The file is empty. Upload an audio file (MP3, WAV, Ogg, ...).")
    frames, source_format, source_loudness = _decode(data, limits)
    gain_db = 0.0
    if source_loudness is not None:
        gain_db = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, limits.target_lufs - source_loudness))
    encoded = _encode(frames, gain_db)
    duration, loudness = measure(encoded)
    return TranscodedAudio(encoded, duration, loudness, source_loudness, source_format)


def check_size(size_bytes: int, limits: AudioLimits, name: str = "The file") -> None:
    """Refuse a file over the upload limit (callers can check an attachment's size first)."""
    if size_bytes > limits.max_bytes:
        size, limit = _sizes(size_bytes, limits.max_bytes)
        raise InvalidInput(
            f"{name} is {size}; the limit is {limit}. Upload a shorter or more compressed sound."
        )


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """Both in MB, with the bytes too when rounding would make them read the same."""
    shown, cap = _megabytes(size), _megabytes(limit)
    if shown == cap:
        return f"{shown} ({size:,} bytes)", f"{cap} ({limit:,} bytes)"
    return shown, cap


def measure(data: bytes) -> tuple[float, float | None]:
    """Duration (seconds) and integrated loudness (LUFS, None if silent) of an audio file."""
    samples = 0
    loudness: float | None = None
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        graph = None
        metadata: dict[str, str] = {}
        for frame in container.decode(stream):
            if graph is None:
                graph = _graph_for(frame, [("aresample", str(SAMPLE_RATE)), _MEASURE])
            samples += frame.samples * SAMPLE_RATE // frame.sample_rate
            graph.push(frame)
            metadata = _last_metadata(graph, metadata)
        if graph is not None:
            graph.push(None)
            metadata = _last_metadata(graph, metadata)
            loudness = integrated_loudness(metadata)
    return samples / SAMPLE_RATE, loudness


def _decode(data: bytes, limits: AudioLimits) -> tuple[list[av.AudioFrame], str, float | None]:
    """Decode to 48 kHz stereo, measuring loudness and enforcing the duration limit."""
    not_audio = InvalidInput(
        "That file is not audio that can be decoded. Upload an MP3, WAV, Ogg, FLAC or M4A sound."
    )
    decoded = _Decoded(int(limits.max_duration_seconds * SAMPLE_RATE) + OPUS_FRAME_SAMPLES // 2)
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.audio:
                raise not_audio
            stream = container.streams.audio[0]
            if container.duration is not None:
                _check_duration(container.duration / av.time_base, limits)
            graph = None
            for frame in container.decode(stream):
                if graph is None:
                    resample = [
                        ("aresample", str(SAMPLE_RATE)),
                        ("aformat", f"sample_fmts=dbl:channel_layouts={LAYOUT}"),
                        _MEASURE,
                        ("aformat", "sample_fmts=flt"),
                    ]
                    graph = _graph_for(frame, resample)
                graph.push(frame)
                decoded.take(graph, limits)
            if graph is None:
                raise not_audio
            graph.push(None)
            decoded.take(graph, limits)
            source_format = f"{container.format.name}/{stream.codec_context.name}"
    except av.FFmpegError:
        raise not_audio from None
    if not decoded.frames:
        raise not_audio
    return decoded.frames, source_format, integrated_loudness(decoded.metadata)


class _Decoded:
    """Frames out of the decoding graph, their sample count and the last loudness reading."""

    def __init__(self, max_samples: int) -> None:
        self.max_samples = max_samples
        self.frames: list[av.AudioFrame] = []
        self.samples = 0
        self.metadata: dict[str, str] = {}

    def take(self, graph: av.filter.Graph, limits: AudioLimits) -> None:
        for out in drain(graph):
            self.samples += out.samples
            self.metadata = dict(out.metadata) or self.metadata
            self.frames.append(out)
        if self.samples > self.max_samples:
            _check_duration(self.samples / SAMPLE_RATE, limits)


def _encode(frames: list[av.AudioFrame], gain_db: float) -> bytes:
    graph = audio_graph(
        SAMPLE_RATE,
        frames[0].format.name,
        LAYOUT,
        [
            ("volume", f"volume={gain_db:.3f}dB"),
            ("alimiter", f"limit={TRUE_PEAK_LIMIT}:level=false:latency=true"),
            ("aformat", f"sample_fmts=flt:channel_layouts={LAYOUT}"),
        ],
        frame_size=OPUS_FRAME_SAMPLES,
    )
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as output:
        stream = output.add_stream(
            "libopus",
            rate=SAMPLE_RATE,
            layout=LAYOUT,
            options={"frame_duration": "20", "application": "audio"},
        )
        stream.bit_rate = OPUS_BITRATE
        for frame in [*frames, None]:
            if frame is not None:
                frame.pts = None
            graph.push(frame)
            for out in drain(graph):
                out.pts = None
                output.mux(stream.encode(out))
        output.mux(stream.encode(None))
    return buffer.getvalue()


def _graph_for(frame: av.AudioFrame, filters: list[tuple[str, str]]) -> av.filter.Graph:
    return audio_graph(frame.sample_rate, frame.format.name, frame.layout.name, filters)


def _last_metadata(graph: av.filter.Graph, metadata: dict[str, str]) -> dict[str, str]:
    for out in drain(graph):
        metadata = dict(out.metadata) or metadata
    return metadata


def _check_duration(seconds: float, limits: AudioLimits) -> None:
    if seconds > limits.max_duration_seconds + OPUS_FRAME_SAMPLES / SAMPLE_RATE / 2:
        raise InvalidInput(
            f"The sound is {seconds:.1f} s long; the limit is "
            f"{limits.max_duration_seconds:g} s. Trim it and upload it again."
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
