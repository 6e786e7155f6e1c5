"""The emulator's guild soundboards, spoken to by the real discord.py client: Discord's limits,
permissions and errors for creating sounds and sending them into a voice channel."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from bot.app import CarillonBot
from bot.audio.tones import tone
from bot.emulator import Emulator, Overwrite, Permission
from bot.emulator.soundboard import MAX_SOUND_BYTES
from tests.support.e2e import BotRunner, World, bots, world

__all__ = ["bots", "world"]


@pytest.fixture
async def bot(bots: BotRunner, world: World) -> CarillonBot:
    return await bots.start([])


def _guild(bot: CarillonBot, world: World) -> discord.Guild:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    return guild


def _voice(bot: CarillonBot, world: World) -> discord.VoiceChannel:
    channel = _guild(bot, world).get_channel(world.lounge.id)
    assert isinstance(channel, discord.VoiceChannel)
    return channel


async def _grant(emulator: Emulator, world: World, bot: CarillonBot, permissions: int) -> None:
    role = emulator.add_role(world.guild, "bot role", permissions=permissions)
    await emulator.set_roles(emulator.bot_member(world.guild), [role])
    guild = _guild(bot, world)
    await emulator.wait_for(lambda: guild.me.guild_permissions.value & permissions)


async def _sound(emulator: Emulator, world: World, bot: CarillonBot) -> discord.SoundboardSound:
    board = emulator.soundboard.add(world.guild, "quack", tone(700, 0.4, "mp3"), emoji_name="🦆")
    guild = _guild(bot, world)
    await emulator.wait_for(lambda: guild.get_soundboard_sound(board.id) is not None)
    sound = guild.get_soundboard_sound(board.id)
    assert sound is not None
    return sound


async def _join(emulator: Emulator, world: World, bot: CarillonBot, **state: Any) -> None:
    await _guild(bot, world).change_voice_state(channel=_voice(bot, world), **state)
    await emulator.wait_for(lambda: emulator.bot_voice_channel(world.guild) == world.lounge.id)


async def test_sounds_are_listed_cached_and_served_by_the_cdn(
    emulator: Emulator, world: World, bot: CarillonBot
) -> None:
    data = tone(700, 0.4, "mp3")
    sound = await _sound(emulator, world, bot)

    fetched = await _guild(bot, world).fetch_soundboard_sounds()

    assert [(s.id, s.name, str(s.emoji)) for s in fetched] == [(sound.id, "quack", "🦆")]
    assert await sound.read() == data
    assert sound.url.startswith(emulator.cdn_url)


async def test_send_sound_is_refused_as_discord_refuses_it(
    emulator: Emulator, world: World, bot: CarillonBot
) -> None:
    sound = await _sound(emulator, world, bot)
    channel = _voice(bot, world)

    with pytest.raises(discord.HTTPException) as not_in_channel:
        await channel.send_sound(sound)
    assert (not_in_channel.value.status, not_in_channel.value.code) == (400, 50168)

    await _join(emulator, world, bot, self_deaf=True)
    with pytest.raises(discord.Forbidden) as deafened:
        await channel.send_sound(sound)
    assert deafened.value.code == 50167

    await _join(emulator, world, bot, self_deaf=False)
    await emulator.server_voice(world.guild, emulator.bot_user.id, mute=True)
    with pytest.raises(discord.Forbidden) as muted:
        await channel.send_sound(sound)
    assert muted.value.code == 50167
    await emulator.server_voice(world.guild, emulator.bot_user.id, mute=False)

    bot_member = emulator.bot_member(world.guild)
    world.lounge.overwrites.append(
        Overwrite.for_member(bot_member, deny=int(Permission.USE_SOUNDBOARD))
    )
    with pytest.raises(discord.Forbidden) as no_permission:
        await channel.send_sound(sound)
    assert no_permission.value.code == 50013
    assert emulator.soundboard.sent == []


async def test_a_sent_sound_is_recorded_with_who_heard_it_and_an_effect_event(
    emulator: Emulator, world: World, bot: CarillonBot
) -> None:
    sound = await _sound(emulator, world, bot)
    await world.alice.join_voice(world.lounge)
    await _join(emulator, world, bot, self_deaf=False)
    effects: asyncio.Queue[discord.VoiceChannelEffect] = asyncio.Queue()
    bot.add_listener(effects.put, "on_voice_channel_effect")

    await _voice(bot, world).send_sound(sound)

    [sent] = emulator.soundboard.sent_in(world.guild)
    assert (sent.channel_id, sent.sound_id) == (world.lounge.id, sound.id)
    assert sent.heard_by == (world.alice.member.id,)
    effect = await asyncio.wait_for(effects.get(), timeout=5)
    assert effect.sound is not None
    assert effect.sound.id == sound.id
    assert effect.user is not None
    assert effect.user.id == emulator.bot_user.id


async def test_an_unknown_sound_is_refused(
    emulator: Emulator, world: World, bot: CarillonBot
) -> None:
    sound = await _sound(emulator, world, bot)
    await _join(emulator, world, bot)
    await emulator.soundboard.delete(world.guild.soundboard[sound.id])

    with pytest.raises(discord.NotFound) as unknown:
        await _voice(bot, world).send_sound(sound)
    assert unknown.value.code == 10097


async def test_creating_sounds_keeps_discords_limits(
    emulator: Emulator, world: World, bot: CarillonBot
) -> None:
    guild = _guild(bot, world)
    short = tone(500, 1.0, "mp3")
    with pytest.raises(discord.Forbidden) as no_permission:
        await guild.create_soundboard_sound(name="beep", sound=short)
    assert no_permission.value.code == 50013
    await _grant(emulator, world, bot, int(Permission.CREATE_EXPRESSIONS))

    for name, data in (
        ("b", short),
        ("b" * 33, short),
        ("too long", tone(500, 5.5, "mp3")),
        ("too big", b"ID3" + b"\x00" * MAX_SOUND_BYTES),
    ):
        with pytest.raises(discord.HTTPException) as refused:
            await guild.create_soundboard_sound(name=name, sound=data)
        assert (refused.value.status, refused.value.code) == (400, 50035), name

    created = await guild.create_soundboard_sound(name="beep", sound=short, emoji="🔔")
    assert (created.name, str(created.emoji)) == ("beep", "🔔")
    await emulator.wait_for(lambda: guild.get_soundboard_sound(created.id) is not None)
    for number in range(7):
        await guild.create_soundboard_sound(name=f"beep {number}", sound=short)
    with pytest.raises(discord.HTTPException) as full:
        await guild.create_soundboard_sound(name="one more", sound=short)
    assert full.value.code == 30045

    await created.delete()
    await emulator.wait_for(lambda: guild.get_soundboard_sound(created.id) is None)
    assert created.id not in world.guild.soundboard


async def test_sounds_there_before_the_bot_connects_come_with_the_guild(
    emulator: Emulator, world: World, bots: BotRunner
) -> None:
    board = emulator.soundboard.add(world.guild, "early", tone(600, 0.3, "mp3"))

    bot = await bots.start([])

    sound = _guild(bot, world).get_soundboard_sound(board.id)
    assert sound is not None
    assert sound.name == "early"


async def test_editing_a_sound_renames_it_and_refuses_a_bad_name(
    emulator: Emulator, world: World, bot: CarillonBot
) -> None:
    await _grant(emulator, world, bot, int(Permission.CREATE_EXPRESSIONS))
    guild = _guild(bot, world)
    created = await guild.create_soundboard_sound(name="beep", sound=tone(500, 0.5, "mp3"))

    renamed = await created.edit(name="boop")
    await emulator.wait_for(
        lambda: getattr(guild.get_soundboard_sound(created.id), "name", "") == "boop"
    )

    assert renamed.name == "boop"
    with pytest.raises(discord.HTTPException) as refused:
        await created.edit(name="b")
    assert refused.value.code == 50035
    others = emulator.soundboard.add(world.guild, "theirs", tone(500, 0.5, "mp3"))
    await emulator.wait_for(lambda: guild.get_soundboard_sound(others.id) is not None)
    theirs = guild.get_soundboard_sound(others.id)
    assert theirs is not None
    with pytest.raises(discord.Forbidden):
        await theirs.delete()  # another member's sound needs Manage Expressions
