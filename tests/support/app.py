"""Helpers for the scheduling and admin cog tests: sounds, a restart on the same database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from bot.app import CarillonBot
from bot.audio.tones import tone
from bot.clock import FakeClock
from bot.config import Config
from bot.container import build_bot
from bot.emulator import Actor, Emulator, Reply
from bot.models.sound import Sound
from tests.cogs.conftest import READY_TIMEOUT, App
from tests.support.e2e import GUILD_READY_TIMEOUT, World


async def add_sound(app: App, name: str = "bell", seconds: float = 0.3) -> Sound:
    world = app.world
    return await app.services.sounds.upload(
        world.guild.id, world.admin.id, name, tone(440, seconds, "wav")
    )


_TASK_BUTTON = re.compile(r"carillon:(?:cancel|pause|resume|skip):(\d+)")


def task_id_from(reply: Reply) -> int:
    """The task's global id, from its buttons (the footer shows its number in the server)."""
    for custom_id in reply.custom_ids:
        if match := _TASK_BUTTON.fullmatch(custom_id):
            return int(match[1])
    raise AssertionError(f"no task button on {reply!r}")


def task_number_from(reply: Reply) -> int:
    """The task's number in the server, as its footer shows it."""
    footer = reply.embeds[0]["footer"]["text"]
    return int(footer.split("#", 1)[1].split(" ", 1)[0])


@asynccontextmanager
async def running_bot(
    emulator: Emulator, world: World, config: Config, clock: FakeClock, extensions: tuple[str, ...]
) -> AsyncIterator[CarillonBot]:
    """Another bot process object on the same database and emulator."""
    bot = build_bot(
        config,
        clock=clock,
        extensions=extensions,
        connector=emulator.connector(),
        guild_ready_timeout=GUILD_READY_TIMEOUT,
    )
    runner = asyncio.create_task(bot.start(config.discord.token or ""))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), READY_TIMEOUT)
        yield bot
    finally:
        await bot.close()
        with suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(runner, timeout=5)


async def add_playlist(app: App, name: str, sounds: list[str]) -> int:
    world = app.world
    playlist = await app.services.playlists.create(world.guild.id, world.admin.id, name)
    for sound_name in sounds:
        sound = await add_sound(app, sound_name)
        await app.services.playlists.add(
            world.guild.id, playlist.id, sound.id, actor_id=world.admin.id, is_admin=True
        )
    return playlist.id


async def schedule(
    app: App, actor: Actor, when: str, *, sound: str = "bell", **options: object
) -> int:
    """``/schedule sound`` in the Lounge as ``actor``; the new task's id."""
    reply = await actor.slash(
        "schedule sound", sound=sound, when=when, options={"channel": app.world.lounge, **options}
    )
    assert not reply.ephemeral, reply.content
    return task_id_from(reply)


def move_clock(app: App, when: datetime) -> None:
    """Jump the FakeClock; the wake covers a dispatcher that was between passes at the jump."""
    app.clock.set(when)
    app.services.scheduler.dispatcher.wake()


async def wait_for_runs(app: App, task_id: int, count: int, seconds: float = 10.0) -> None:
    """Wait (real time, for the bot's own work) until ``count`` runs of the task finished."""
    scheduler = app.services.scheduler
    for _ in range(int(seconds / 0.05)):
        runs = await scheduler.get_task_runs(task_id, limit=100)
        if len([r for r in runs if r.finished_at is not None]) >= count:
            return
        await asyncio.sleep(0.05)
    task = await scheduler.get_task(task_id)
    raise AssertionError(f"task {task_id} did not run {count} times: {task!r}")


async def number(app: App, task_id: int) -> str:
    """What a member types for the task: its number in the server."""
    task = await app.services.scheduler.get_task(task_id)
    assert task is not None
    assert task.number is not None
    return str(task.number)
