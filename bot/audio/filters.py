"""Small helpers over PyAV filter graphs (FFmpeg's libavfilter, no ffmpeg process)."""

from __future__ import annotations

from collections.abc import Iterator

import av
import av.filter

SAMPLE_RATE = 48_000
LAYOUT = "stereo"


def audio_graph(
    sample_rate: int,
    sample_format: str,
    layout: str,
    filters: list[tuple[str, str]],
    *,
    frame_size: int | None = None,
) -> av.filter.Graph:
    """A configured graph: abuffer -> ``filters`` in order -> abuffersink."""
    graph = av.filter.Graph()
    nodes = [graph.add_abuffer(sample_rate=sample_rate, format=sample_format, layout=layout)]
    nodes += [graph.add(name, args) for name, args in filters]
    nodes.append(graph.add("abuffersink"))
    graph.link_nodes(*nodes).configure()
    if frame_size is not None:
        graph.set_audio_frame_size(frame_size)
    return graph


def drain(graph: av.filter.Graph) -> Iterator[av.AudioFrame]:
    """Every frame the graph can give now (after ``push(None)``: every frame left)."""
    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        assert isinstance(frame, av.AudioFrame)
        yield frame


def integrated_loudness(metadata: dict[str, str]) -> float | None:
    """The ebur128 filter's integrated loudness (LUFS); None for silence (fully gated)."""
    value = metadata.get("lavfi.r128.I")
    if value is None:
        return None
    loudness = float(value)
    return None if loudness <= -70.0 else loudness
