"""Uploads: what is accepted, what is refused, and what gets stored."""

from __future__ import annotations

import io

import av
import pytest

from bot.audio.tones import decode_mono, tone, tone_frequency
from bot.audio.transcode import AudioLimits, check_size, measure, transcode, transcode_upload
from bot.config import SoundsConfig
from bot.errors import InvalidInput

LIMITS = AudioLimits.from_config(SoundsConfig(max_upload_mb=2, max_duration_seconds=5))
MB = 1024 * 1024


@pytest.mark.parametrize("kind", ["wav", "mp3", "ogg"])
def test_upload_is_stored_as_48khz_stereo_opus_at_minus_16_lufs(kind: str) -> None:
    result = transcode(tone(440, 2.0, kind), LIMITS)

    with av.open(io.BytesIO(result.data)) as container:
        assert container.format.name == "ogg"
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus"
        assert stream.codec_context.sample_rate == 48_000
        assert stream.codec_context.layout.nb_channels == 2
    duration, loudness = measure(result.data)
    assert duration == pytest.approx(2.0, abs=0.01)
    assert result.duration_seconds == pytest.approx(2.0, abs=0.01)
    assert loudness == pytest.approx(-16.0, abs=0.5)
    assert result.loudness_lufs == pytest.approx(loudness, abs=0.01)
    assert result.size_bytes == len(result.data)
    assert tone_frequency(decode_mono(result.data)) == pytest.approx(440, abs=2)


def test_quiet_and_loud_uploads_end_up_equally_loud() -> None:
    quiet = transcode(tone(440, 2.0, "wav", amplitude=0.02), LIMITS)
    loud = transcode(tone(440, 2.0, "wav", amplitude=0.9), LIMITS)

    assert quiet.source_loudness_lufs is not None
    assert loud.source_loudness_lufs is not None
    assert quiet.source_loudness_lufs < -30 < -10 < loud.source_loudness_lufs
    assert quiet.loudness_lufs == pytest.approx(-16.0, abs=0.5)
    assert loud.loudness_lufs == pytest.approx(-16.0, abs=0.5)


def test_silence_is_kept_as_is() -> None:
    result = transcode(tone(440, 1.0, "wav", amplitude=0.0), LIMITS)

    assert result.loudness_lufs is None
    assert result.duration_seconds == pytest.approx(1.0, abs=0.01)


def test_text_file_named_mp3_is_refused() -> None:
    text = b"ID3 this is not a sound, just some text that was renamed to song.mp3\n" * 50
    with pytest.raises(InvalidInput, match="not audio"):
        transcode(text, LIMITS)


def test_image_is_refused_even_though_ffmpeg_can_read_it() -> None:
    frame = av.VideoFrame(16, 16, "rgb24")
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="image2pipe") as output:
        stream = output.add_stream("png")
        stream.width = stream.height = 16
        stream.pix_fmt = "rgb24"
        output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    with pytest.raises(InvalidInput, match="not audio"):
        transcode(buffer.getvalue(), LIMITS)


def test_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        transcode(b"", LIMITS)


def test_oversized_file_is_refused_before_decoding() -> None:
    with pytest.raises(InvalidInput, match=r"2\.0 MB"):
        transcode(b"\0" * (LIMITS.max_bytes + 1), LIMITS)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (2 * MB + 1, "is 2.0 MB (2,097,153 bytes); the limit is 2.0 MB (2,097,152 bytes)."),
        (2 * MB + MB // 25, "is 2.0 MB (2,139,095 bytes); the limit is 2.0 MB (2,097,152 bytes)."),
        (3 * MB, "is 3.0 MB; the limit is 2.0 MB."),
    ],
)
def test_the_size_message_never_shows_an_oversized_file_as_the_limit(
    size: int, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_size(size, LIMITS, "over.mp3")
    assert str(caught.value).startswith(f"over.mp3 {message}")


@pytest.mark.parametrize("kind", ["wav", "mp3", "ogg"])
def test_overlong_sound_is_refused(kind: str) -> None:
    with pytest.raises(InvalidInput, match=r"6\.0 s long; the limit is 5 s"):
        transcode(tone(440, 6.0, kind, sample_rate=8000), LIMITS)


async def test_transcode_upload_runs_off_the_event_loop() -> None:
    result = await transcode_upload(tone(440, 1.0, "mp3"), LIMITS)

    assert result.duration_seconds == pytest.approx(1.0, abs=0.01)
