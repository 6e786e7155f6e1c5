"""Who may stop or skip what plays: one rule for ``/stop``, ``/skip`` and the Stop button.

The member who started the play (a scheduled task's owner, or who ran ``/sound play``) and
Carillon admins; nobody else, whether or not they are in the voice channel.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.errors import InvalidInput, NotPermitted
from bot.services.bundle import services_of
from bot.ui.checks import is_admin
from bot.voice.ports import NowPlaying

NOTHING_PLAYING = "Nothing is playing in this server right now."


async def controlled_play(interaction: discord.Interaction, verb: str) -> NowPlaying:
    """What plays now in the interaction's server, if its member may ``verb`` it; else
    ``NotPermitted`` (or ``InvalidInput`` when nothing plays)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage
    now = services_of(interaction.client).player.now_playing(interaction.guild_id)
    if now is None:
        raise InvalidInput(NOTHING_PLAYING)
    if now.request.payer_id != interaction.user.id and not await is_admin(interaction):
        raise NotPermitted(
            f"Only the member who started this play or a Carillon admin can {verb} it."
        )
    return now
