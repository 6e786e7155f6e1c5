"""``python -m bot demo`` plays a scheduled sound through the emulator and says so."""

from __future__ import annotations

from bot.cli.demo import demo


async def test_demo_plays_the_scheduled_sound() -> None:
    lines: list[str] = []

    status = await demo(seconds=1.0, delay=1.0, say=lines.append)

    assert status == 0, lines
    heard = next(line for line in lines if line.startswith("🔊 Lounge"))
    assert "strongest frequency 440 Hz" in heard
    assert "(50 Opus frames)" in heard or "(51 Opus frames)" in heard
