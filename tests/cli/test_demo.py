"""``python -m bot demo`` plays a scheduled sound through the emulator and says so."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from bot.cli.demo import WebDemo, demo


async def test_demo_plays_the_scheduled_sound() -> None:
    lines: list[str] = []

    status = await demo(seconds=1.0, delay=1.0, say=lines.append)

    assert status == 0, lines
    heard = next(line for line in lines if line.startswith("🔊 Lounge"))
    assert "strongest frequency 440 Hz" in heard
    assert "(50 Opus frames)" in heard or "(51 Opus frames)" in heard


async def test_demo_web_prints_a_url_that_logs_in_as_the_demo_member() -> None:
    lines: list[str] = []
    demo_task = asyncio.create_task(
        demo(seconds=0.5, delay=1.0, say=lines.append, web=WebDemo(port=0, seconds=30))
    )
    for _ in range(600):
        if any(line.startswith("dashboard: open ") for line in lines) or demo_task.done():
            break
        await asyncio.sleep(0.05)
    try:
        line = next(line for line in lines if line.startswith("dashboard: open "))
        url = line.split()[2]
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            page = await browser.get(url)
            assert page.status_code == 200, page.text
            assert "Your servers" in page.text
            assert "Carillon Demo" in page.text
    finally:
        demo_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await demo_task
