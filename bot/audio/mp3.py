"""A stored sound as MP3: what Discord's soundboard accepts for a new sound."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import av

from bot.audio.filters import LAYOUT, SAMPLE_RATE, audio_graph, drain

MP3_BITRATE = 128_000
MP3_FRAME_SAMPLES = 1152


async def to_mp3(path: Path) -> bytes:
    """``encode_mp3`` in a worker thread: decoding and encoding are CPU-bound."""
    return await asyncio.to_thread(encode_mp3, path)


def encode_mp3(path: Path) -> bytes:
    """The audio file at ``path`` as 48 kHz stereo MP3 (with an ID3 header, as Discord reads)."""
    buffer = io.BytesIO()
    with av.open(str(path)) as source, av.open(buffer, "w", format="mp3") as output:
        stream = output.add_stream("libmp3lame", rate=SAMPLE_RATE, layout=LAYOUT)
        stream.bit_rate = MP3_BITRATE
        graph = None
        for frame in source.decode(source.streams.audio[0]):
            if graph is None:
                graph = audio_graph(
                    frame.sample_rate,
                    frame.format.name,
                    frame.layout.name,
                    [
                        ("aresample", str(SAMPLE_RATE)),
                        ("aformat", f"sample_fmts=s16p:channel_layouts={LAYOUT}"),
                    ],
                    frame_size=MP3_FRAME_SAMPLES,
                )
            frame.pts = None
            graph.push(frame)
            _mux(graph, stream, output)
        if graph is not None:
            graph.push(None)
            _mux(graph, stream, output)
        output.mux(stream.encode(None))
    return buffer.getvalue()


def _mux(
    graph: av.filter.Graph, stream: av.AudioStream, output: av.container.OutputContainer
) -> None:
    for out in drain(graph):
        out.pts = None
        output.mux(stream.encode(out))
