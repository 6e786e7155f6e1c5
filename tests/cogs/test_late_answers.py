"""Answers that come after the interaction's token expired reach the member in the channel."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.emulator import Message
from bot.models.scheduled_task import TaskType
from tests.cogs.conftest import App
from tests.support.library import CONTENT_TYPES, stored, tone_file, upload
from tests.support.library import extensions as extensions

LIFETIME = 2.0

pytestmark = pytest.mark.emulator(token_lifetime=LIFETIME)


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def _refused_follow_ups(app: App) -> list[str]:
    return [str(r) for r in app.emulator.requests if r.status == 401]


async def test_a_queued_play_that_fails_after_the_token_expired_is_told_in_the_channel(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    world = app.world
    await upload(app, world.alice, "low", frequency=330, seconds=LIFETIME + 1.0)
    await upload(app, world.alice, "gold", frequency=660, seconds=0.4, cost=20)
    await world.alice.join_voice(world.lounge)
    await world.bob.join_voice(world.lounge)

    first = await world.alice.slash("sound play", sound="low")
    await first.wait_until_ready(timeout=10)
    queued = await world.bob.slash("sound play", sound="gold")
    await queued.wait_until_ready(timeout=10)
    broke = await world.bob.slash("sound play", sound="gold")
    await broke.wait_until_ready(timeout=10)

    def told(message: Message) -> bool:
        return "not enough credits" in message.content

    notice = await app.emulator.wait_for_message(world.general, told, timeout=15)

    assert broke.content.startswith("⏳ **gold** will play")
    assert notice.content.startswith(f"<@{world.bob.id}> ❌ not enough credits: this costs 20")
    assert notice.interaction_id is None
    assert len(broke.followups) == 1
    assert _refused_follow_ups(app) == [
        f"POST /webhooks/{app.emulator.application_id}/{broke.record.token} -> 401"
    ]
    assert _errors(caplog) == []


async def test_an_upload_answered_after_the_token_expired_is_told_in_the_channel(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    world = app.world
    file = app.emulator.attachment("bell.wav", tone_file(440, 0.5), CONTENT_TYPES["wav"])
    app.emulator.fail("POST /webhooks/*", delay=LIFETIME + 0.2)

    reply = await world.alice.slash("sound upload", file=file, settle=None)

    def told(message: Message) -> bool:
        return any(embed.get("title") == "✅ Sound uploaded" for embed in message.embeds)

    notice = await app.emulator.wait_for_message(world.general, told, timeout=15)
    assert notice.content == f"<@{world.alice.id}>"
    assert reply.message is not None
    assert reply.message.loading
    assert (await stored(app, "bell")).name == "bell"
    assert len(_refused_follow_ups(app)) == 1
    assert _errors(caplog) == []


async def test_an_edit_after_the_token_expired_is_told_in_the_channel(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    world = app.world
    await upload(app, world.alice, "bell")
    sound = await stored(app, "bell")
    await app.services.scheduler.create_task(
        "morning bell",
        TaskType.PLAY_SOUND,
        app.clock.now() + timedelta(days=1),
        parameters={"sound_id": sound.id, "channel_id": world.lounge.id},
        user_id=world.bob.id,
        guild_id=world.guild.id,
    )
    asked = await world.alice.slash("sound delete", sound="bell")
    app.emulator.fail("PATCH /webhooks/*", delay=LIFETIME + 0.2)

    confirmed = await world.alice.click(asked, f"carillon:delsound:{sound.id}")
    notice = await app.emulator.wait_for_message(world.general, timeout=15)

    assert confirmed.content == "🗑️ Deleted the sound **bell**."
    assert notice.content == (
        f"<@{world.alice.id}> 🗑️ Deleted the sound **bell**. Told 1 member(s) whose tasks used it."
    )
    assert len(_refused_follow_ups(app)) == 1
    assert _errors(caplog) == []


async def test_where_the_channel_refuses_the_member_gets_a_dm(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    world = app.world
    file = app.emulator.attachment("bell.wav", tone_file(440, 0.5), CONTENT_TYPES["wav"])
    app.emulator.fail("POST /webhooks/*", delay=LIFETIME + 0.2)
    app.emulator.fail(f"POST /channels/{world.general.id}/messages", 403)

    await world.alice.slash("sound upload", file=file, settle=None)
    [dm] = await app.emulator.wait_for(lambda: app.emulator.dms_to(world.alice.member), timeout=15)

    assert dm.embeds[0]["title"] == "✅ Sound uploaded"
    assert app.emulator.messages_in(world.general) == []
    assert _errors(caplog) == []
