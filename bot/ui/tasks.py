"""Embeds and one-line texts about tasks: confirmations, lists, details, ``when`` previews."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import discord

from bot.models.scheduled_task import (
    ACTIVE_STATUSES,
    LIVE_STATUSES,
    ScheduledTask,
    TaskStatus,
    TaskType,
)
from bot.models.task_run import TaskRun
from bot.scheduling.occurrences import recurrence_of
from bot.scheduling.recurrence import zone
from bot.services.task_parameters import (
    PlaylistParameters,
    RechargeParameters,
    SoundParameters,
    readable_parameters,
)
from bot.services.task_queries import TaskDetails, TaskPage
from bot.timeparse import Schedule, describe_schedule
from bot.timeparse.describe import format_clock, read_as
from bot.ui.formatting import safe
from bot.ui.timestamps import full, full_and_relative
from bot.voice.play import PlaylistMode

COLOUR = discord.Colour.blurple()
CANCELLED_COLOUR = discord.Colour.dark_grey()
_EMBED_BUDGET = 5800
_FIELD_VALUE = 1024
_CHOICE = 100
_STARTING = re.compile(r", starting [^,]*")
TASK_NAME_LIMIT = 100

_STATUS_ICONS = {
    TaskStatus.PENDING: "⏳",
    TaskStatus.RUNNING: "▶️",
    TaskStatus.COMPLETED: "✅",
    TaskStatus.FAILED: "⚠️",
    TaskStatus.CANCELLED: "✖️",
    TaskStatus.PAUSED: "⏸️",
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def humanize(delta: timedelta) -> str:
    """ "in 45 seconds", "in 4 days", "2 hours ago", rounded as Discord's ``<t:…:R>`` rounds."""
    seconds = round(delta.total_seconds())
    future = seconds >= 0
    seconds = abs(seconds)
    if seconds < 45:
        unit, amount = "second", seconds
    elif seconds < 45 * 60:
        unit, amount = "minute", max(1, round(seconds / 60))
    elif seconds < 22 * 3600:
        unit, amount = "hour", max(1, round(seconds / 3600))
    else:
        unit, amount = "day", max(1, round(seconds / 86400))
    words = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"in {words}" if future else f"{words} ago"


def _short_day(local: datetime, now_local: datetime) -> str:
    text = f"{local:%a} {local.day} {local:%b}"
    return text if local.year == now_local.year else f"{text} {local.year}"


def preview(schedule: Schedule, now: datetime) -> str:
    """The ``when`` autocomplete line: "Tue 1 Dec, 09:00 EST — in 4 days"."""
    tz = zone(schedule.timezone)
    local = schedule.first_run.astimezone(tz)
    now_local = now.astimezone(tz)
    day = _short_day(local, now_local)
    if schedule.recurrence is None:
        text = (
            f"{day}, {format_clock(local)} {local.tzname()} — {humanize(schedule.first_run - now)}"
        )
        if schedule.reading:
            text += f" — read as: {schedule.reading}"
    else:
        rule = schedule.description.removesuffix(f" ({schedule.timezone})")
        rule = _STARTING.sub("", rule)
        text = f"{rule}, next {day}"
        if format_clock(local) not in rule:
            text += f" {format_clock(local)}"
    return _cut(text, _CHOICE)


def describe_task(task: ScheduledTask) -> str:
    """How the task repeats; a one-shot's instant as a Discord timestamp (each reader's time)."""
    recurrence = recurrence_of(task)
    if recurrence is None:
        return f"once, {full(task.scheduled_at)}"
    return describe_schedule(task.scheduled_at, recurrence, task.timezone)


def runs_left(task: ScheduledTask) -> str:
    if task.status not in LIVE_STATUSES:
        return "none"
    if not task.is_recurring:
        return "1"
    parts = []
    if task.recurrence_count is not None:
        parts.append(str(max(0, task.recurrence_count - task.executions_count)))
    if task.until is not None:
        parts.append(f"until {full(task.until)}")
    return ", ".join(parts) if parts else "no end"


def what(task: ScheduledTask, label: str | None = None) -> str:
    parameters = readable_parameters(task)
    if task.task_type is TaskType.PLAY_SOUND:
        return f"🔔 sound **{safe(label or task.name, TASK_NAME_LIMIT)}**"
    if task.task_type is TaskType.PLAY_PLAYLIST:
        playlist = parameters if isinstance(parameters, PlaylistParameters) else None
        shuffle = ", shuffled" if playlist is not None and playlist.shuffle else ""
        mode = playlist.mode.value if playlist is not None else PlaylistMode.CONTINUOUS.value
        return f"🎶 playlist **{safe(label or task.name, TASK_NAME_LIMIT)}** ({mode}{shuffle})"
    recharge = parameters if isinstance(parameters, RechargeParameters) else RechargeParameters()
    who = f"<@{recharge.member_id}>" if recharge.member_id else "everyone"
    return f"💳 recharge of {recharge.amount} credits for {who}"


def where(task: ScheduledTask) -> str:
    parameters = readable_parameters(task)
    if isinstance(parameters, SoundParameters | PlaylistParameters) and parameters.channel_id:
        return f"<#{parameters.channel_id}>"
    return "this server"


def _next_run(task: ScheduledTask) -> str:
    if task.status is TaskStatus.PAUSED:
        return "⏸️ paused: nothing plays until you resume it (`/schedule resume`)"
    if task.next_run_at is None or task.status not in ACTIVE_STATUSES:
        return f"— ({task.status})"
    return full_and_relative(task.next_run_at)


def task_embed(task: ScheduledTask, *, title: str, label: str | None = None) -> discord.Embed:
    """A confirmation: what, where, first run, how it repeats and the runs left."""
    embed = discord.Embed(title=_cut(title, 256), colour=COLOUR)
    embed.add_field(name="What", value=what(task, label), inline=False)
    if task.task_type is not TaskType.CREDIT_RECHARGE:
        embed.add_field(name="Where", value=where(task), inline=True)
    embed.add_field(name="Next run", value=_next_run(task), inline=False)
    if not task.is_recurring and task.next_run_at is not None and task.status in ACTIVE_STATUSES:
        local = task.next_run_at.astimezone(zone(task.timezone))
        embed.add_field(name="Read as", value=read_as(local), inline=False)
    embed.add_field(name="Repeats", value=_cut(describe_task(task), _FIELD_VALUE), inline=False)
    embed.add_field(name="Runs left", value=runs_left(task), inline=True)
    embed.set_footer(text=f"Task {task.ref} · {task.name}"[:2048])
    return embed


def _run_line(run: TaskRun) -> str:
    line = f"{full(run.scheduled_for)} — {run.outcome}"
    if run.error:
        line += f": {safe(run.error, 120)}"
    note = run.details.get("note")
    if isinstance(note, str):
        line += f" ({safe(note, 80)})"
    if run.details.get("native_sounds"):
        line += " · 🔊 played natively"
    fallback = run.details.get("native_fallback")
    if isinstance(fallback, list) and fallback:
        line += f" · {safe(str(fallback[0]), 120)}"
    return line


def details_embed(details: TaskDetails) -> discord.Embed:
    task = details.task
    embed = task_embed(task, title=f"Task {task.ref}: {safe(task.name, TASK_NAME_LIMIT)}")
    embed.colour = COLOUR if task.status in LIVE_STATUSES else CANCELLED_COLOUR
    embed.add_field(name="Status", value=f"{_STATUS_ICONS[task.status]} {task.status}")
    upcoming = "\n".join(full_and_relative(run) for run in details.upcoming) or "none"
    embed.add_field(name="Next runs", value=_cut(upcoming, _FIELD_VALUE), inline=False)
    runs = "\n".join(_run_line(run) for run in details.runs) or "no runs yet"
    embed.add_field(name="Last runs", value=_cut(runs, _FIELD_VALUE), inline=False)
    if task.error_message:
        embed.add_field(name="Error", value=safe(task.error_message, 500), inline=False)
    return embed


def list_embed(page: TaskPage, *, title: str, empty: str, show_owner: bool) -> discord.Embed:
    """One page of tasks, one field each, kept under Discord's 6,000 characters per embed."""
    embed = discord.Embed(title=_cut(title, 256), colour=COLOUR)
    footer = (
        f"Page {page.page + 1}/{page.pages} · {page.total} task{'' if page.total == 1 else 's'}"
    )
    embed.set_footer(text=footer)
    if not page.tasks:
        embed.description = empty
        return embed
    per_task = (_EMBED_BUDGET - len(embed.title or "") - len(footer)) // len(page.tasks)
    for task in page.tasks:
        lines = [what(task), f"{where(task)} · {_next_run(task)}"]
        lines.append(_cut(describe_task(task), 300))
        if show_owner:
            lines.append(_owner(task))
        name = _cut(
            f"{_STATUS_ICONS[task.status]} {task.ref} · {safe(task.name, TASK_NAME_LIMIT)}", 150
        )
        value = _cut("\n".join(lines), min(_FIELD_VALUE, per_task - len(name)))
        embed.add_field(name=name, value=value, inline=False)
    return embed


def _owner(task: ScheduledTask) -> str:
    if task.user_id:
        return f"owner: <@{task.user_id}>"
    if task.guild_id is None:
        return "owner: system, every server (cannot be cancelled here)"
    return "owner: system"


def task_choice_name(task: ScheduledTask) -> str:
    when = ""
    if task.next_run_at is not None and task.status in ACTIVE_STATUSES:
        local = task.next_run_at.astimezone(zone(task.timezone))
        when = f" — next {local:%a} {local.day} {local:%b} {format_clock(local)}"
    else:
        when = f" — {task.status}"
    return _cut(f"{task.ref} {task.name}{when}", _CHOICE)
