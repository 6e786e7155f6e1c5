"""The "now playing" message: posted where a scheduled play was set up, with Stop, Pause and
Cancel; when the play ends it says "Played" (and for how long) or "Stopped", buttons gone.

Each message is stored while its play runs; one still stored when the bot starts belongs to
a play a restart cut short, and says so (``cut_short_by_restart``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Container

import discord
from sqlalchemy.exc import SQLAlchemyError

from bot.models.tracked_message import MessageKind
from bot.permissions import can_post
from bot.services.bundle import services_of
from bot.services.tracked_messages import TrackedMessageService
from bot.ui.buttons import now_playing_view
from bot.ui.formatting import safe
from bot.ui.tasks import CANCELLED_COLOUR as ENDED_COLOUR
from bot.ui.tasks import COLOUR
from bot.voice.play import PlayRequest, PlayResult
from bot.voice.ports import NowPlaying

log = logging.getLogger(__name__)

ENDED_EDIT_SPACING_SECONDS = 0.5
NOW_PLAYING_TITLE = "🔔 Now playing"
CUT_SHORT_TITLE = "⏹️ Cut short"
CUT_SHORT_LINE = "A restart cut this play short."


class NowPlayingPoster:
    """The player's ``on_start`` port: one message per scheduled play (``/sound play`` answers
    its member itself)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        # The message of each request still playing (and its stored row), to edit when it ends.
        self._posted: dict[PlayRequest, tuple[discord.Message, int | None]] = {}
        # The end-of-play edits go one at a time, paced: they are worth less than the posts
        # of plays starting, which they must not crowd out of the global rate limit.
        self._edits = asyncio.Lock()
        self._pending: set[asyncio.Task[None]] = set()

    async def __call__(self, now: NowPlaying) -> None:
        request = now.request
        if request.text_channel_id is None or request.task_id is None or not request.announce:
            return
        server = await services_of(self.client).settings.guild(request.guild_id)
        if not server.announces:
            return
        channel_id = server.announcement_channel_id or request.text_channel_id
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.info("now playing: channel %s is gone", channel_id)
            return
        if not can_post(channel):
            log.info("now playing: no permission to post in %s", channel_id)
            return
        embed = discord.Embed(
            title=NOW_PLAYING_TITLE,
            description=f"**{safe(now.sound.name)}** in <#{now.voice_channel_id}>",
            colour=COLOUR,
        )
        if request.replay:
            embed.description = f"{embed.description}\nPlaying again: a restart cut it short."
        name = f" · {request.task_name[:100]}" if request.task_name is not None else ""
        number = request.task_number
        embed.set_footer(text=f"Task {f'#{number}' if number else 'system task'}{name}")
        if request.payer_id is not None:
            embed.add_field(name="For", value=f"<@{request.payer_id}>")
        cancel = request.task_id if request.cancellable else None
        view = now_playing_view(request.guild_id, cancel)
        try:
            message = await channel.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("now playing: could not post in %s: %s", channel_id, exc)
            return
        self._posted[request] = (message, await self._store(request, message))

    async def _store(self, request: PlayRequest, message: discord.Message) -> int | None:
        assert request.task_id is not None
        try:
            row = await services_of(self.client).tracked_messages.add(
                request.task_id,
                request.guild_id,
                message.channel.id,
                message.id,
                NOW_PLAYING_TITLE,
                kind=MessageKind.NOW_PLAYING,
            )
        except SQLAlchemyError:
            log.warning("now playing: could not store message %s", message.id, exc_info=True)
            return None
        return row.id

    async def ended(self, now: NowPlaying, result: PlayResult) -> None:
        """Turn the message into what happened, without buttons: none of them applies now."""
        posted = self._posted.pop(now.request, None)
        if posted is None:
            return
        message, row_id = posted
        if row_id is not None:
            await services_of(self.client).tracked_messages.drop([row_id])
        if not message.embeds:
            return
        embed = message.embeds[0]
        embed.description = embed.description or ""
        duration = played_for(result.played_seconds)
        if result.stopped:
            by = result.details.get("stopped_by")
            embed.title = "⏹️ Stopped"
            who = f" by <@{by}>" if isinstance(by, int) else ""
            embed.description += f"\nStopped{who} after {duration}."
        else:
            embed.title = "✅ Played"
            embed.description += f"\nPlayed for {duration}."
        embed.colour = ENDED_COLOUR
        edit = asyncio.get_running_loop().create_task(self._edit(message, embed))
        self._pending.add(edit)
        edit.add_done_callback(self._pending.discard)

    async def _edit(self, message: discord.Message, embed: discord.Embed) -> None:
        async with self._edits:
            try:
                await message.edit(embed=embed, view=None)
            except discord.HTTPException as exc:
                log.info("now playing: could not update message %s: %s", message.id, exc)
            await asyncio.sleep(ENDED_EDIT_SPACING_SECONDS)


async def cut_short_by_restart(
    client: discord.Client,
    store: TrackedMessageService,
    guild_ids: Container[int] | None = None,
) -> int:
    """Turn the "now playing" messages a restart left behind (in this bot's servers, or in
    ``guild_ids`` only: servers taken over from a process that died) into what happened,
    buttons gone; how many were found. One deleted meanwhile is forgotten."""
    rows = await store.load([MessageKind.NOW_PLAYING])
    ours = [
        row
        for row in rows
        if row.guild_id is not None
        and (client.get_guild(row.guild_id) if guild_ids is None else row.guild_id in guild_ids)
    ]
    for row in ours:
        channel = client.get_partial_messageable(row.channel_id)
        try:
            message = await channel.fetch_message(row.message_id)
            embed = message.embeds[0] if message.embeds else discord.Embed()
            embed.title = CUT_SHORT_TITLE
            embed.description = f"{embed.description or ''}\n{CUT_SHORT_LINE}".strip()
            embed.colour = ENDED_COLOUR
            await message.edit(embed=embed, view=None)
        except discord.NotFound:
            pass
        except discord.HTTPException as exc:
            log.info("now playing: could not mark message %s cut short: %s", row.message_id, exc)
            continue
        await store.drop([row.id])
    return len(ours)


def played_for(seconds: float) -> str:
    """ "0:04", "1:02:03": the length of a play as a clock shows it."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
