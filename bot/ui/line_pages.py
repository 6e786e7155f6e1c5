"""Paged lists of lines: ``/sound list`` (whole or filtered), ``/playlist list`` and
``/playlist show``, with Previous / Next that survive a restart (custom id
``carillon:lines:<list>:<ref>:<dir>:<page>[:<filter>]``; ``ref`` is the playlist shown, 0 for
the server's lists; ``filter`` the text sound names contain, in its matching form)."""

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


def sound_filter(text: str | None) -> str | None:
    """The ``/sound list`` filter as names are matched (spaces collapsed, case folded);
    None lists every sound. Past a name's 64 characters it matches nothing, so no page of
    it needs a button (whose custom id could not hold it)."""
    matching = " ".join((text or "").split()).casefold()
    return matching or None


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
        r"(?P<dir>prev|next):(?P<page>\d+)(?::(?P<filter>.+))?"
    ),
):
    def __init__(
        self,
        kind: str,
        ref: int,
        direction: str,
        page: int,
        *,
        disabled: bool,
        matching: str | None = None,
    ) -> None:
        custom_id = f"carillon:lines:{kind}:{ref}:{direction}:{page}"
        if matching:
            custom_id += f":{matching}"
        super().__init__(
            discord.ui.Button(
                label="Previous" if direction == "prev" else "Next",
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
                disabled=disabled,
            )
        )
        self.kind, self.ref, self.page, self.matching = kind, ref, page, matching

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> LinesButton:
        return cls(
            match["kind"],
            int(match["ref"]),
            match["dir"],
            int(match["page"]),
            disabled=False,
            matching=match["filter"],
        )

    async def pressed(self, interaction: discord.Interaction) -> None:
        embed, view = await render(
            interaction, self.kind, self.ref, self.page, matching=self.matching
        )
        await interaction.response.edit_message(embed=embed, view=view)


def page_view(kind: str, ref: int, page: LinePage, matching: str | None = None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if page.pages > 1:
        previous = max(page.page - 1, 0)
        following = min(page.page + 1, page.pages - 1)
        last = page.page >= page.pages - 1
        for direction, to, disabled in (
            ("prev", previous, page.page == 0),
            ("next", following, last),
        ):
            view.add_item(
                LinesButton(kind, ref, direction, to, disabled=disabled, matching=matching)
            )
    return view


async def render(
    interaction: discord.Interaction, kind: str, ref: int, page: int, *, matching: str | None = None
) -> tuple[discord.Embed, discord.ui.View]:
    """One page of the list ``kind`` in the interaction's server; ``matching``: only the
    sounds whose name contains it."""
    if interaction.guild_id is None:
        raise discord.app_commands.NoPrivateMessage
    guild_id = interaction.guild_id
    guild_name = interaction.guild.name if interaction.guild else "this server"
    services = services_of(interaction.client)
    if kind == "sounds" and matching:
        at = LinePage.of(await services.sounds.count_matching(guild_id, matching), page)
        sounds = await services.sounds.matching(
            guild_id, matching, limit=LINES_PER_PAGE, offset=at.offset
        )
        cost = int((await services.settings.guild(guild_id)).default_sound_cost)
        embed = sound_ui.list_embed(guild_name, sounds, at.total, cost, matching=matching)
        embed.set_footer(text=f"{at.footer('sound')} · names containing “{matching}”"[:2048])
    elif kind == "sounds":
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
    return embed, page_view(kind, ref, at, matching)
