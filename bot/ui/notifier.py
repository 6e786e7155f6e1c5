"""Tells a task's owner that it failed: in the channel where it was scheduled, else by DM."""

from __future__ import annotations

import logging

import discord

from bot.models.scheduled_task import ScheduledTask
from bot.permissions import can_post
from bot.ui.tasks import safe

log = logging.getLogger(__name__)


class DiscordNotifier:
    """The ``TaskNotifier`` of a connected bot."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def task_failed(self, task: ScheduledTask, reason: str) -> None:
        """The owner, or for a system task the admin who scheduled it (if any), is told."""
        owner = task.user_id if task.user_id is not None else task.parameters.get("created_by")
        if owner is None:
            log.warning("system task %s (%s) failed: %s", task.id, task.name, reason)
            return
        owner = int(owner)
        text = (
            f"⚠️ <@{owner}> your task #{task.id} **{safe(task.name)}** failed: {safe(reason, 1500)}"
        )
        mentions = discord.AllowedMentions(users=[discord.Object(owner)])
        if await self._in_channel(task, text, mentions):
            return
        try:
            user = self.client.get_user(owner) or await self.client.fetch_user(owner)
            await user.send(text)
        except discord.HTTPException:
            log.warning("could not tell user %s that task %s failed", owner, task.id)

    async def _in_channel(
        self, task: ScheduledTask, text: str, mentions: discord.AllowedMentions
    ) -> bool:
        channel_id = task.parameters.get("text_channel_id")
        if not channel_id:
            return False
        channel = self.client.get_channel(int(channel_id))
        if not isinstance(channel, discord.abc.Messageable) or not can_post(channel):
            return False
        try:
            await channel.send(text, allowed_mentions=mentions)
        except discord.HTTPException:
            return False
        return True
