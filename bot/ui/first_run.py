"""What a newcomer sees: the ``/help`` embed (also posted when the bot joins a server) and the
first-schedule nudge to set a time zone, with its "Set my timezone" button and modal."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.errors import CarillonError
from bot.permissions import can_post
from bot.services.bundle import services_of
from bot.timezones import resolve_zone
from bot.ui import timezones as timezone_ui
from bot.ui.errors import Answering, reply_error
from bot.ui.task_input import WHEN_EXAMPLES
from bot.ui.tasks import COLOUR

FIRST_COMMANDS = (
    ("/sound upload", "add a sound (MP3, WAV, Ogg, FLAC, M4A)"),
    ("/sound play", "play it now in your voice channel"),
    ("/schedule sound", "play it later, once or again and again"),
    ("/schedule list", "your tasks: pause, skip, cancel"),
    ("/timezone set", "so that “tomorrow 9am” means your 9am"),
)


def help_embed() -> discord.Embed:
    embed = discord.Embed(
        title="🔔 Carillon",
        description=(
            "I play sounds and playlists in voice channels, now or on a schedule: a bell every "
            "weekday at 9am, a playlist every friday evening. Each play costs credits, "
            "which come back every day."
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name="Start with",
        value="\n".join(f"`{name}` — {what}" for name, what in FIRST_COMMANDS),
        inline=False,
    )
    embed.add_field(
        name="`when` examples",
        value="\n".join(f"“{example}”" for example in WHEN_EXAMPLES),
        inline=False,
    )
    embed.set_footer(text="Every command answers only you when something is wrong.")
    return embed


def welcome_channel(guild: discord.Guild) -> discord.abc.Messageable | None:
    """The system channel if the bot may post there, else the first text channel it may."""
    if guild.system_channel is not None and can_post(guild.system_channel):
        return guild.system_channel
    return next((c for c in guild.text_channels if can_post(c)), None)


def nudge_text(zone: str) -> str:
    return (
        f"🕘 I read your time in **{zone}**, this server's default, because you have not set "
        "your own time zone. If that is not yours, set it: your later times are read in it."
    )


class SetTimezoneButton(
    Answering,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"carillon:timezone:set",
):
    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Set my timezone",
                emoji="🕘",
                style=discord.ButtonStyle.primary,
                custom_id="carillon:timezone:set",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> SetTimezoneButton:
        return cls()

    async def pressed(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(TimezoneModal())


class TimezoneModal(discord.ui.Modal, title="Your time zone"):
    zone: discord.ui.TextInput[TimezoneModal] = discord.ui.TextInput(
        label="A city, region or abbreviation",
        placeholder="Paris, New York, Eastern, Europe/Berlin…",
        custom_id="zone",
        max_length=100,
    )

    def __init__(self) -> None:
        super().__init__(custom_id="carillon:timezone:modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        try:
            resolved = resolve_zone(self.zone.value)
        except CarillonError as error:
            await reply_error(interaction, str(error))
            return
        services = services_of(interaction.client)
        await services.settings.set_member_timezone(interaction.user.id, resolved)
        text = timezone_ui.set_text(resolved, services.clock.now())
        await interaction.response.send_message(text, ephemeral=True)


def nudge_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SetTimezoneButton())
    return view
