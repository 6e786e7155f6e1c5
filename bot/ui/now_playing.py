"""The "now playing" message: posted where a scheduled play was set up, with Stop and Cancel."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.models.scheduled_task import ACTIVE_STATUSES, ScheduledTask
from bot.permissions import can_post
from bot.ui.buttons import now_playing_view
from bot.ui.tasks import COLOUR, safe
from bot.voice.ports import NowPlaying

log = logging.getLogger(__name__)


class NowPlayingPoster:
    """The player's ``on_start`` port: one message per scheduled play (``/sound play`` answers
    its member itself)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def __call__(self, now: NowPlaying) -> None:
        request = now.request
        if request.text_channel_id is None or request.task_id is None:
            return
        channel = self.client.get_channel(request.text_channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.info("now playing: channel %s is gone", request.text_channel_id)
            return
        if not can_post(channel):
            log.info("now playing: no permission to post in %s", request.text_channel_id)
            return
        embed = discord.Embed(
            title="🔔 Now playing",
            description=f"**{safe(now.sound.name)}** in <#{now.voice_channel_id}>",
            colour=COLOUR,
        )
        if request.replay:
            embed.description = f"{embed.description}\nPlaying again: a restart cut it short."
        task = await self._task(request.task_id)
        name = f" · {task.name[:100]}" if task is not None else ""
        embed.set_footer(text=f"Task #{request.task_id}{name}")
        if request.payer_id is not None:
            embed.add_field(name="For", value=f"<@{request.payer_id}>")
        cancellable = task is not None and self._has_later_runs(task)
        view = now_playing_view(request.guild_id, request.task_id if cancellable else None)
        try:
            await channel.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("now playing: could not post in %s: %s", request.text_channel_id, exc)

    async def _task(self, task_id: int) -> ScheduledTask | None:
        services: Any = getattr(self.client, "services", None)
        if services is None:
            return None
        task: ScheduledTask | None = await services.scheduler.get_task(task_id)
        return task

    @staticmethod
    def _has_later_runs(task: ScheduledTask) -> bool:
        """Cancel stops future runs: a one-shot, or a last run, has none to stop."""
        if not task.is_recurring or task.status not in ACTIVE_STATUSES:
            return False
        return task.recurrence_count is None or task.executions_count + 1 < task.recurrence_count
