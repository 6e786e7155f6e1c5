"""The ``/admin`` commands: every task of the server, recharges, credits, roles, settings."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.services.bundle import Services
from bot.services.settings import NO_ANNOUNCEMENTS, EffectiveGuildSettings
from bot.services.task_requests import WhenInput
from bot.timezones import resolve_zone, search_zones
from bot.ui.buttons import ListScope, task_list, task_view
from bot.ui.checks import admin_only, is_admin
from bot.ui.formatting import safe
from bot.ui.task_input import (
    REPEAT_OPTIONS,
    STATUS_OPTIONS,
    actor_of,
    task_choices,
    task_ref_of,
    when_choices,
)
from bot.ui.task_messages import send_tracked_list
from bot.ui.tasks import COLOUR, TASK_NAME_LIMIT, task_embed

Choice = app_commands.Choice
Text = app_commands.Range[str, 1, 200]
Amount = app_commands.Range[int, 1, 1_000_000]
SignedAmount = app_commands.Range[int, -1_000_000, 1_000_000]
Balance = app_commands.Range[int, 0, 1_000_000]
Count = app_commands.Range[int, 1, 100_000]


def _settings_embed(settings: EffectiveGuildSettings, title: str) -> discord.Embed:
    embed = discord.Embed(title=title, colour=COLOUR)
    embed.add_field(name="Default timezone", value=settings.timezone)
    embed.add_field(name="Default sound cost", value=str(settings.default_sound_cost))
    embed.add_field(name="Recharge amount", value=str(settings.recharge_amount))
    embed.add_field(name="Recharge cap", value=str(settings.recharge_cap))
    embed.add_field(name="Max active tasks per member", value=str(settings.max_active_tasks))
    embed.add_field(name="Announcements", value=_announcements(settings))
    embed.set_footer(text="Change one with /admin settings <option>")
    return embed


def _announcements(settings: EffectiveGuildSettings) -> str:
    if not settings.announces:
        return "none"
    if settings.announcement_channel_id is None:
        return "where each task was scheduled"
    return f"<#{settings.announcement_channel_id}>"


ANNOUNCEMENT_OPTIONS = [
    Choice(name="where each task was scheduled", value="scheduled"),
    Choice(name="none", value="none"),
]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCog(commands.GroupCog, group_name="admin"):
    """Carillon admins: the server owner and members with an admin role."""

    credits_group = app_commands.Group(name="credits", description="Change members' credits")
    roles_group = app_commands.Group(name="roles", description="Roles whose members are admins")

    def __init__(self, services: Services) -> None:
        self.services = services
        self.tasks = services.member_tasks
        self.queries = services.task_queries

    @app_commands.command(name="tasks", description="Every task in this server")
    @app_commands.describe(status="Which tasks (default: pending)", member="Only this member's")
    @app_commands.choices(status=STATUS_OPTIONS)
    @admin_only()
    async def tasks_(
        self,
        interaction: discord.Interaction,
        status: Choice[str] | None = None,
        member: discord.Member | None = None,
    ) -> None:
        scope = ListScope(
            admin=True,
            viewer_id=interaction.user.id,
            status=status.value if status else "pending",
            member_id=member.id if member else 0,
        )
        embed, view = await task_list(interaction, scope, 0)
        await send_tracked_list(interaction, scope, embed=embed, view=view)

    @app_commands.command(name="cancel", description="Cancel any task in this server")
    @app_commands.describe(task="A task of this server")
    @admin_only()
    async def cancel(self, interaction: discord.Interaction, task: str) -> None:
        cancelled = await self.tasks.cancel(actor_of(interaction), task_ref_of(task), as_admin=True)
        await interaction.response.send_message(
            f"✅ Cancelled task {cancelled.ref} **{safe(cancelled.name, TASK_NAME_LIMIT)}**.",
            ephemeral=True,
        )

    @app_commands.command(name="recharge", description="Schedule a credit recharge")
    @app_commands.describe(
        when='When: "tomorrow at 9am", "every monday at 8am"…',
        amount="Credits given each time (never above the recharge cap)",
        member="Only this member (default: everyone)",
        repeat="Repeat the time given in when",
        cron="A five-field cron expression",
        count="How many runs in total",
    )
    @app_commands.choices(repeat=REPEAT_OPTIONS)
    @admin_only()
    async def recharge(
        self,
        interaction: discord.Interaction,
        when: Text,
        amount: Amount,
        member: discord.Member | None = None,
        repeat: Choice[str] | None = None,
        cron: Text | None = None,
        count: Count | None = None,
    ) -> None:
        task = await self.tasks.schedule_recharge(
            actor_of(interaction),
            WhenInput(when, repeat.value if repeat else None, cron, count),
            amount,
            member.id if member else None,
            member.display_name if member else None,
            interaction.channel_id,
        )
        await interaction.response.send_message(
            embed=task_embed(task, title="💳 Recharge scheduled"),
            view=task_view(task),
            ephemeral=True,
        )

    @credits_group.command(name="grant", description="Give (or with a minus, take) credits")
    @app_commands.describe(member="Who", amount="Credits to add; negative to remove")
    @admin_only()
    async def grant(
        self, interaction: discord.Interaction, member: discord.Member, amount: SignedAmount
    ) -> None:
        assert interaction.guild_id is not None
        balance = await self.services.credits.grant(
            interaction.guild_id, member.id, amount, interaction.user.id
        )
        await interaction.response.send_message(
            f"✅ {member.mention} now has {balance} credits ({amount:+d}).", ephemeral=True
        )

    @credits_group.command(name="set", description="Set a member's balance")
    @app_commands.describe(member="Who", amount="The new balance")
    @admin_only()
    async def set_(
        self, interaction: discord.Interaction, member: discord.Member, amount: Balance
    ) -> None:
        assert interaction.guild_id is not None
        balance = await self.services.credits.set(
            interaction.guild_id, member.id, amount, interaction.user.id
        )
        await interaction.response.send_message(
            f"✅ {member.mention} now has {balance} credits.", ephemeral=True
        )

    @roles_group.command(name="add", description="Make a role's members Carillon admins")
    @admin_only()
    async def role_add(self, interaction: discord.Interaction, role: discord.Role) -> None:
        assert interaction.guild_id is not None
        added = await self.services.settings.add_admin_role(
            interaction.guild_id, role.id, interaction.user.id
        )
        text = "is now an admin role" if added else "was already an admin role"
        await interaction.response.send_message(f"✅ {role.mention} {text}.", ephemeral=True)

    @roles_group.command(name="remove", description="Stop a role from granting admin")
    @admin_only()
    async def role_remove(self, interaction: discord.Interaction, role: discord.Role) -> None:
        assert interaction.guild_id is not None
        removed = await self.services.settings.remove_admin_role(interaction.guild_id, role.id)
        text = "is no longer an admin role" if removed else "was not an admin role"
        await interaction.response.send_message(f"✅ {role.mention} {text}.", ephemeral=True)

    @roles_group.command(name="list", description="The roles whose members are admins")
    @admin_only()
    async def role_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        server = await self.services.settings.admin_role_ids(interaction.guild_id)
        configured = self.services.config.discord.admin_role_ids
        lines = [f"<@&{role}>" for role in server]
        lines += [f"<@&{role}> (from the config)" for role in configured if role not in server]
        embed = discord.Embed(
            title="Admin roles",
            description="\n".join(lines) or "None yet: add one with `/admin roles add`.",
            colour=COLOUR,
        )
        embed.set_footer(text="The server owner is always an admin.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="settings", description="Show or change this server's settings")
    @app_commands.describe(
        timezone="Default timezone for members who have not set theirs",
        default_cost="Credits a sound costs unless it has its own cost",
        recharge_amount="Credits the daily recharge gives",
        recharge_cap="Recharges never take a balance above this",
        max_active_tasks="Most active tasks one member may have",
        announcement_channel='Where "now playing" is posted for every task',
        announcements='Or: where each task was scheduled (the default), or "none"',
    )
    @app_commands.choices(announcements=ANNOUNCEMENT_OPTIONS)
    @admin_only()
    async def settings(
        self,
        interaction: discord.Interaction,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        default_cost: app_commands.Range[int, 0, 1_000_000] | None = None,
        recharge_amount: app_commands.Range[int, 0, 1_000_000] | None = None,
        recharge_cap: app_commands.Range[int, 0, 10_000_000] | None = None,
        max_active_tasks: app_commands.Range[int, 1, 1000] | None = None,
        announcement_channel: discord.TextChannel | None = None,
        announcements: Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        settings = self.services.settings
        announcing = announcement_channel is not None or announcements is not None
        if announcement_channel is not None and announcements is not None:
            raise InvalidInput("Give either `announcement_channel` or `announcements`, not both.")
        if announcing:
            channel_id = announcement_channel.id if announcement_channel is not None else None
            if announcements is not None and announcements.value == "none":
                channel_id = NO_ANNOUNCEMENTS
            await settings.set_announcements(interaction.guild_id, channel_id)
        values = (default_cost, recharge_amount, recharge_cap, max_active_tasks)
        if timezone is None and all(value is None for value in values):
            current = await settings.guild(interaction.guild_id)
            title = "✅ Server settings changed" if announcing else "Server settings"
            embed = _settings_embed(current, title)
        else:
            updated = await settings.update_guild(
                interaction.guild_id,
                timezone=resolve_zone(timezone) if timezone is not None else None,
                default_sound_cost=default_cost,
                recharge_amount=recharge_amount,
                recharge_cap=recharge_cap,
                max_active_tasks=max_active_tasks,
            )
            embed = _settings_embed(updated, "✅ Server settings changed")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @recharge.autocomplete("when")
    async def _when(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return await when_choices(self.tasks, interaction, current)

    @cancel.autocomplete("task")
    async def _server_tasks(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        if not await is_admin(interaction):
            return []
        return await task_choices(self.queries, interaction, current, everyone=True)

    @settings.autocomplete("timezone")
    async def _zones(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return [
            Choice(name=f"{m.zone} ({m.alias})" if m.alias else m.zone, value=m.zone)
            for m in search_zones(current)
        ]
