"""``/timezone set|show``: the member's own time zone, which follows them across servers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CarillonBot
from bot.services.bundle import Services
from bot.timezones import choice_label, resolve_zone, search_zones
from bot.ui import timezones as ui


class Timezone(commands.GroupCog, group_name="timezone", group_description="Your time zone"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="set", description="Set the time zone your times are read in")
    @app_commands.describe(zone="A city, region or abbreviation: Paris, Eastern, EST...")
    async def set_(
        self, interaction: discord.Interaction, zone: app_commands.Range[str, 1, 100]
    ) -> None:
        resolved = resolve_zone(zone)
        await self.services.settings.set_member_timezone(interaction.user.id, resolved)
        text = ui.set_text(resolved, self.services.clock.now())
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(description="Show your time zone, or the time in another one")
    @app_commands.describe(zone="Another zone to look at (default: yours)")
    async def show(
        self,
        interaction: discord.Interaction,
        zone: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        now = self.services.clock.now()
        if zone is not None:
            text = ui.other_text(resolve_zone(zone), now)
            await interaction.response.send_message(text, ephemeral=True)
            return
        own = await self.services.settings.member_timezone(interaction.user.id)
        if interaction.guild_id is not None:
            server = (await self.services.settings.guild(interaction.guild_id)).timezone
        else:
            server = self.services.config.time.default_timezone
        await interaction.response.send_message(ui.show_text(own, server, now), ephemeral=True)

    @set_.autocomplete("zone")
    @show.autocomplete("zone")
    async def _zones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        now = self.services.clock.now()
        return [
            app_commands.Choice(name=choice_label(match, now), value=match.zone)
            for match in search_zones(current)
        ]


async def setup(bot: CarillonBot) -> None:
    await bot.add_cog(Timezone(bot.services))
