"""Paged lists of lines: ``/sound list``, ``/playlist list`` and ``/playlist show``, with
Previous / Next that survive a restart (custom id ``carillon:lines:<list>:<ref>:<dir>:<page>``;
``ref`` is the playlist shown, 0 for the server's lists)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord

from bot.services.bundle import services_of
from bot.ui import playlists as playlist_ui
from bot.ui import sounds as sound_ui
from bot.ui.errors import Answering

LINES_PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class LinePage:
    page: int
    pages: int
    total: int

    @classmethod
    def of(cls, total: int, page: int) -> LinePage:
        pages = max(1, -(-total // LINES_PER_PAGE))
        return cls(min(max(page, 0), pages - 1), pages, total)

    @property
    def offset(self) -> int:
        return self.page * LINES_PER_PAGE

    def footer(self, noun: str) -> str:
        counted = f"{self.total} {noun}{'' if self.total == 1 else 's'}"
        return f"Page {self.page + 1}/{self.pages} · {counted}"


class LinesButton(
    Answering,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"carillon:lines:(?P<kind>sounds|playlists|playlist):(?P<ref>\d+):"
        r"(?P<dir>prev|next):(?P<page>\d+)"
    ),
):
    def __init__(self, kind: str, ref: int, direction: str, page: int, *, disabled: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Previous" if direction == "prev" else "Next",
                style=discord.ButtonStyle.secondary,
                custom_id=f"carillon:lines:{kind}:{ref}:{direction}:{page}",
                disabled=disabled,
            )
        )
        self.kind, self.ref, self.page = kind, ref, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> LinesButton:
        return cls(
            match["kind"], int(match["ref"]), match["dir"], int(match["page"]), disabled=False
        )

    async def pressed(self, interaction: discord.Interaction) -> None:
        embed, view = await render(interaction, self.kind, self.ref, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


def page_view(kind: str, ref: int, page: LinePage) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if page.pages > 1:
        view.add_item(
            LinesButton(kind, ref, "prev", max(page.page - 1, 0), disabled=page.page == 0)
        )
        last = page.page >= page.pages - 1
        view.add_item(
            LinesButton(kind, ref, "next", min(page.page + 1, page.pages - 1), disabled=last)
        )
    return view


async def render(
    interaction: discord.Interaction, kind: str, ref: int, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    """One page of the list ``kind`` in the interaction's server."""
    if interaction.guild_id is None:
        raise discord.app_commands.NoPrivateMessage
    guild_id = interaction.guild_id
    guild_name = interaction.guild.name if interaction.guild else "this server"
    services = services_of(interaction.client)
    if kind == "sounds":
        at = LinePage.of(await services.sounds.count(guild_id), page)
        sounds = await services.sounds.list(guild_id, limit=LINES_PER_PAGE, offset=at.offset)
        cost = int((await services.settings.guild(guild_id)).default_sound_cost)
        embed = sound_ui.list_embed(guild_name, sounds, at.total, cost)
        embed.set_footer(text=at.footer("sound"))
    elif kind == "playlists":
        at = LinePage.of(await services.playlists.count(guild_id), page)
        found = await services.playlists.list(guild_id, limit=LINES_PER_PAGE, offset=at.offset)
        embed = playlist_ui.list_embed(guild_name, found)
        embed.set_footer(text=at.footer("playlist"))
    else:
        shown = await services.playlists.show(guild_id, ref)
        at = LinePage.of(len(shown.sounds), page)
        embed = playlist_ui.playlist_embed(shown, first=at.offset, count=LINES_PER_PAGE)
        embed.set_footer(text=f"{at.footer('sound')} · {embed.footer.text}")
    return embed, page_view(kind, ref, at)
