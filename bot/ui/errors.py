"""The one error handler for app commands: the core's errors become ephemeral replies."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import CarillonError, NotPermitted

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong on our side and it has been logged. Please try again in a moment."
)


def message_for(error: Exception) -> str | None:
    """What to tell the member, or None for an unexpected error (logged, generic reply)."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        cause = error.__cause__ or getattr(error, "original", None)
        if isinstance(cause, Exception) and cause is not error:
            return message_for(cause)
    if isinstance(error, CarillonError):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You are not allowed to use this command."
    return None


async def reply_error(interaction: discord.Interaction, text: str) -> None:
    """Answer ephemerally, whether or not the interaction was already answered or deferred."""
    content = f"❌ {text}"[:2000]
    mentions = discord.AllowedMentions.none()
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=mentions)
        else:
            await interaction.response.send_message(
                content, ephemeral=True, allowed_mentions=mentions
            )
    except discord.HTTPException:
        log.warning("could not send an error reply for interaction %s", interaction.id)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    text = message_for(error)
    if text is None:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "command /%s by user %s in guild %s failed",
            command,
            interaction.user.id,
            interaction.guild_id,
            exc_info=error,
        )
        text = UNEXPECTED
    elif isinstance(error, NotPermitted):
        log.info("refused /%s for user %s", interaction.command, interaction.user.id)
    await reply_error(interaction, text)
