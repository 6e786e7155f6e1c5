"""``/playlist create|add|remove|move|show|list|delete``."""

from __future__ import annotations

import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import CarillonError, InvalidInput
from bot.models.sound import Playlist
from bot.services.bundle import Services
from bot.services.playlists import MAX_PLAYLIST_ITEMS, PlaylistView
from bot.ui import deletion as deletion_ui
from bot.ui import playlists as ui
from bot.ui import sounds as sounds_ui
from bot.ui.checks import is_admin
from bot.ui.formatting import safe
from bot.ui.line_pages import render

# What the `sound` autocomplete of remove and move sends: a position in the playlist.
_POSITION = re.compile(r"^#([0-9]{1,4})$")

Position = app_commands.Range[int, 1, MAX_PLAYLIST_ITEMS]


def _guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage
    return interaction.guild_id


@app_commands.guild_only()
class Playlists(commands.GroupCog, group_name="playlist", group_description="Playlists of sounds"):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def _find(self, interaction: discord.Interaction, text: str) -> Playlist:
        return await self.services.playlists.find(_guild_id(interaction), text)

    async def _position_of(self, view: PlaylistView, text: str) -> int:
        """The position ``text`` names: ``#3`` from autocomplete, or a sound's first place."""
        playlist = view.playlist
        if match := _POSITION.match(text.strip()):
            position = int(match[1])
            if 1 <= position <= len(view.sounds):
                return position
        sound = await self.services.sounds.find(playlist.guild_id, text)
        for position, item in enumerate(view.sounds, start=1):
            if item.id == sound.id:
                return position
        raise InvalidInput(
            f"**{safe(sound.name)}** is not in **{safe(playlist.name)}**. "
            "See `/playlist show` for its sounds."
        )

    async def _send(self, interaction: discord.Interaction, view: PlaylistView, title: str) -> None:
        await interaction.response.send_message(
            embed=ui.playlist_embed(view, title=title), ephemeral=True
        )

    @app_commands.command(description="Create an empty playlist")
    @app_commands.describe(playlist="Its name")
    async def create(
        self, interaction: discord.Interaction, playlist: app_commands.Range[str, 1, 64]
    ) -> None:
        created = await self.services.playlists.create(
            _guild_id(interaction), interaction.user.id, playlist
        )
        await interaction.response.send_message(
            f"🎶 Created the playlist **{safe(created.name)}**. Add sounds with `/playlist add`.",
            ephemeral=True,
        )

    @app_commands.command(description="Add a sound to a playlist (its owner or an admin)")
    @app_commands.describe(
        playlist="The playlist", sound="The sound to add", position="Where (default: the end)"
    )
    async def add(
        self,
        interaction: discord.Interaction,
        playlist: str,
        sound: str,
        position: Position | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        found = await self._find(interaction, playlist)
        added = await self.services.sounds.find(guild_id, sound)
        actor = {"actor_id": interaction.user.id, "is_admin": await is_admin(interaction)}
        view = await self.services.playlists.add(guild_id, found.id, added.id, **actor)
        last = len(view.sounds)
        if position is not None and position < last:
            view = await self.services.playlists.move(guild_id, found.id, last, position, **actor)
        await self._send(interaction, view, f"Added {safe(added.name)}")

    @app_commands.command(description="Take a sound out of a playlist (its owner or an admin)")
    @app_commands.describe(
        playlist="The playlist",
        sound="The sound to take out (its first place in the playlist)",
        position="Or its position (1 is the first)",
    )
    async def remove(
        self,
        interaction: discord.Interaction,
        playlist: str,
        sound: str | None = None,
        position: Position | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        found = await self._find(interaction, playlist)
        if sound is None and position is None:
            raise InvalidInput("Say which sound to remove: give `sound` or `position`.")
        if position is None:
            assert sound is not None
            current = await self.services.playlists.show(guild_id, found.id)
            position = await self._position_of(current, sound)
        view = await self.services.playlists.remove(
            guild_id,
            found.id,
            position,
            actor_id=interaction.user.id,
            is_admin=await is_admin(interaction),
        )
        await self._send(interaction, view, f"Removed #{position}")

    @app_commands.command(description="Move a sound to another position (its owner or an admin)")
    @app_commands.describe(
        playlist="The playlist", sound="The sound to move", position="Its new position (1 is first)"
    )
    async def move(
        self, interaction: discord.Interaction, playlist: str, sound: str, position: Position
    ) -> None:
        guild_id = _guild_id(interaction)
        found = await self._find(interaction, playlist)
        current = await self.services.playlists.show(guild_id, found.id)
        start = await self._position_of(current, sound)
        view = await self.services.playlists.move(
            guild_id,
            found.id,
            start,
            position,
            actor_id=interaction.user.id,
            is_admin=await is_admin(interaction),
        )
        await self._send(interaction, view, f"Moved #{start} to #{position}")

    @app_commands.command(description="The sounds of a playlist, in order")
    @app_commands.describe(playlist="The playlist")
    async def show(self, interaction: discord.Interaction, playlist: str) -> None:
        found = await self._find(interaction, playlist)
        embed, view = await render(interaction, "playlist", found.id, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="list", description="The playlists of this server")
    async def list_(self, interaction: discord.Interaction) -> None:
        _guild_id(interaction)
        embed, view = await render(interaction, "playlists", 0, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(description="Delete a playlist; its sounds stay (owner or admin)")
    @app_commands.describe(playlist="The playlist")
    async def delete(self, interaction: discord.Interaction, playlist: str) -> None:
        found = await self._find(interaction, playlist)
        deletion = await self.services.playlists.delete(
            found.guild_id,
            found.id,
            actor_id=interaction.user.id,
            is_admin=await is_admin(interaction),
        )
        await deletion_ui.answer(interaction, "playlist", found.id, deletion)

    @add.autocomplete("playlist")
    @remove.autocomplete("playlist")
    @move.autocomplete("playlist")
    @show.autocomplete("playlist")
    @delete.autocomplete("playlist")
    async def _playlist_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await ui.playlist_choices(self.services.playlists, interaction.guild_id, current)

    @add.autocomplete("sound")
    async def _library_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await sounds_ui.sound_choices(self.services.sounds, interaction.guild_id, current)

    @remove.autocomplete("sound")
    @move.autocomplete("sound")
    async def _item_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The chosen playlist's sounds by position, so duplicates can be told apart."""
        guild_id = interaction.guild_id
        chosen = getattr(interaction.namespace, "playlist", None)
        if guild_id is None or not chosen:
            return []
        try:
            playlist = await self.services.playlists.find(guild_id, str(chosen))
            view = await self.services.playlists.show(guild_id, playlist.id)
        except CarillonError:
            return []
        wanted = current.strip().casefold()
        choices = [
            app_commands.Choice(name=ui.item_choice_label(n, s), value=f"#{n}")
            for n, s in enumerate(view.sounds, start=1)
            if wanted in s.name.casefold() or wanted == f"#{n}"
        ]
        return choices[:25]
