"""``python -m bot demo``: the emulator and the bot in one process; a member schedules a sound."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.app import CarillonBot
from bot.audio.tones import tone
from bot.config import (
    Config,
    DatabaseConfig,
    DiscordConfig,
    SoundsConfig,
    VoiceConfig,
    WebConfig,
)
from bot.container import DEFAULT_EXTENSIONS, build_bot
from bot.db.migrate import upgrade
from bot.emulator import Actor, CapturedAudio, Channel, Emulator, Guild, Reply
from bot.emulator.render import render_message
from bot.models import TaskType
from bot.web.server import WebServer

Say = Callable[[str], None]
READY_TIMEOUT = 15.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=2.0, help="length of the sound (2)")
    parser.add_argument("--delay", type=float, default=3.0, help="schedule it this far ahead (3)")
    parser.add_argument("--verbose", action="store_true", help="show the bot's own log")
    parser.add_argument(
        "--web", action="store_true", help="then keep the dashboard open (Ctrl-C ends it)"
    )
    parser.add_argument("--port", type=int, default=8080, help="the dashboard's port (8080)")


def run(args: argparse.Namespace) -> int:
    level = logging.INFO if args.verbose else logging.CRITICAL
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web = WebDemo(port=args.port) if args.web else None
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(demo(seconds=args.seconds, delay=args.delay, say=print, web=web))
    return 0


@dataclass
class WebDemo:
    """``--web``: the dashboard on ``port`` (0: any free one), open for ``seconds`` (None:
    until interrupted) after the scripted session."""

    port: int = 8080
    seconds: float | None = None


async def demo(
    *, seconds: float = 2.0, delay: float = 3.0, say: Say = print, web: WebDemo | None = None
) -> int:
    """Run the scripted session; 0 when the sound was heard in the voice channel."""
    with tempfile.TemporaryDirectory(prefix="carillon-demo-") as scratch:
        async with Emulator() as emulator:
            return await _session(emulator, Path(scratch), seconds, delay, say, web)


def _web_config(emulator: Emulator, web: WebDemo | None) -> WebConfig:
    if web is None:
        return WebConfig()
    return WebConfig(
        enabled=True,
        port=web.port,
        secret=secrets.token_urlsafe(32),
        client_secret=emulator.oauth.client_secret,
    )


async def _keep_dashboard_open(
    bot: CarillonBot, emulator: Emulator, member: Actor, web: WebDemo, say: Say
) -> None:
    assert isinstance(bot.web, WebServer)
    url = bot.web.url
    emulator.oauth.allow_redirect(f"{url}/auth/callback")
    emulator.oauth.consent_as(member.id)
    say(f"dashboard: open {url}/login to log in as {member.member.user.username}")
    if web.seconds is None:
        say("dashboard: Ctrl-C ends the demo")
        await asyncio.Event().wait()
    await asyncio.sleep(web.seconds)


async def _session(
    emulator: Emulator, scratch: Path, seconds: float, delay: float, say: Say, web: WebDemo | None
) -> int:
    guild = emulator.add_guild("Carillon Demo", owner_name="olivia")
    general = emulator.add_text_channel(guild, "general")
    lounge = emulator.add_voice_channel(guild, "Lounge")
    alice = Actor(emulator, emulator.add_member(guild, "alice"), channel=general)
    say(f"emulator: REST {emulator.api_base_url}, gateway {emulator.gateway_url}")
    say(f"emulator: server '{guild.name}' with #general and the voice channel 'Lounge'")

    config = Config(
        discord=DiscordConfig(
            token=emulator.token,
            api_base_url=emulator.api_base_url,
            cdn_url=emulator.cdn_url,
            gateway_url=emulator.gateway_url,
        ),
        database=DatabaseConfig(url=f"sqlite+aiosqlite:///{scratch / 'carillon.db'}"),
        sounds=SoundsConfig(directory=str(scratch / "sounds")),
        voice=VoiceConfig(idle_disconnect_seconds=2.0),
        web=_web_config(emulator, web),
    )
    await upgrade(config.database.url)
    extensions = tuple(n for n in DEFAULT_EXTENSIONS if importlib.util.find_spec(n) is not None)
    bot = build_bot(
        config, extensions=extensions, connector=emulator.connector(), guild_ready_timeout=0.1
    )
    runner = asyncio.create_task(bot.start(emulator.token), name="carillon-demo-bot")
    try:
        await _wait_ready(bot, runner)
        say(f"bot: connected as {bot.user}, cogs loaded: {', '.join(extensions) or 'none yet'}")
        await _schedule(bot, emulator, alice, lounge, seconds, delay, say)
        expected = round(seconds / 0.02)
        audio = await emulator.wait_for_audio(
            guild, frames=int(expected * 0.9), idle=1.0, timeout=delay + seconds + 20
        )
        say(
            f"🔊 Lounge: Carillon joined and played {audio.duration:.2f} s of audio "
            f"({audio.frames} Opus frames){_frequency(audio)}"
        )
        for message in emulator.messages_in(general):
            say("#general Carillon: " + "\n    ".join(render_message(emulator, message)))
        if web is not None:
            await _keep_dashboard_open(bot, emulator, alice, web, say)
        return 0 if audio.frames else 1
    except TimeoutError as exc:
        say(f"demo: {exc}")
        return 1
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(runner, timeout=5)


async def _wait_ready(bot: CarillonBot, runner: asyncio.Task[None]) -> None:
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {ready, runner}, timeout=READY_TIMEOUT, return_when="FIRST_COMPLETED"
    )
    if ready not in done:
        ready.cancel()
        if runner in done:
            runner.result()
        raise TimeoutError(f"the bot was not ready after {READY_TIMEOUT:g}s")


async def _schedule(
    bot: CarillonBot,
    emulator: Emulator,
    alice: Actor,
    lounge: Channel,
    seconds: float,
    delay: float,
    say: Say,
) -> None:
    """Upload a 440 Hz bell and schedule it: by slash commands once those cogs exist."""
    data = tone(440.0, seconds)
    say("alice joins the voice channel 'Lounge'")
    await alice.join_voice(lounge)
    if {"cogs.sounds", "cogs.schedule"} <= set(bot.extensions):
        file = emulator.attachment("bell.wav", data, "audio/wav")
        say("alice> /sound upload file:bell.wav name:bell")
        _show(say, emulator, await alice.slash("sound upload", file=file, name="bell"))
        choices = await alice.autocomplete("schedule sound", focused="sound", sound="bell")
        when = f"in {delay:g} seconds"
        say(f"alice> /schedule sound sound:bell when:{when}")
        reply = await alice.slash("schedule sound", sound=choices[0].value, when=when)
        _show(say, emulator, reply)
        return
    services = bot.services
    guild: Guild = alice.guild
    sound = await services.sounds.upload(guild.id, alice.id, "bell", data)
    say(f"alice uploads 'bell' ({sound.duration_seconds:.1f} s)")
    due = services.clock.now() + timedelta(seconds=delay)
    task = await services.scheduler.create_task(
        "bell",
        TaskType.PLAY_SOUND,
        due,
        parameters={"sound_id": sound.id, "channel_id": lounge.id},
        user_id=alice.id,
        guild_id=guild.id,
    )
    at = due.strftime("%H:%M:%S UTC")
    say(f"alice schedules 'bell' in {delay:g} s: task {task.ref}, due at {at}")


def _show(say: Say, emulator: Emulator, reply: Reply) -> None:
    who = "Carillon (only you can see this)" if reply.ephemeral else "Carillon"
    lines = render_message(emulator, reply.message) if reply.message else ["(no answer)"]
    say(f"{who}: " + "\n    ".join(lines))


def _frequency(audio: CapturedAudio) -> str:
    try:
        hz = audio.dominant_frequency()
    except ImportError:  # numpy is a test extra
        return ""
    return f", strongest frequency {hz:.0f} Hz"
