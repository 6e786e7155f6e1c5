"""The "now playing" message: posted where a scheduled play was set up, with Stop and Cancel."""

from __future__ import annotations

import logging

import discord

from bot.permissions import can_post
from bot.ui.buttons import now_playing_view
from bot.ui.formatting import safe
from bot.ui.tasks import COLOUR
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
        name = f" · {request.task_name[:100]}" if request.task_name is not None else ""
        embed.set_footer(text=f"Task #{request.task_id}{name}")
        if request.payer_id is not None:
            embed.add_field(name="For", value=f"<@{request.payer_id}>")
        cancel = request.task_id if request.cancellable else None
        view = now_playing_view(request.guild_id, cancel)
        try:
            await channel.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("now playing: could not post in %s: %s", request.text_channel_id, exc)
