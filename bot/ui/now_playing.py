"""The "now playing" message: posted where a scheduled play was set up, with Stop, Pause and
Cancel; when the play ends it says "Played" (and for how long) or "Stopped", buttons gone."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.permissions import can_post
from bot.services.bundle import services_of
from bot.ui.buttons import now_playing_view
from bot.ui.formatting import safe
from bot.ui.tasks import CANCELLED_COLOUR as ENDED_COLOUR
from bot.ui.tasks import COLOUR
from bot.voice.play import PlayRequest, PlayResult
from bot.voice.ports import NowPlaying

log = logging.getLogger(__name__)

ENDED_EDIT_SPACING_SECONDS = 0.5


class NowPlayingPoster:
    """The player's ``on_start`` port: one message per scheduled play (``/sound play`` answers
    its member itself)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        # The message of each request still playing, to edit when it ends.
        self._posted: dict[PlayRequest, discord.Message] = {}
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
            title="🔔 Now playing",
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
            self._posted[request] = await channel.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("now playing: could not post in %s: %s", channel_id, exc)

    async def ended(self, now: NowPlaying, result: PlayResult) -> None:
        """Turn the message into what happened, without buttons: none of them applies now."""
        message = self._posted.pop(now.request, None)
        if message is None or not message.embeds:
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


def played_for(seconds: float) -> str:
    """ "0:04", "1:02:03": the length of a play as a clock shows it."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
