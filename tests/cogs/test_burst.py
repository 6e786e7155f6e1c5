"""Fifty servers at once: scheduled plays post "now playing" and members' /sound play follow up,
all within Discord's rate limits (every 429 retried, every message delivered)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.audio.tones import tone
from bot.emulator import Actor, Channel, Message
from bot.emulator.ratelimits import Limit, RateLimitPolicy
from bot.models.scheduled_task import TaskType
from tests.cogs.conftest import App
from tests.support.app import move_clock

SERVERS = 50


def _now_playing(message: Message) -> bool:
    """A scheduled play's post, as it is now (it turns into "Played" when the play ends)."""
    titles = ("🔔 Now playing", "✅ Played", "⏹️ Stopped")
    return any(embed.get("title") in titles for embed in message.embeds)


def _ended(message: Message) -> bool:
    return any(embed.get("title") in ("✅ Played", "⏹️ Stopped") for embed in message.embeds)


async def _all_ended(app: App, posts: list[Message]) -> None:
    """Every post has turned to "Played": the edits that did it, 429s and retries included,
    are all done (checking before them would count a retry still waiting as never sent)."""
    await app.emulator.wait_for(
        lambda: all(_ended(app.emulator.messages[post.id]) for post in posts),
        timeout=30,
        what="every play's post to say it ended",
    )


def _welcome(message: Message) -> bool:
    return any(embed.get("title") == "🔔 Carillon" for embed in message.embeds)


async def _server(app: App, index: int) -> tuple[Channel, Actor]:
    emulator = app.emulator
    guild = emulator.add_guild(f"server {index}", text_channels=("general",))
    text = guild.channel_named("general")
    await emulator.wait_for_message(text, _welcome, timeout=30)
    voice = emulator.add_voice_channel(guild, "Lounge")
    member = emulator.actor(emulator.add_member(guild, f"member-{index}"), channel=text)
    await emulator.wait_for(lambda: app.bot.get_channel(voice.id) is not None, what="the guild")
    await member.join_voice(voice)
    sound = await app.services.sounds.upload(
        guild.id, member.id, "chime", tone(440 + index, 1.0, "wav"), cost=0
    )
    await app.services.scheduler.create_task(
        f"chime {index}",
        TaskType.PLAY_SOUND,
        app.clock.now() + timedelta(minutes=1),
        parameters={"sound_id": sound.id, "channel_id": voice.id, "text_channel_id": text.id},
        user_id=member.id,
        guild_id=guild.id,
    )
    return text, member


async def _burst(app: App) -> list[Message]:
    """Every server's task falls due as every member runs /sound play; the posts, once each."""
    emulator = app.emulator
    servers = await asyncio.gather(*(_server(app, i) for i in range(SERVERS)))

    move_clock(app, app.clock.now() + timedelta(minutes=1))
    replies = await asyncio.gather(
        *(member.slash("sound play", sound="chime", settle=20) for _, member in servers)
    )
    posts = await asyncio.gather(
        *(emulator.wait_for_message(text, _now_playing, timeout=30) for text, _ in servers)
    )

    assert all(r.content.startswith(("⏳ **chime**", "▶️")) for r in replies), replies
    # Besides the welcome posted when the bot joined the server (``/help``'s embed).
    assert all(
        len([m for m in emulator.messages_in(text) if _now_playing(m)]) == 1 for text, _ in servers
    )
    return posts


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_fifty_servers_at_once_get_no_429(app: App, caplog: pytest.LogCaptureFixture) -> None:
    posts = await _burst(app)
    await _all_ended(app, posts)

    assert len(posts) == SERVERS
    assert app.emulator.rate_limited() == []
    assert _errors(caplog) == []


@pytest.mark.emulator(rate_limits=RateLimitPolicy(global_limit=Limit(10, 1.0)))
async def test_where_the_global_limit_bites_each_429_is_waited_out_and_retried(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    posts = await _burst(app)
    await _all_ended(app, posts)

    assert len(posts) == SERVERS
    limited = app.emulator.rate_limited()
    assert limited
    assert {r.limited for r in limited} == {"global"}
    assert app.emulator.unretried_429s() == []
    assert _errors(caplog) == []
