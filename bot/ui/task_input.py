"""Reading task options from an interaction: ``when`` previews, task pickers, the actor."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot.errors import CarillonError, InvalidInput
from bot.models.scheduled_task import TaskStatus
from bot.services.actor import Actor
from bot.services.ids import parse_id
from bot.services.member_tasks import MemberTaskService
from bot.services.task_queries import TaskQueries
from bot.services.task_refs import TaskNumber
from bot.services.task_requests import PlayTarget, WhenInput
from bot.ui.tasks import preview, task_choice_name
from bot.voice.channel import missing_permission

REPEAT_OPTIONS = [
    app_commands.Choice(name=name, value=name)
    for name in ("none", "hourly", "daily", "weekly", "monthly", "yearly")
]
STATUS_OPTIONS = [
    app_commands.Choice(name=name, value=name)
    for name in ("pending", "running", "paused", "completed", "failed", "cancelled", "all")
]
WHEN_EXAMPLES = (
    "in 30 minutes",
    "tomorrow at 9am",
    "next friday 18:30",
    "every weekday at 9am",
    "every monday at 8pm",
    "every month on the 1st at noon",
)
_TASK_REF = re.compile(r"\s*#?([0-9]+)(?!\w)")
_CHOICE = 100


def actor_of(interaction: discord.Interaction) -> Actor:
    """The member; whether they are an admin is looked up only if a rule needs it."""
    guild = interaction.guild
    member = interaction.user
    if guild is None:
        raise app_commands.NoPrivateMessage
    if not isinstance(member, discord.Member):
        return Actor(member.id, guild.id, is_admin=False)
    return Actor(
        member.id,
        guild.id,
        role_ids=tuple(role.id for role in member.roles),
        is_owner=guild.owner_id == member.id,
    )


def member_actor(interaction: discord.Interaction) -> Actor:
    """The actor as a plain member (autocomplete and member-only rules never ask)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage
    return Actor(interaction.user.id, interaction.guild_id, is_admin=False)


def play_target(
    interaction: discord.Interaction, channel: discord.VoiceChannel | discord.StageChannel | None
) -> PlayTarget:
    """The chosen voice channel, else the member's; refused early if the bot cannot play there."""
    chosen: Any = channel
    if chosen is None and isinstance(interaction.user, discord.Member):
        voice = interaction.user.voice
        chosen = voice.channel if voice is not None else None
    is_voice = isinstance(chosen, discord.VoiceChannel | discord.StageChannel)
    lacking = missing_permission(chosen) if is_voice and interaction.guild is not None else None
    if lacking is not None:
        raise InvalidInput(
            f"I lack the {lacking} permission in {chosen.mention}. "
            "Pick another channel, or ask an admin to grant it."
        )
    return PlayTarget(
        voice_channel_id=chosen.id if chosen is not None else None,
        text_channel_id=interaction.channel_id,
        is_voice=chosen is None or is_voice,
    )


def task_ref_of(text: str) -> TaskNumber:
    """The task number in "12", "#12" or "#12 Morning bell — next ..." (the picker sends the
    number): members name a task by its number in their server, never by its global id."""
    match = _TASK_REF.match(text)
    number = parse_id(match[1]) if match is not None else None
    if number is None:
        raise InvalidInput("Pick a task from the list, or give its number (such as `12`).")
    return TaskNumber(number)


def _choice(name: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=name[:_CHOICE] or "…", value=value[:_CHOICE])


async def when_choices(
    tasks: MemberTaskService, interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The parsed ``when`` as the member will get it, or what is wrong with it."""
    namespace: Any = interaction.namespace
    actor = member_actor(interaction)
    timezone = await tasks.timezone(actor)
    now = tasks.clock.now()
    texts = [current] if current.strip() else list(WHEN_EXAMPLES)
    choices = []
    for text in texts:
        when = WhenInput(
            text,
            repeat=getattr(namespace, "repeat", None),
            cron=getattr(namespace, "cron", None),
            count=getattr(namespace, "count", None),
            until=getattr(namespace, "until", None),
        )
        try:
            shown = preview(tasks.parse_in(timezone, when), now)
        except CarillonError as exc:
            shown = f"⚠️ {_problem(exc)}"
        except (TypeError, ValueError):
            shown = "⚠️ I could not read that time"
        choices.append(_choice(shown if current.strip() else f"{text} → {shown}", text))
    return choices


def _problem(error: CarillonError) -> str:
    return str(getattr(error, "problem", None) or error)


async def task_choices(
    tasks: TaskQueries,
    interaction: discord.Interaction,
    current: str,
    *,
    everyone: bool = False,
    active_only: bool = True,
    statuses: Sequence[TaskStatus] | None = None,
) -> list[app_commands.Choice[str]]:
    """The member's tasks (``everyone``: every task in the server) matching ``current``."""
    found = await tasks.for_autocomplete(
        member_actor(interaction),
        current,
        everyone=everyone,
        active_only=active_only,
        statuses=statuses,
    )
    return [_choice(task_choice_name(task), str(task.number)) for task in found if task.number]
