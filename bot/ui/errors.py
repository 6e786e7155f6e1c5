"""The one error handler for app commands: the core's errors become ephemeral replies."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import CarillonError, NotPermitted
from bot.ui.followups import send_followup
from bot.ui.option_errors import option_problem

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong on our side and it has been logged. Please try again in a moment."
)
OUT_OF_DATE = (
    "This command is out of date in your Discord client: wait a minute for it to update "
    "(or restart Discord), then try again."
)


def message_for(error: Exception, interaction: discord.Interaction | None = None) -> str | None:
    """What to tell the member, or None for an unexpected error (logged, generic reply)."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        cause = error.__cause__ or getattr(error, "original", None)
        if isinstance(cause, Exception) and cause is not error:
            found = message_for(cause, interaction)
            if found is not None or isinstance(error, app_commands.CommandInvokeError):
                return found
    if isinstance(error, CarillonError):
        return str(error)
    if isinstance(error, app_commands.TransformerError):
        if interaction is None:
            return "One of the options has a value I cannot use: pick one from the list."
        return option_problem(error, interaction)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You are not allowed to use this command."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return OUT_OF_DATE
    return None


async def reply_error(interaction: discord.Interaction, text: str) -> None:
    """Answer ephemerally, whether or not the interaction was already answered or deferred (or
    its token has expired: then the member is told in the channel or by DM)."""
    content = f"❌ {text}"[:2000]
    mentions = discord.AllowedMentions.none()
    try:
        if interaction.response.is_done():
            await send_followup(interaction, content, allowed_mentions=mentions)
        else:
            await interaction.response.send_message(
                content, ephemeral=True, allowed_mentions=mentions
            )
    except discord.HTTPException:
        log.warning("could not send an error reply for interaction %s", interaction.id)


class Answering:
    """A component mixin: every press gets an answer, the core's errors as ephemeral replies
    and anything else logged with a generic one, as for commands. Subclasses write ``pressed``."""

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.pressed(interaction)
        except CarillonError as error:
            await reply_error(interaction, str(error))
        except Exception:
            log.exception(
                "component %s by user %s failed", type(self).__name__, interaction.user.id
            )
            await reply_error(interaction, UNEXPECTED)

    async def pressed(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    text = message_for(error, interaction)
    command = _command_name(interaction, error)
    if text is None:
        log.error(
            "command /%s by user %s in guild %s failed",
            command,
            interaction.user.id,
            interaction.guild_id,
            exc_info=error,
        )
        text = UNEXPECTED
    elif isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning("/%s does not match the commands registered here: %s", command, error)
    elif isinstance(error, app_commands.TransformerError):
        log.info("refused /%s for user %s: %s", command, interaction.user.id, error)
    elif isinstance(error, NotPermitted):
        log.info("refused /%s for user %s", command, interaction.user.id)
    await reply_error(interaction, text)


def _command_name(interaction: discord.Interaction, error: app_commands.AppCommandError) -> str:
    if interaction.command is not None:
        return interaction.command.qualified_name
    if isinstance(error, app_commands.CommandNotFound):
        return " ".join([*error.parents, error.name])
    return "?"
