"""Messages that stay true: the bot's confirmations of a task, public and ephemeral, are
redrawn whenever the task changes, so they never show a past "next run", a stale "runs left"
or a dead button; task lists (``/schedule list``, ``/admin tasks``) whenever a task of their
server changes.

Changes arriving together are coalesced: a task's messages are redrawn once per ``settle``
seconds at most, from the task as stored then, and an edit that would change nothing is not
sent. discord.py waits out Discord's rate limits (the emulator enforces them).

What is tracked is stored (``TrackedMessageService``), so a restart keeps the messages true:
``load`` takes them back and redraws what changed while the bot was away. A public message
is edited through its channel for as long as its task lives; an ephemeral reply only through
its interaction's token, which Discord honours for 15 minutes: it is dropped before that.
A message that is gone (10008 Unknown Message) or whose token Discord refuses is dropped.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from bot.clock import Clock
from bot.models.scheduled_task import LIVE_STATUSES, ScheduledTask
from bot.models.tracked_message import MessageKind, TrackedMessage
from bot.services.scheduler import SchedulerService
from bot.services.tracked_messages import TrackedMessageService
from bot.ui.buttons import ListScope, task_list_in, task_view
from bot.ui.tasks import task_embed

log = logging.getLogger(__name__)

_INVALID_WEBHOOK_TOKEN = 50027
# The messages this module keeps true ("now playing" is ``bot.ui.now_playing``'s).
KEPT_TRUE = (MessageKind.CONFIRMATION, MessageKind.REPLY)


@dataclass(slots=True)
class _Tracked:
    row_id: int
    channel_id: int
    message_id: int
    # A confirmation's title; a list's scope and page (``ListScope.read``).
    title: str
    token: str | None = None
    expires_at: datetime | None = None
    shown: str | None = None
    guild_id: int | None = None

    @classmethod
    def of(cls, row: TrackedMessage) -> _Tracked:
        return cls(
            row.id,
            row.channel_id,
            row.message_id,
            row.title,
            row.interaction_token,
            row.expires_at,
            row.shown,
            row.guild_id,
        )


def shown_digest(embed: discord.Embed, view: discord.ui.View) -> str:
    """What a message shows, as a digest: an edit to the same digest changes nothing."""
    shown = {"embed": embed.to_dict(), "buttons": [i.custom_id for i in view.children]}  # type: ignore[attr-defined]
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()


class TaskMessages:
    def __init__(
        self,
        client: discord.Client,
        scheduler: SchedulerService,
        store: TrackedMessageService,
        clock: Clock,
        *,
        settle: float = 0.25,
    ) -> None:
        self.client = client
        self.scheduler = scheduler
        self.store = store
        self.clock = clock
        self.settle = settle
        self._tracked: dict[int, list[_Tracked]] = {}
        # Task lists by message id.
        self._lists: dict[int, _Tracked] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()

    async def track(
        self,
        task: ScheduledTask,
        message: discord.Message | Any,
        embed: discord.Embed,
        view: discord.ui.View,
        *,
        interaction_token: str | None = None,
    ) -> None:
        """Keep ``message`` (showing ``embed`` and ``view``) true from now on; with
        ``interaction_token``, an ephemeral reply, for as long as the token lives."""
        channel_id = getattr(message, "channel_id", None) or message.channel.id
        row = await self.store.add(
            task.id,
            task.guild_id,
            channel_id,
            message.id,
            embed.title or "Task",
            interaction_token=interaction_token,
            shown=shown_digest(embed, view),
        )
        self._tracked.setdefault(task.id, []).append(_Tracked.of(row))

    async def track_list(
        self,
        guild_id: int,
        message: discord.Message | Any,
        scope_and_page: str,
        embed: discord.Embed,
        view: discord.ui.View,
        interaction_token: str,
    ) -> None:
        """Keep an ephemeral task list true while its token lives."""
        for expired in [k for k, t in self._lists.items() if self._expired(t)]:
            del self._lists[expired]
        channel_id = getattr(message, "channel_id", None) or message.channel.id
        row = await self.store.add(
            0,
            guild_id,
            channel_id,
            message.id,
            scope_and_page,
            interaction_token=interaction_token,
            kind=MessageKind.LIST,
            shown=shown_digest(embed, view),
        )
        self._lists[message.id] = _Tracked.of(row)

    async def list_moved(self, message_id: int, scope_and_page: str) -> None:
        """A tracked list now shows another page (its Previous / Next was pressed)."""
        tracked = self._lists.get(message_id)
        if tracked is not None:
            tracked.title, tracked.shown = scope_and_page, None
            await self.store.set_title(tracked.row_id, scope_and_page)

    def lists(self) -> int:
        return len(self._lists)

    async def load(self, guild_ids: Container[int] | None = None) -> int:
        """Take back the stored messages of this bot's servers (or of ``guild_ids`` only:
        servers taken over from a process that died) and redraw those whose task changed
        meanwhile; how many were taken back."""
        rows = await self.store.load((*KEPT_TRUE, MessageKind.LIST))
        if guild_ids is None:
            ours = [r for r in rows if r.guild_id is None or self.client.get_guild(r.guild_id)]
        else:
            ours = [r for r in rows if r.guild_id is not None and r.guild_id in guild_ids]
        for row in ours:
            if row.kind is MessageKind.LIST:
                self._lists[row.message_id] = _Tracked.of(row)
                continue
            known = self._tracked.setdefault(row.task_id, [])
            if all(tracked.row_id != row.id for tracked in known):
                known.append(_Tracked.of(row))
        for task_id in {row.task_id for row in ours if row.kind is not MessageKind.LIST}:
            self.changed(task_id)
        return len(ours)

    def tracked(self, task_id: int) -> int:
        return len(self._tracked.get(task_id, ()))

    def changed(self, task_id: int) -> None:
        """A task changed: redraw its messages soon (once for every change until then).

        One redraw per task at a time: a change while one is drawing asks for another."""
        if task_id not in self._tracked and not self._lists:
            return
        if task_id in self._pending:
            self._again.add(task_id)
            return
        redraw = asyncio.get_running_loop().create_task(self._redraw_later(task_id))
        self._pending[task_id] = redraw

    async def settled(self) -> None:
        """Wait until every redraw under way is done (tests)."""
        while self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)

    async def _redraw_later(self, task_id: int) -> None:
        try:
            while True:
                await asyncio.sleep(self.settle)
                # What changed until now is read by this redraw.
                self._again.discard(task_id)
                try:
                    await self._redraw(task_id)
                except Exception:
                    log.exception("task %s: redrawing its messages failed", task_id)
                if task_id not in self._again:
                    return
        finally:
            self._pending.pop(task_id, None)

    async def _redraw(self, task_id: int) -> None:
        task = await self.scheduler.get_task(task_id)
        if task is None:
            if self._tracked.pop(task_id, None) is not None:
                await self.store.drop_task(task_id, KEPT_TRUE)
            return
        if task_id in self._tracked:
            await self._redraw_task(task)
        if task.guild_id is not None and self._lists:
            await self._redraw_lists(task.guild_id)

    async def _redraw_task(self, task: ScheduledTask) -> None:
        messages = self._tracked.get(task.id, [])
        gone: list[int] = []
        for tracked in list(messages):
            embed = task_embed(task, title=tracked.title)
            if not await self._show(tracked, embed, task_view(task)):
                messages.remove(tracked)
                gone.append(tracked.row_id)
        if task.status not in LIVE_STATUSES or not messages:
            self._tracked.pop(task.id, None)
            await self.store.drop_task(task.id, KEPT_TRUE)
        elif gone:
            await self.store.drop(gone)

    async def _redraw_lists(self, guild_id: int) -> None:
        gone: list[int] = []
        for message_id, tracked in list(self._lists.items()):
            if tracked.guild_id != guild_id:
                continue
            read = ListScope.read(tracked.title)
            keep = read is not None and not self._expired(tracked)
            if read is not None and keep:
                embed, view = await task_list_in(self.client, guild_id, *read)
                keep = await self._show(tracked, embed, view)
            if not keep:
                self._lists.pop(message_id, None)
                gone.append(tracked.row_id)
        await self.store.drop(gone)

    def _expired(self, tracked: _Tracked) -> bool:
        return tracked.expires_at is not None and self.clock.now() >= tracked.expires_at

    async def _show(self, tracked: _Tracked, embed: discord.Embed, view: discord.ui.View) -> bool:
        """Edit the message to show ``embed`` and ``view`` unless it does already; False once
        it can no longer be edited (expired, deleted, token refused)."""
        if self._expired(tracked):
            return False
        shown = shown_digest(embed, view)
        if shown == tracked.shown:
            return True
        try:
            await self._edit(tracked, embed, view)
        except discord.NotFound:
            return False
        except discord.HTTPException as exc:
            if exc.code == _INVALID_WEBHOOK_TOKEN or exc.status == 401:
                return False
            log.info("could not redraw message %s: %s", tracked.message_id, exc)
            return True
        tracked.shown = shown
        await self.store.set_shown(tracked.row_id, shown)
        return True

    async def _edit(self, tracked: _Tracked, embed: discord.Embed, view: discord.ui.View) -> None:
        if tracked.token is None:
            channel = self.client.get_partial_messageable(tracked.channel_id)
            await channel.get_partial_message(tracked.message_id).edit(embed=embed, view=view)
            return
        application_id = self.client.application_id
        assert application_id is not None
        webhook = discord.Webhook.partial(application_id, tracked.token, client=self.client)
        # The reply's own words ("next run …") would go stale: the embed says it all now.
        await webhook.edit_message(tracked.message_id, content=None, embed=embed, view=view)


def task_messages_of(client: discord.Client) -> TaskMessages | None:
    """The bot's ``TaskMessages`` (a bare client, as in some tests, has none)."""
    found = getattr(client, "task_messages", None)
    return found if isinstance(found, TaskMessages) else None


async def send_tracked_list(
    interaction: discord.Interaction,
    scope: ListScope,
    *,
    embed: discord.Embed,
    view: discord.ui.View,
) -> None:
    """Answer with the first page of an ephemeral task list and keep it true."""
    response = await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
    messages = task_messages_of(interaction.client)
    message = getattr(response, "resource", None)
    if messages is None or interaction.guild_id is None:
        return
    if isinstance(message, discord.InteractionMessage):
        await messages.track_list(
            interaction.guild_id,
            message,
            scope.custom_id("at", 0),
            embed,
            view,
            interaction.token,
        )


async def send_tracked(
    interaction: discord.Interaction,
    task: ScheduledTask,
    *,
    embed: discord.Embed,
    view: discord.ui.View,
    content: str | None = None,
    ephemeral: bool = False,
) -> None:
    """Answer with a task confirmation (public, or an ``ephemeral`` reply) and keep it true."""
    response = await interaction.response.send_message(
        content, embed=embed, view=view, ephemeral=ephemeral
    )
    messages = task_messages_of(interaction.client)
    message = getattr(response, "resource", None)
    if task.status not in LIVE_STATUSES or messages is None:
        return
    if isinstance(message, discord.InteractionMessage):
        token = interaction.token if ephemeral else None
        await messages.track(task, message, embed, view, interaction_token=token)
