"""``/sound upload|list|info|play|rename|delete``."""

from __future__ import annotations

from pathlib import PurePath

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InsufficientCredits, InvalidInput, LimitReached
from bot.services.bundle import Services
from bot.ui import deletion as deletion_ui
from bot.ui import sounds as ui
from bot.ui.checks import is_admin
from bot.ui.errors import reply_error
from bot.ui.followups import send_followup
from bot.ui.formatting import safe
from bot.ui.line_pages import render, sound_filter
from bot.voice.play import PlayRequest
from cogs.sounds._soundboard import SoundboardCommands

MAX_COST = 1_000_000
MAX_NAME_LENGTH = 64


def _guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage
    return interaction.guild_id


@app_commands.guild_only()
class SoundLibrary(
    SoundboardCommands,
    commands.GroupCog,
    group_name="sound",
    group_description="The server's sounds",
):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def _default_cost(self, guild_id: int) -> int:
        return int((await self.services.settings.guild(guild_id)).default_sound_cost)

    @app_commands.command(description="Add a sound to this server (MP3, WAV, Ogg, FLAC, M4A)")
    @app_commands.describe(
        file="The audio file",
        name="What to call it (default: the file's name)",
        cost="Credits a play costs (default: the server's default cost)",
    )
    async def upload(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        cost: app_commands.Range[int, 0, MAX_COST] | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        sounds = self.services.sounds
        sounds.check_upload_size(file.size, safe(file.filename))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            raise InvalidInput(
                f"Could not download {safe(file.filename)} ({exc}). Try again."
            ) from None
        sound = await sounds.upload(
            guild_id,
            interaction.user.id,
            name or PurePath(file.filename).stem[:MAX_NAME_LENGTH],
            data,
            cost=cost,
        )
        embed = ui.uploaded_embed(sound, await self._default_cost(guild_id))
        await send_followup(interaction, embed=embed)

    @app_commands.command(name="list", description="The sounds of this server")
    @app_commands.describe(sound="Only sounds whose name contains this")
    async def list_(self, interaction: discord.Interaction, sound: str | None = None) -> None:
        _guild_id(interaction)
        embed, view = await render(interaction, "sounds", 0, 0, matching=sound_filter(sound))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(description="Details of a sound")
    @app_commands.describe(sound="The sound")
    async def info(self, interaction: discord.Interaction, sound: str) -> None:
        guild_id = _guild_id(interaction)
        found = await self.services.sounds.find(guild_id, sound)
        embed = ui.sound_embed(found, await self._default_cost(guild_id))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(description="Play a sound now in a voice channel (costs credits)")
    @app_commands.describe(
        sound="The sound", channel="Where to play it (default: your current voice channel)"
    )
    async def play(
        self,
        interaction: discord.Interaction,
        sound: str,
        channel: discord.VoiceChannel | discord.StageChannel | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        found = await self.services.sounds.find(guild_id, sound)
        target = channel or _current_voice_channel(interaction.user)
        if target is None:
            raise InvalidInput("Join a voice channel first, or pick one with the `channel` option.")
        request = PlayRequest(
            guild_id,
            target.id,
            interaction.user.id,
            sound_id=found.id,
            text_channel_id=interaction.channel_id,
        )
        player = self.services.player
        try:
            playable = await player.check_play_now(request, interaction.user)
        except InsufficientCredits as short:
            raise LimitReached(ui.short_of_credits(found.name, short)) from None
        await interaction.response.defer(ephemeral=True, thinking=True)

        async def tell(text: str) -> None:
            await reply_error(interaction, text)

        started = await player.play_now(request, tell)
        await send_followup(interaction, ui.play_answer(playable, target.mention, started))

    @app_commands.command(description="Rename a sound (its uploader or an admin)")
    @app_commands.describe(sound="The sound", name="Its new name")
    async def rename(
        self,
        interaction: discord.Interaction,
        sound: str,
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
    ) -> None:
        guild_id = _guild_id(interaction)
        found = await self.services.sounds.find(guild_id, sound)
        renamed = await self.services.sounds.rename(
            guild_id,
            found.id,
            name,
            actor_id=interaction.user.id,
            is_admin=await is_admin(interaction),
        )
        await interaction.response.send_message(
            f"✏️ Renamed **{safe(found.name)}** to **{safe(renamed.name)}**.", ephemeral=True
        )

    @app_commands.command(description="Delete a sound (its uploader or an admin)")
    @app_commands.describe(sound="The sound")
    async def delete(self, interaction: discord.Interaction, sound: str) -> None:
        guild_id = _guild_id(interaction)
        found = await self.services.sounds.find(guild_id, sound)
        deletion = await self.services.sounds.delete(
            guild_id,
            found.id,
            actor_id=interaction.user.id,
            is_admin=await is_admin(interaction),
        )
        await deletion_ui.answer(interaction, "sound", found.id, deletion)

    @list_.autocomplete("sound")
    @info.autocomplete("sound")
    @play.autocomplete("sound")
    @rename.autocomplete("sound")
    @delete.autocomplete("sound")
    async def _sound_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await ui.sound_choices(self.services.sounds, interaction.guild_id, current)


def _current_voice_channel(
    user: discord.Member | discord.User,
) -> discord.VoiceChannel | discord.StageChannel | None:
    voice = user.voice if isinstance(user, discord.Member) else None
    channel = voice.channel if voice is not None else None
    return channel if isinstance(channel, discord.VoiceChannel | discord.StageChannel) else None
