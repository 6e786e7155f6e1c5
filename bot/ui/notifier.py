"""Tells a task's owner that it failed: in the channel where it was scheduled, else by DM."""

from __future__ import annotations

import logging

import discord

from bot.models.scheduled_task import ScheduledTask
from bot.permissions import can_post
from bot.services.task_parameters import RechargeParameters, readable_parameters
from bot.ui.formatting import safe
from bot.ui.tasks import TASK_NAME_LIMIT

log = logging.getLogger(__name__)


class DiscordNotifier:
    """The ``TaskNotifier`` of a connected bot."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def task_failed(self, task: ScheduledTask, reason: str) -> None:
        """The owner, or for a system task the admin who scheduled it (if any), is told."""
        parameters = readable_parameters(task)
        owner = task.user_id
        if owner is None and isinstance(parameters, RechargeParameters):
            owner = parameters.created_by
        if owner is None:
            log.warning("system task %s (%s) failed: %s", task.id, task.name, reason)
            return
        name = safe(task.name, TASK_NAME_LIMIT)
        text = f"⚠️ <@{owner}> your task {task.ref} **{name}** failed: {safe(reason, 1500)}"
        mentions = discord.AllowedMentions(users=[discord.Object(owner)])
        channel_id = parameters.text_channel_id if parameters is not None else None
        if await self._in_channel(channel_id, text, mentions):
            return
        try:
            user = self.client.get_user(owner) or await self.client.fetch_user(owner)
            await user.send(text)
        except discord.HTTPException:
            log.warning("could not tell user %s that task %s failed", owner, task.id)

    async def _in_channel(
        self, channel_id: int | None, text: str, mentions: discord.AllowedMentions
    ) -> bool:
        if not channel_id:
            return False
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable) or not can_post(channel):
            return False
        try:
            await channel.send(text, allowed_mentions=mentions)
        except discord.HTTPException:
            return False
        return True
