"""What members see of playlists: the list, one playlist's sounds, autocomplete labels."""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord import app_commands

from bot.models.sound import Playlist, Sound
from bot.services.playlists import PlaylistService, PlaylistView
from bot.ui.formatting import MAX_LINES_SHOWN, safe, seconds

COLOUR = discord.Colour.purple()


def choice_label(playlist: Playlist) -> str:
    return playlist.name[:100]


async def playlist_choices(
    playlists: PlaylistService, guild_id: int | None, text: str
) -> list[app_commands.Choice[str]]:
    """Every ``playlist`` option's autocomplete: the server's playlists matching ``text``."""
    if guild_id is None:
        return []
    found = await playlists.autocomplete(guild_id, text)
    return [app_commands.Choice(name=choice_label(p), value=p.name) for p in found]


def item_choice_label(position: int, sound: Sound) -> str:
    return f"{position}. {sound.name} ({seconds(sound.duration_seconds)})"[:100]


def playlist_embed(
    view: PlaylistView,
    *,
    title: str | None = None,
    first: int = 0,
    count: int = MAX_LINES_SHOWN,
) -> discord.Embed:
    """The playlist and its sounds ``first`` to ``first + count`` (a page of them)."""
    playlist = view.playlist
    embed = discord.Embed(title=title or f"🎶 {safe(playlist.name)}", colour=COLOUR)
    if title:
        embed.title = f"{title}: {safe(playlist.name)}"
    if not view.sounds:
        embed.description = "No sounds yet. Add some with `/playlist add`."
    else:
        lines = [
            f"`{n:>2}.` **{safe(s.name)}** · {seconds(s.duration_seconds)}"
            for n, s in enumerate(view.sounds[first : first + count], start=first + 1)
        ]
        if len(view.sounds) > first + count and count == MAX_LINES_SHOWN:
            lines.append(f"… and {len(view.sounds) - first - count} more")
        embed.description = "\n".join(lines)[:4000]
    count = len(view.sounds)
    sounds = "1 sound" if count == 1 else f"{count} sounds"
    embed.add_field(name="Length", value=f"{sounds}, {seconds(view.duration_seconds)}")
    embed.add_field(name="Owner", value=f"<@{playlist.owner_id}>")
    embed.set_footer(text=f"Playlist #{playlist.id} · schedule it with /schedule playlist")
    return embed


def list_embed(guild_name: str, playlists: Sequence[tuple[Playlist, int]]) -> discord.Embed:
    embed = discord.Embed(title=f"🎶 Playlists in {safe(guild_name, 100)}", colour=COLOUR)
    if not playlists:
        embed.description = "No playlists yet. Create one with `/playlist create`."
        return embed
    lines = [
        f"**{safe(p.name)}** · {count} sound{'s' if count != 1 else ''} · <@{p.owner_id}>"
        for p, count in playlists[:MAX_LINES_SHOWN]
    ]
    embed.description = "\n".join(lines)[:4000]
    return embed
