"""The shape every Carillon button acting on one row shares: a ``DynamicItem`` (so it works
after a restart) with the custom id ``carillon:<action>:<id>``, rebuilt from that id."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self

import discord

from bot.ui.errors import Answering


class IdButton(Answering, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"^$"):
    """Subclasses give ``action``, ``label``, ``style`` (and ``emoji``), a ``template`` that
    matches their custom id with an ``id`` group, and ``pressed``."""

    action: ClassVar[str] = ""
    label: ClassVar[str] = ""
    emoji: ClassVar[str | None] = None
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary

    def __init__(self, item_id: int, *, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=(label or self.label)[:80],
                emoji=self.emoji,
                style=self.style,
                custom_id=f"carillon:{self.action}:{item_id}",
            )
        )
        self.item_id = item_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> Self:
        return cls(int(match["id"]))
