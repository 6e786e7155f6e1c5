"""Messages that stay true: the bot's public confirmations of a task are redrawn whenever the
task changes, so they never show a past "next run", a stale "runs left" or a dead button.

Changes arriving together are coalesced: a task's messages are redrawn once per ``settle``
seconds at most, from the task as stored then, and an edit that would change nothing is not
sent. discord.py waits out Discord's rate limits (the emulator enforces them).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import discord

from bot.models.scheduled_task import LIVE_STATUSES
from bot.services.scheduler import SchedulerService
from bot.ui.buttons import task_view
from bot.ui.tasks import task_embed

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Tracked:
    channel_id: int
    message_id: int
    title: str
    shown: dict[str, Any] | None = None


class TaskMessages:
    def __init__(
        self, client: discord.Client, scheduler: SchedulerService, *, settle: float = 0.25
    ) -> None:
        self.client = client
        self.scheduler = scheduler
        self.settle = settle
        self._tracked: dict[int, list[_Tracked]] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}

    def track(self, task_id: int, message: discord.Message | Any, title: str) -> None:
        """Keep ``message`` (a public confirmation of the task) true from now on."""
        channel_id = getattr(message, "channel_id", None) or message.channel.id
        self._tracked.setdefault(task_id, []).append(_Tracked(channel_id, message.id, title))

    def tracked(self, task_id: int) -> int:
        return len(self._tracked.get(task_id, ()))

    def changed(self, task_id: int) -> None:
        """A task changed: redraw its messages soon (once for every change until then)."""
        if task_id not in self._tracked or task_id in self._pending:
            return
        redraw = asyncio.get_running_loop().create_task(self._redraw_later(task_id))
        self._pending[task_id] = redraw

    async def settled(self) -> None:
        """Wait until every redraw under way is done (tests)."""
        while self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)

    async def _redraw_later(self, task_id: int) -> None:
        try:
            await asyncio.sleep(self.settle)
        finally:
            self._pending.pop(task_id, None)
        try:
            await self._redraw(task_id)
        except Exception:
            log.exception("task %s: redrawing its messages failed", task_id)

    async def _redraw(self, task_id: int) -> None:
        task = await self.scheduler.get_task(task_id)
        messages = self._tracked.get(task_id, [])
        if task is None:
            self._tracked.pop(task_id, None)
            return
        for tracked in list(messages):
            embed = task_embed(task, title=tracked.title)
            view = task_view(task)
            shown = {"embed": embed.to_dict(), "buttons": [i.custom_id for i in view.children]}  # type: ignore[attr-defined]
            if shown == tracked.shown:
                continue
            channel = self.client.get_partial_messageable(tracked.channel_id)
            try:
                await channel.get_partial_message(tracked.message_id).edit(embed=embed, view=view)
            except discord.NotFound:
                messages.remove(tracked)
                continue
            except discord.HTTPException as exc:
                log.info(
                    "task %s: could not redraw message %s: %s", task_id, tracked.message_id, exc
                )
                continue
            tracked.shown = shown
        if task.status not in LIVE_STATUSES or not messages:
            self._tracked.pop(task_id, None)


def task_messages_of(client: discord.Client) -> TaskMessages | None:
    """The bot's ``TaskMessages`` (a bare client, as in some tests, has none)."""
    found = getattr(client, "task_messages", None)
    return found if isinstance(found, TaskMessages) else None


async def send_tracked(
    interaction: discord.Interaction,
    task_id: int,
    *,
    embed: discord.Embed,
    view: discord.ui.View,
    content: str | None = None,
) -> None:
    """Answer with a public task confirmation and keep it true."""
    response = await interaction.response.send_message(content, embed=embed, view=view)
    messages = task_messages_of(interaction.client)
    message = getattr(response, "resource", None)
    if messages is not None and isinstance(message, discord.InteractionMessage):
        messages.track(task_id, message, embed.title or "Task")
