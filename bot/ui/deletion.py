"""Deleting a sound or playlist that scheduled tasks use: the confirmation, its buttons, and
telling the owners of those tasks."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import discord

from bot.errors import NotFound
from bot.services.bundle import services_of
from bot.services.sounds import Deletion, TaskUse
from bot.ui.checks import is_admin
from bot.ui.errors import Answering
from bot.ui.followups import edit_original
from bot.ui.formatting import safe
from bot.ui.id_buttons import IdButton

log = logging.getLogger(__name__)

TASKS_SHOWN = 10


async def answer(
    interaction: discord.Interaction, kind: str, item_id: int, deletion: Deletion
) -> None:
    """Reply to ``/sound delete`` or ``/playlist delete``: done, or asked with buttons."""
    if deletion.needs_confirmation:
        await interaction.response.send_message(
            embed=confirm_embed(kind, deletion), view=confirm_view(kind, item_id), ephemeral=True
        )
        return
    await interaction.response.send_message(deleted_text(kind, deletion), ephemeral=True)


def _task_lines(tasks: Sequence[TaskUse]) -> str:
    lines = [
        f"{t.ref} {safe(t.name)}" + (f" (<@{t.user_id}>)" if t.user_id else "")
        for t in tasks[:TASKS_SHOWN]
    ]
    if len(tasks) > TASKS_SHOWN:
        lines.append(f"… and {len(tasks) - TASKS_SHOWN} more")
    return "\n".join(lines)


def confirm_embed(kind: str, deletion: Deletion) -> discord.Embed:
    """Asks before deleting a sound or playlist that pending tasks still use."""
    count = len(deletion.tasks)
    what = "1 scheduled task uses" if count == 1 else f"{count} scheduled tasks use"
    embed = discord.Embed(
        title=f"Delete {kind} {safe(deletion.name)}?",
        description=(
            f"{what} it. If you delete it, those runs will no longer play it and their "
            "owners will be told."
        ),
        colour=discord.Colour.orange(),
    )
    embed.add_field(name="Tasks", value=_task_lines(deletion.tasks), inline=False)
    return embed


def deleted_text(kind: str, deletion: Deletion, told: int = 0) -> str:
    text = f"🗑️ Deleted the {kind} **{safe(deletion.name)}**."
    if told:
        text += f" Told {told} member(s) whose tasks used it."
    return text


def owner_notice(
    kind: str, name: str, actor: discord.abc.User, guild: discord.Guild, tasks: Sequence[TaskUse]
) -> str:
    listed = ", ".join(f"{t.ref} “{safe(t.name)}”" for t in tasks[:TASKS_SHOWN])
    if len(tasks) > TASKS_SHOWN:
        listed += f" and {len(tasks) - TASKS_SHOWN} more"
    consequence = (
        "A task that plays this sound itself will fail at its next run"
        if kind == "sound"
        else "Those tasks will fail at their next run"
    )
    return (
        f"🗑️ The {kind} **{safe(name)}** was deleted by {actor.mention} in "
        f"**{safe(guild.name, 100)}**. Your task(s) {listed} used it. {consequence}: cancel "
        f"with `/schedule cancel` or schedule another {kind}."
    )[:2000]


async def notify_owners(interaction: discord.Interaction, kind: str, deletion: Deletion) -> int:
    """Tell each owner of an affected task (but the member who deleted it); returns how many.

    By direct message; when that fails, in the channel where the deletion was confirmed.
    """
    guild = interaction.guild
    if guild is None:
        return 0
    by_owner: dict[int, list[TaskUse]] = defaultdict(list)
    for task in deletion.tasks:
        if task.user_id is not None and task.user_id != interaction.user.id:
            by_owner[task.user_id].append(task)
    told = 0
    for owner_id, tasks in by_owner.items():
        text = owner_notice(kind, deletion.name, interaction.user, guild, tasks)
        if await _tell(interaction, guild, owner_id, text):
            told += 1
    return told


async def _tell(
    interaction: discord.Interaction, guild: discord.Guild, user_id: int, text: str
) -> bool:
    member = guild.get_member(user_id)
    try:
        user = member or await interaction.client.fetch_user(user_id)
        await user.send(text, allowed_mentions=discord.AllowedMentions.none())
        return True
    except discord.HTTPException:
        log.info("could not DM user %s; telling them in the channel instead", user_id)
    channel = interaction.channel
    if not isinstance(channel, discord.abc.Messageable):
        return False
    try:
        await channel.send(
            f"<@{user_id}> {text}",
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(user_id)]
            ),
        )
        return True
    except discord.HTTPException:
        log.warning("could not tell user %s about a deletion", user_id)
        return False


class _ConfirmDelete(IdButton, template=r"^$"):
    """Shared behaviour of the "Delete anyway" buttons; subclasses name the kind."""

    kind = ""
    label, style = "Delete anyway", discord.ButtonStyle.danger

    async def delete(self, interaction: discord.Interaction, admin: bool) -> Deletion:
        raise NotImplementedError

    async def pressed(self, interaction: discord.Interaction) -> None:
        try:
            deletion = await self.delete(interaction, await is_admin(interaction))
        except NotFound:
            await interaction.response.edit_message(
                content=f"That {self.kind} was already deleted.", embed=None, view=None
            )
            return
        await interaction.response.edit_message(
            content=deleted_text(self.kind, deletion), embed=None, view=None
        )
        told = await notify_owners(interaction, self.kind, deletion)
        if told:
            await edit_original(interaction, deleted_text(self.kind, deletion, told))


class ConfirmDeleteSound(_ConfirmDelete, template=r"carillon:delsound:(?P<id>\d+)"):
    kind = "sound"
    action = "delsound"

    async def delete(self, interaction: discord.Interaction, admin: bool) -> Deletion:
        assert interaction.guild_id is not None
        return await services_of(interaction.client).sounds.delete(
            interaction.guild_id,
            self.item_id,
            actor_id=interaction.user.id,
            is_admin=admin,
            confirmed=True,
        )


class ConfirmDeletePlaylist(_ConfirmDelete, template=r"carillon:delplaylist:(?P<id>\d+)"):
    kind = "playlist"
    action = "delplaylist"

    async def delete(self, interaction: discord.Interaction, admin: bool) -> Deletion:
        assert interaction.guild_id is not None
        return await services_of(interaction.client).playlists.delete(
            interaction.guild_id,
            self.item_id,
            actor_id=interaction.user.id,
            is_admin=admin,
            confirmed=True,
        )


class KeepButton(
    Answering,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"carillon:keep(?P<kind>sound|playlist):(?P<id>\d+)",
):
    """ "Keep it": closes the confirmation without deleting."""

    def __init__(self, kind: str, item_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep it",
                style=discord.ButtonStyle.secondary,
                custom_id=f"carillon:keep{kind}:{item_id}",
            )
        )
        self.kind = kind

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> KeepButton:
        return cls(match["kind"], int(match["id"]))

    async def pressed(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(
            content=f"Nothing was deleted: the {self.kind} stays.", embed=None, view=None
        )


def confirm_view(kind: str, item_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    confirm = ConfirmDeleteSound(item_id) if kind == "sound" else ConfirmDeletePlaylist(item_id)
    view.add_item(confirm)
    view.add_item(KeepButton(kind, item_id))
    return view


DYNAMIC_ITEMS = (ConfirmDeleteSound, ConfirmDeletePlaylist, KeepButton)
