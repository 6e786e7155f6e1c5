"""Generated test tones in any container PyAV can write (for the demo, tests and benchmarks)."""

from __future__ import annotations

import io
import math
from array import array
from fractions import Fraction

import av

_CODECS = {
    "wav": ("wav", "pcm_s16le", {}),
    "mp3": ("mp3", "libmp3lame", {}),
    "ogg": ("ogg", "vorbis", {"strict": "experimental"}),
    "flac": ("flac", "flac", {}),
    "opus": ("ogg", "libopus", {}),
}


def tone(
    frequency: float = 440.0,
    seconds: float = 1.0,
    kind: str = "wav",
    *,
    sample_rate: int = 44_100,
    amplitude: float = 0.5,
    layout: str = "stereo",
) -> bytes:
    """A sine tone as a complete file of ``kind`` (wav, mp3, ogg (Vorbis), flac, opus)."""
    container_format, codec, options = _CODECS[kind]
    if codec == "libopus":
        sample_rate = 48_000
    total = round(seconds * sample_rate)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as output:
        stream = output.add_stream(codec, rate=sample_rate, layout=layout, options=options)
        resampler = av.AudioResampler(
            format=stream.codec_context.format,
            layout=layout,
            rate=sample_rate,
            frame_size=stream.codec_context.frame_size or None,
        )
        step = 4096
        for start in range(0, total, step):
            count = min(step, total - start)
            samples = array(
                "h",
                (
                    round(32767 * amplitude * math.sin(2 * math.pi * frequency * n / sample_rate))
                    for n in range(start, start + count)
                ),
            )
            frame = av.AudioFrame(format="s16", layout="mono", samples=count)
            frame.planes[0].update(samples.tobytes())
            frame.sample_rate = sample_rate
            frame.pts = start
            frame.time_base = Fraction(1, sample_rate)
            for chunk in resampler.resample(frame):
                output.mux(stream.encode(chunk))
        for chunk in resampler.resample(None):
            output.mux(stream.encode(chunk))
        output.mux(stream.encode(None))
    return buffer.getvalue()


def decode_mono(data: bytes, sample_rate: int = 48_000) -> array[int]:
    """Decode any audio file to 16-bit mono samples at ``sample_rate``."""
    samples: array[int] = array("h")
    resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(container.streams.audio[0]):
            for chunk in resampler.resample(frame):
                samples.frombytes(bytes(chunk.planes[0])[: chunk.samples * 2])
    for chunk in resampler.resample(None):
        samples.frombytes(bytes(chunk.planes[0])[: chunk.samples * 2])
    return samples


def tone_frequency(samples: array[int] | bytes, sample_rate: int = 48_000) -> float:
    """The frequency of a pure tone, from its rate of upward zero crossings (0 for silence)."""
    pcm = array("h", samples) if isinstance(samples, bytes | bytearray) else samples
    threshold = max((abs(s) for s in pcm), default=0) // 4
    if threshold == 0:
        return 0.0
    crossings: list[int] = []
    below = True
    for index, sample in enumerate(pcm):
        if below and sample > threshold:
            crossings.append(index)
            below = False
        elif not below and sample < -threshold:
            below = True
    if len(crossings) < 2:
        return 0.0
    return (len(crossings) - 1) * sample_rate / (crossings[-1] - crossings[0])
