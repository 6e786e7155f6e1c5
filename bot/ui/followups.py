"""Answers after the first one: a follow-up while the interaction's token lives (fifteen
minutes), else a message to the member in the interaction's channel, else a DM."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

INVALID_WEBHOOK_TOKEN = 50027
UNKNOWN_WEBHOOK = 10015


def token_refused(error: discord.HTTPException) -> bool:
    """Discord refused the interaction's token: it expired, or the interaction is gone."""
    return error.status == 401 or error.code in (INVALID_WEBHOOK_TOKEN, UNKNOWN_WEBHOOK)


async def send_followup(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = True,
    allowed_mentions: discord.AllowedMentions | None = None,
) -> None:
    """``interaction.followup.send``, or the member told elsewhere once the token is dead."""
    if not interaction.is_expired():
        try:
            await interaction.followup.send(
                content,
                embed=embed or discord.utils.MISSING,
                ephemeral=ephemeral,
                allowed_mentions=allowed_mentions or discord.utils.MISSING,
            )
            return
        except discord.HTTPException as exc:
            if not token_refused(exc):
                raise
    await tell_elsewhere(interaction, content, embed=embed)


async def edit_original(interaction: discord.Interaction, content: str) -> None:
    """``interaction.edit_original_response``, or the new text told elsewhere."""
    if not interaction.is_expired():
        try:
            await interaction.edit_original_response(content=content)
            return
        except discord.HTTPException as exc:
            if not token_refused(exc):
                raise
    await tell_elsewhere(interaction, content)


async def tell_elsewhere(
    interaction: discord.Interaction,
    content: str | None,
    *,
    embed: discord.Embed | None = None,
) -> bool:
    """Post to the member in the interaction's channel, or DM them; ``False`` if neither went."""
    member = interaction.user
    mentions = discord.AllowedMentions(users=[member], everyone=False, roles=False)
    channel = interaction.channel
    if isinstance(channel, discord.abc.Messageable):
        text = f"{member.mention} {content}" if content else member.mention
        try:
            await channel.send(text[:2000], embed=embed, allowed_mentions=mentions)
            return True
        except discord.HTTPException as exc:
            log.info("could not post in channel %s (%s); sending a DM", interaction.channel_id, exc)
    try:
        await member.send(content, embed=embed, allowed_mentions=mentions)
        return True
    except discord.HTTPException as exc:
        log.warning(
            "could not tell user %s about interaction %s: %s", member.id, interaction.id, exc
        )
        return False
