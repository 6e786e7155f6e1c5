"""Buttons that survive a restart (``DynamicItem``): Cancel, Pause, Resume, Skip next, Stop
and list pages.

Custom ids: ``carillon:cancel:<task>``, ``carillon:pause:<task>``, ``carillon:resume:<task>``,
``carillon:skip:<task>``, ``carillon:stop:<guild>`` and
``carillon:page:<prev|next>:<mine|admin>:<viewer>:<status>:<member>:<page>``.
Only a task's owner or an admin may press them; everyone else gets an ephemeral refusal.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from bot.errors import NotPermitted
from bot.models.scheduled_task import LIVE_STATUSES, ScheduledTask, TaskStatus
from bot.services.bundle import services_of
from bot.services.member_tasks import MemberTaskService
from bot.ui.checks import is_admin
from bot.ui.errors import Answering
from bot.ui.formatting import safe
from bot.ui.id_buttons import IdButton
from bot.ui.playback_control import controlled_play
from bot.ui.task_input import actor_of
from bot.ui.tasks import TASK_NAME_LIMIT, list_embed, task_embed
from bot.ui.timestamps import full_and_relative

log = logging.getLogger(__name__)

NOT_YOURS = "Only the task's owner or a Carillon admin can press this button."
NOT_YOUR_LIST = "This list belongs to someone else: open your own with `/schedule list`."
ALL_STATUSES = "all"


async def _refuse(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(f"❌ {text}", ephemeral=True)


class CancelButton(IdButton, template=r"carillon:cancel:(?P<id>\d+)"):
    """Cancels a task (every future run)."""

    action, label, style = "cancel", "Cancel", discord.ButtonStyle.danger

    async def pressed(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await _refuse(interaction, NOT_YOURS)
            return
        tasks = services_of(interaction.client).member_tasks
        task = await tasks.cancel_by_button(actor_of(interaction), self.item_id)
        if task is None:
            await _refuse(interaction, NOT_YOURS)
            return
        name = safe(task.name, TASK_NAME_LIMIT)
        await answer_on_message(
            interaction, task, f"✅ Cancelled task {task.ref} **{name}**: it will not run again."
        )


async def answer_on_message(
    interaction: discord.Interaction, task: ScheduledTask, text: str
) -> None:
    """Tell the presser ``text``; a task confirmation the button sits on shows the task anew."""
    message = interaction.message
    embed = message.embeds[0] if message is not None and message.embeds else None
    listed = _listed(embed, interaction.user.id) if embed is not None else None
    if listed is not None:
        scope, page = listed
        fresh_list, view = await task_list(interaction, scope, page)
        await interaction.response.edit_message(embed=fresh_list, view=view)
        await interaction.followup.send(text, ephemeral=True)
        return
    if embed is None or not any(field.name == "Next run" for field in embed.fields):
        await interaction.response.send_message(text, ephemeral=True)
        return
    fresh = task_embed(task, title=embed.title or "Task")
    await interaction.response.edit_message(embed=fresh, view=task_view(task))
    await interaction.followup.send(text, ephemeral=True)


_LIST_TITLE = re.compile(r"^(Your|All) (?:([a-z]+) )?tasks \(\d+\)$")
_LIST_PAGE = re.compile(r"^Page (\d+)/")
_LIST_OWNER = re.compile(r"^Owner: <@(\d+)>$")


def _listed(embed: discord.Embed, viewer_id: int) -> tuple[ListScope, int] | None:
    """The list a page of ``task_list`` shows (its scope and page), read back from it."""
    title = _LIST_TITLE.match(embed.title or "")
    if title is None:
        return None
    page = _LIST_PAGE.match(embed.footer.text or "")
    owner = _LIST_OWNER.match(embed.description or "")
    scope = ListScope(
        admin=title[1] == "All",
        viewer_id=viewer_id,
        status=title[2] or ALL_STATUSES,
        member_id=int(owner[1]) if owner else 0,
    )
    return scope, int(page[1]) - 1 if page else 0


class _TaskButton(IdButton, template=r"carillon:(?P<action>pause|resume|skip):(?P<id>\d+)"):
    """A button acting on one task; only its owner or an admin may press it."""

    async def pressed(self, interaction: discord.Interaction) -> None:
        tasks = services_of(interaction.client).member_tasks
        task = None
        if interaction.guild_id is not None:
            task = await tasks.by_button(actor_of(interaction), self.item_id)
        if task is None:
            await _refuse(interaction, NOT_YOURS)
            return
        task, text = await self.act(tasks, task)
        await answer_on_message(interaction, task, text)

    async def act(self, tasks: MemberTaskService, task: ScheduledTask) -> tuple[ScheduledTask, str]:
        raise NotImplementedError


class PauseButton(_TaskButton, template=r"carillon:pause:(?P<id>\d+)"):
    action, label, emoji = "pause", "Pause", "⏸️"

    async def act(self, tasks: MemberTaskService, task: ScheduledTask) -> tuple[ScheduledTask, str]:
        paused = await tasks.pause_task(task)
        return paused, paused_text(paused)


class ResumeButton(_TaskButton, template=r"carillon:resume:(?P<id>\d+)"):
    action, label, emoji = "resume", "Resume", "▶️"

    async def act(self, tasks: MemberTaskService, task: ScheduledTask) -> tuple[ScheduledTask, str]:
        resumed = await tasks.resume_task(task)
        return resumed, resumed_text(resumed)


class SkipButton(_TaskButton, template=r"carillon:skip:(?P<id>\d+)"):
    action, label, emoji = "skip", "Skip next", "⏭️"

    async def act(self, tasks: MemberTaskService, task: ScheduledTask) -> tuple[ScheduledTask, str]:
        skipped, dropped = await tasks.skip_task(task)
        return skipped, skipped_text(skipped, dropped)


def paused_text(task: ScheduledTask) -> str:
    name = safe(task.name, TASK_NAME_LIMIT)
    return f"⏸️ Paused task {task.ref} **{name}**: nothing plays until you resume it."


def resumed_text(task: ScheduledTask) -> str:
    name = safe(task.name, TASK_NAME_LIMIT)
    when = full_and_relative(task.next_run_at) if task.next_run_at else "no run left"
    return f"▶️ Resumed task {task.ref} **{name}**: next run {when}."


def skipped_text(task: ScheduledTask, dropped: datetime) -> str:
    name = safe(task.name, TASK_NAME_LIMIT)
    when = full_and_relative(task.next_run_at) if task.next_run_at else "none"
    return (
        f"⏭️ Skipped the run of task {task.ref} **{name}** due {full_and_relative(dropped)}. "
        f"Next run: {when}."
    )


class StopButton(IdButton, template=r"carillon:stop:(?P<id>\d+)"):
    """Stops what is playing in the server (its id is the server's)."""

    action, label, emoji = "stop", "Stop", "⏹️"

    async def pressed(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id != self.item_id:
            await _refuse(interaction, NOT_YOURS)
            return
        player = services_of(interaction.client).player
        if player.now_playing(self.item_id) is None:
            await interaction.response.send_message("Nothing is playing right now.", ephemeral=True)
            return
        try:
            await controlled_play(interaction, "stop")
        except NotPermitted:
            await _refuse(interaction, NOT_YOURS)
            return
        await player.stop(self.item_id, interaction.user.id)
        await interaction.response.send_message("⏹️ Stopped.", ephemeral=True)


_SCOPE_AND_PAGE = (
    r"(?P<scope>mine|admin):(?P<viewer>\d+):(?P<status>[a-z]+):(?P<member>\d+):(?P<page>\d+)"
)
_PAGE_ID = rf"carillon:page:(?P<dir>prev|next):{_SCOPE_AND_PAGE}"
# A list page as a tracked list message stores it (``ListScope.custom_id("at", page)``).
_LIST_AT = rf"carillon:page:at:{_SCOPE_AND_PAGE}"


@dataclass(frozen=True, slots=True)
class ListScope:
    """Whose list a page shows: the viewer's own tasks, or (admins) the server's."""

    admin: bool
    viewer_id: int
    status: str = TaskStatus.PENDING.value
    member_id: int = 0

    def task_statuses(self) -> list[TaskStatus] | None:
        """The statuses listed: "pending" lists the paused tasks too (they keep a schedule)."""
        if self.status == ALL_STATUSES:
            return None
        if self.status == TaskStatus.PENDING.value:
            return [TaskStatus.PENDING, TaskStatus.PAUSED]
        return [TaskStatus(self.status)]

    def custom_id(self, direction: str, page: int) -> str:
        scope = "admin" if self.admin else "mine"
        return (
            f"carillon:page:{direction}:{scope}:{self.viewer_id}:{self.status}:"
            f"{self.member_id}:{page}"
        )

    @classmethod
    def read(cls, custom_id: str) -> tuple[ListScope, int] | None:
        """The scope and page a ``custom_id`` names, or None."""
        match = re.fullmatch(_PAGE_ID, custom_id) or re.fullmatch(_LIST_AT, custom_id)
        if match is None:
            return None
        scope = cls(
            admin=match["scope"] == "admin",
            viewer_id=int(match["viewer"]),
            status=match["status"],
            member_id=int(match["member"]),
        )
        return scope, int(match["page"])


class PageButton(
    Answering,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=_PAGE_ID,
):
    """Previous / Next on a task list."""

    def __init__(
        self, scope: ListScope, direction: str, page: int, *, disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label="Previous" if direction == "prev" else "Next",
                style=discord.ButtonStyle.secondary,
                custom_id=scope.custom_id(direction, page),
                disabled=disabled,
            )
        )
        self.scope = scope
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> PageButton:
        read = ListScope.read(match[0])
        assert read is not None
        return cls(read[0], match["dir"], read[1])

    async def pressed(self, interaction: discord.Interaction) -> None:
        allowed = interaction.guild_id is not None and (
            await is_admin(interaction)
            if self.scope.admin
            else interaction.user.id == self.scope.viewer_id
        )
        if not allowed:
            await _refuse(interaction, NOT_YOUR_LIST)
            return
        assert interaction.guild_id is not None
        embed, view = await task_list(interaction, self.scope, self.page)
        await interaction.response.edit_message(embed=embed, view=view)
        messages = getattr(interaction.client, "task_messages", None)
        if messages is not None and interaction.message is not None:
            await messages.list_moved(interaction.message.id, self.scope.custom_id("at", self.page))


async def task_list(
    interaction: discord.Interaction, scope: ListScope, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    """One page of a task list with a Cancel button per active task and Previous/Next."""
    assert interaction.guild_id is not None
    return await task_list_in(interaction.client, interaction.guild_id, scope, page)


async def task_list_in(
    client: discord.Client, guild_id: int, scope: ListScope, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    """``task_list`` of the server ``guild_id`` (a redraw has no interaction)."""
    tasks = services_of(client).task_queries
    user_id = scope.member_id or None if scope.admin else scope.viewer_id
    result = await tasks.page(
        guild_id,
        user_id=user_id,
        status=scope.task_statuses(),
        page=page,
        with_system=scope.admin and not scope.member_id,
    )
    status = "" if scope.status == ALL_STATUSES else f"{scope.status} "
    if scope.admin:
        of = f" of <@{scope.member_id}>" if scope.member_id else " in this server"
        title = f"All {status}tasks ({result.total})"
        empty = f"There are no {status}tasks{of}."
    else:
        title = f"Your {status}tasks ({result.total})"
        empty = f"You have no {status}tasks. Schedule one with `/schedule sound`."
    embed = list_embed(result, title=title, empty=empty, show_owner=scope.admin)
    if scope.admin and scope.member_id and result.tasks:
        embed.description = f"Owner: <@{scope.member_id}>"
    view = discord.ui.View(timeout=None)
    cancellable = (t for t in result.tasks if t.status in LIVE_STATUSES and t.guild_id)
    for index, task in enumerate(cancellable):
        view.add_item(CancelButton(task.id, label=f"Cancel {task.ref}"))
        view.children[-1].row = index // 5
    if result.pages > 1:
        previous = PageButton(scope, "prev", max(result.page - 1, 0), disabled=result.page == 0)
        following = PageButton(
            scope,
            "next",
            min(result.page + 1, result.pages - 1),
            disabled=result.page >= result.pages - 1,
        )
        previous.row = following.row = 2
        view.add_item(previous)
        view.add_item(following)
    return embed, view


def task_view(task: ScheduledTask) -> discord.ui.View:
    """A task confirmation's buttons: only those that still apply (none once it is over)."""
    view = discord.ui.View(timeout=None)
    if task.status in (TaskStatus.PENDING, TaskStatus.RUNNING):
        view.add_item(PauseButton(task.id))
    if task.status is TaskStatus.PAUSED:
        view.add_item(ResumeButton(task.id))
    if task.status is TaskStatus.PENDING and task.is_recurring:
        view.add_item(SkipButton(task.id))
    if task.status in LIVE_STATUSES:
        view.add_item(CancelButton(task.id))
    return view


def now_playing_view(guild_id: int, task_id: int | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StopButton(guild_id))
    if task_id is not None:
        view.add_item(PauseButton(task_id))
        view.add_item(CancelButton(task_id, label="Cancel future runs"))
    return view


DYNAMIC_ITEMS = (CancelButton, PauseButton, ResumeButton, SkipButton, StopButton, PageButton)
