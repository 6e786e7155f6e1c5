"""Helpers for the cog tests: which cogs they load, and sounds uploaded as a member would."""

from __future__ import annotations

import functools

import pytest

from bot.audio.tones import tone
from bot.emulator import Actor, Reply
from bot.models.sound import Sound
from tests.cogs.conftest import App

MY_COGS = ("cogs.sounds", "cogs.playlists", "cogs.credits", "cogs.settings")


@pytest.fixture
def extensions() -> tuple[str, ...]:
    """Import into a test module to load only the library, credits and settings cogs."""
    return MY_COGS


CONTENT_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg"}
UPLOAD_TIMEOUT = 15.0


@functools.cache
def tone_file(frequency: float, seconds: float, kind: str = "wav") -> bytes:
    return tone(frequency, seconds, kind)


async def upload(
    app: App,
    actor: Actor,
    name: str,
    *,
    frequency: float = 440,
    seconds: float = 0.5,
    kind: str = "wav",
    **options: object,
) -> Reply:
    """``/sound upload`` with a generated tone, waiting for the deferred answer."""
    file = app.emulator.attachment(
        f"{name}.{kind}", tone_file(frequency, seconds, kind), CONTENT_TYPES[kind]
    )
    reply = await actor.slash("sound upload", file=file, name=name, **options)
    return await reply.wait_until_ready(timeout=UPLOAD_TIMEOUT)


async def stored(app: App, name: str) -> Sound:
    return await app.services.sounds.find(app.world.guild.id, name)
