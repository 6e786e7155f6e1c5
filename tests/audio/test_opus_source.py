"""The playback source sends the stored Opus packets, and only those."""

from __future__ import annotations

import io

import av
import pytest
from discord.oggparse import OggStream

from bot.audio.opus_source import OggOpusSource
from bot.audio.tones import tone
from bot.audio.transcode import AudioLimits, transcode


@pytest.fixture(scope="module")
def stored() -> bytes:
    return transcode(tone(440, 2.0, "wav"), AudioLimits(8 << 20, 30)).data


def _read_all(source: OggOpusSource) -> list[bytes]:
    packets = []
    while packet := source.read():
        packets.append(packet)
    return packets


def test_source_yields_every_audio_packet_and_no_header(stored: bytes) -> None:
    everything = list(OggStream(io.BytesIO(stored)).iter_packets())
    with av.open(io.BytesIO(stored)) as container:
        demuxed = [bytes(p) for p in container.demux(audio=0) if p.size]

    source = OggOpusSource(io.BytesIO(stored))
    packets = _read_all(source)

    assert source.is_opus()
    assert [p[:8] for p in everything[:2]] == [b"OpusHead", b"OpusTags"]
    assert not any(p.startswith((b"OpusHead", b"OpusTags")) for p in packets)
    assert packets == everything[2:] == demuxed
    assert source.packets_read == len(packets)
    assert source.seconds_read == pytest.approx(2.0, abs=0.05)
    assert source.read() == b""


def test_source_packets_are_20ms_opus_frames(stored: bytes) -> None:
    packets = _read_all(OggOpusSource(io.BytesIO(stored)))
    decoder = av.CodecContext.create("opus", "r")
    decoder.sample_rate = 48_000
    decoder.layout = "stereo"

    sizes = {frame.samples for p in packets for frame in decoder.decode(av.Packet(p))}

    assert sizes == {960}


def test_source_reads_a_file_and_closes_it(tmp_path, stored: bytes) -> None:
    path = tmp_path / "s.ogg"
    path.write_bytes(stored)

    source = OggOpusSource(path)
    first = source.read()
    source.cleanup()

    assert first
    assert source.read() == b""


def test_source_resumes_from_a_packet_and_stops_at_a_limit(stored: bytes) -> None:
    everything = _read_all(OggOpusSource(io.BytesIO(stored)))

    resumed = OggOpusSource(io.BytesIO(stored), start_packet=30)
    limited = OggOpusSource(io.BytesIO(stored), max_packets=25)

    assert _read_all(resumed) == everything[30:]
    assert resumed.exhausted
    assert _read_all(limited) == everything[:25]
    assert limited.exhausted
    assert limited.packets_read == 25


def test_source_is_not_exhausted_while_packets_remain(stored: bytes) -> None:
    source = OggOpusSource(io.BytesIO(stored))
    source.read()

    assert not source.exhausted
