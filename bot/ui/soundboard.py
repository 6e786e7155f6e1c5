"""What members see of the soundboard: import results, and how a scheduled sound will play."""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord import app_commands

from bot.errors import InvalidInput, NotFound
from bot.models.scheduled_task import ScheduledTask
from bot.services.soundboard import Imported, ImportOutcome, SoundboardSource
from bot.services.sounds import SoundService, TaskUse
from bot.ui.formatting import safe
from bot.voice.native import NativeUnavailable, soundboard_sound_for

ALL = "*"
MAX_LINES = 20


def source_of(sound: discord.SoundboardSound) -> SoundboardSource:
    """What an import needs of a soundboard sound; its file comes from Discord's CDN."""

    async def read() -> bytes:
        try:
            return await sound.read()
        except discord.DiscordException as exc:
            raise InvalidInput(f"Could not download {sound.name!r} ({exc}). Try again.") from None

    emoji = str(sound.emoji) if sound.emoji is not None else None
    return SoundboardSource(sound.id, sound.name, emoji, read)


def import_choices(
    sounds: Sequence[discord.SoundboardSound], imported: set[int], current: str
) -> list[app_commands.Choice[str]]:
    """The server's soundboard sounds matching ``current`` (already imported ones marked),
    after an entry for all of them."""
    text = current.strip().casefold()
    found = [s for s in sounds if text in s.name.casefold()]
    choices = []
    if sounds and (not text or text in "all"):
        choices.append(app_commands.Choice(name=f"All {len(sounds)} soundboard sounds", value=ALL))
    for sound in found[:24]:
        emoji = f"{sound.emoji} " if sound.emoji is not None else ""
        mark = " · in the library" if sound.id in imported else ""
        choices.append(
            app_commands.Choice(name=f"{emoji}{sound.name}{mark}"[:100], value=str(sound.id))
        )
    return choices


def unlinked_notice(sound_name: str, tasks: Sequence[TaskUse]) -> str:
    """For the channel of tasks that play a sound removed from the soundboard."""
    shown = ", ".join(f"{t.ref} **{safe(t.name)}**" for t in tasks[:10])
    more = f" and {len(tasks) - 10} more" if len(tasks) > 10 else ""
    return (
        f"ℹ️ **{safe(sound_name)}** was removed from the server's soundboard. Nothing breaks: "
        f"{shown}{more} keep playing it from the library copy, streamed instead of natively."
    )


def import_summary(results: Sequence[Imported]) -> str:
    lines = []
    for result in results[:MAX_LINES]:
        source = safe(result.source_name)
        sound = result.sound
        name = safe(sound.name) if sound is not None else source
        emoji = f"{sound.soundboard_emoji} " if sound is not None and sound.soundboard_emoji else ""
        if result.outcome is ImportOutcome.IMPORTED:
            renamed = f" as **{name}** (the name was taken)" if name != source else ""
            lines.append(f"✅ Imported {emoji}**{source}**{renamed}.")
        elif result.outcome is ImportOutcome.UPDATED:
            lines.append(f"🔄 Updated {emoji}**{name}**: its soundboard file changed.")
        elif result.outcome is ImportOutcome.UNCHANGED:
            lines.append(f"↩️ {emoji}**{name}** is in the library already, unchanged.")
        else:
            lines.append(f"⚠️ **{source}** was not imported: {result.error}")
    if len(results) > MAX_LINES:
        lines.append(f"… and {len(results) - MAX_LINES} more.")
    new = sum(r.outcome is ImportOutcome.IMPORTED for r in results)
    if new:
        lines.append("Schedule them with `/schedule sound`; they play natively where I may.")
    return "\n".join(lines)


async def native_note(
    interaction: discord.Interaction, sounds: SoundService, task: ScheduledTask
) -> str | None:
    """For a scheduled soundboard sound: whether it will play natively, or why it will stream."""
    guild = interaction.guild
    sound_id = task.parameters.get("sound_id")
    if guild is None or not isinstance(sound_id, int):
        return None
    try:
        sound = await sounds.get(guild.id, sound_id)
    except NotFound:
        return None
    if sound.soundboard_sound_id is None:
        return None
    if not task.parameters.get("native"):
        return "ℹ️ This soundboard sound will be streamed, as asked (`native: False`)."
    channel = guild.get_channel(int(task.parameters.get("channel_id") or 0))
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        return None
    playable = sounds.as_playable(sound, default_cost=0)
    try:
        soundboard_sound_for(channel, playable)
    except NativeUnavailable as exc:
        return f"ℹ️ It will be streamed instead of played natively: {exc}."
    return "🔊 It will play natively, through the server's soundboard."
