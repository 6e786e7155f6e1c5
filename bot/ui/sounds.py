"""What members see of the sound library: embeds and autocomplete choices."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord import app_commands

from bot.audio.store import PlayableSound
from bot.errors import InsufficientCredits
from bot.models.sound import Sound
from bot.services.sounds import SoundService
from bot.ui import timestamps
from bot.ui.formatting import MAX_LINES_SHOWN, credits, kib, safe, seconds
from bot.voice.service import Started

log = logging.getLogger(__name__)

COLOUR = discord.Colour.blurple()
TASKS_SHOWN = 10


def cost_text(sound: Sound, default_cost: int) -> str:
    if sound.cost is None:
        return f"{credits(default_cost)} (server default)"
    return credits(sound.cost)


def choice_label(sound: Sound) -> str:
    """The name and length; a sound from the server's soundboard is marked (it plays natively)."""
    label = f"{sound.name} ({seconds(sound.duration_seconds)})"
    if sound.soundboard_sound_id is not None:
        label += f" · soundboard {sound.soundboard_emoji or '🔊'}"
    return label[:100]


def choices(sounds: Sequence[Sound]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices; the value is the name, which ``SoundService.find`` reads back."""
    return [app_commands.Choice(name=choice_label(s), value=s.name) for s in sounds]


async def sound_choices(
    library: SoundService, guild_id: int | None, text: str
) -> list[app_commands.Choice[str]]:
    """Every ``sound`` option's autocomplete: the server's sounds matching ``text``."""
    if guild_id is None:
        return []
    return choices(await library.autocomplete(guild_id, text))


def sound_embed(sound: Sound, default_cost: int, *, title: str | None = None) -> discord.Embed:
    embed = discord.Embed(title=title or f"🔔 {safe(sound.name)}", colour=COLOUR)
    if title:
        embed.description = f"**{safe(sound.name)}**"
    embed.add_field(name="Duration", value=seconds(sound.duration_seconds))
    embed.add_field(name="Cost to play", value=cost_text(sound, default_cost))
    embed.add_field(name="Size", value=kib(sound.size_bytes))
    embed.add_field(name="Uploaded by", value=f"<@{sound.uploader_id}>")
    embed.add_field(name="Uploaded", value=timestamps.full_and_relative(sound.created_at))
    if sound.soundboard_sound_id is not None:
        embed.add_field(
            name="Soundboard",
            value=f"{sound.soundboard_emoji or '🔊'} on the server's soundboard: plays natively",
        )
    embed.set_footer(text=f"Sound #{sound.id} · play it with /sound play")
    return embed


def uploaded_embed(sound: Sound, default_cost: int) -> discord.Embed:
    embed = sound_embed(sound, default_cost, title="✅ Sound uploaded")
    embed.colour = discord.Colour.green()
    return embed


def list_embed(
    guild_name: str,
    sounds: Sequence[Sound],
    total: int,
    default_cost: int,
    *,
    matching: str | None = None,
) -> discord.Embed:
    embed = discord.Embed(title=f"🔔 Sounds in {safe(guild_name, 100)}", colour=COLOUR)
    if not sounds:
        embed.description = (
            f"No sound name contains “{safe(matching.strip())}”. See `/sound list`."
            if matching and matching.strip()
            else "No sounds yet. Upload one with `/sound upload`."
        )
        return embed
    lines = [
        f"**{safe(s.name)}** · {seconds(s.duration_seconds)} · {cost_text(s, default_cost)}"
        for s in sounds[:MAX_LINES_SHOWN]
    ]
    embed.description = "\n".join(lines)[:4000]
    shown = min(len(sounds), MAX_LINES_SHOWN)
    footer = f"{total} sounds" if total != 1 else "1 sound"
    if total > shown:
        footer = f"Showing {shown} of {total} sounds · narrow the list with its sound option"
    embed.set_footer(text=footer)
    return embed


def short_of_credits(name: str, short: InsufficientCredits) -> str:
    return (
        f"Playing **{safe(name)}** costs {credits(short.cost)} and you have "
        f"{credits(short.balance)}. Credits come back with the next recharge, or an admin "
        "can grant some."
    )


def play_answer(sound: PlayableSound, where: str, started: Started) -> str:
    """The answer to ``/sound play``: playing, played, or waiting its turn."""
    name = safe(sound.name)
    cost = f" ({credits(sound.cost)})" if sound.cost else ""
    if started.state == "queued":
        return (
            f"⏳ **{name}** will play in {where} after what plays now"
            f" ({started.waiting} waiting){cost}."
        )
    verb = "Played" if started.state == "played" else "Playing"
    return f"▶️ {verb} **{name}** in {where}{cost}."
