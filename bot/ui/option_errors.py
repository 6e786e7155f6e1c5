"""What to tell a member whose option discord.py could not convert (a ``TransformerError``).

Discord's client only offers valid values, so these come from a client that skips its checks
or from a stale command: a ``repeat`` outside its choices, a text channel given as a voice one.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.ui.formatting import safe

_CHANNEL_WORDS = {
    discord.ChannelType.text: "text",
    discord.ChannelType.voice: "voice",
    discord.ChannelType.stage_voice: "stage",
    discord.ChannelType.news: "announcement",
    discord.ChannelType.forum: "forum",
    discord.ChannelType.media: "media",
    discord.ChannelType.category: "category",
}


def option_problem(error: app_commands.TransformerError, interaction: discord.Interaction) -> str:
    parameter = _parameter_of(error, interaction)
    name = f"`{parameter.display_name}`" if parameter is not None else "An option"
    fix = "pick one from the list" + ("" if _required(parameter) else ", or leave it out")
    if parameter is not None and parameter.choices:
        allowed = ", ".join(f"`{choice.value}`" for choice in parameter.choices)
        return f"{name} must be one of {allowed}; {_shown(error.value)} is not one: {fix}."
    if error.type is discord.AppCommandOptionType.channel:
        kinds = _channel_kinds(parameter.channel_types if parameter is not None else [])
        shown = getattr(error.value, "mention", None) or "that channel"
        return f"{name} must be {kinds}, and {shown} is not one: {fix}."
    if error.type in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
        return f"{name} must be a member of this server: {fix}."
    return f"{name} cannot be {_shown(error.value)}: {fix}."


def _parameter_of(
    error: app_commands.TransformerError, interaction: discord.Interaction
) -> app_commands.Parameter | None:
    """The parameter whose raw value failed: the error itself names only the value."""
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return None
    namespace: Any = interaction.namespace
    for parameter in command.parameters:
        if getattr(namespace, parameter.display_name, None) is error.value:
            return parameter
    return None


def _required(parameter: app_commands.Parameter | None) -> bool:
    return parameter is None or parameter.required


def _shown(value: object) -> str:
    return f"“{safe(str(value), 40)}”"


def _channel_kinds(types: list[discord.ChannelType]) -> str:
    words = list(dict.fromkeys(_CHANNEL_WORDS.get(kind, "other") for kind in types))
    if not words:
        return "a channel of the right kind"
    joined = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    article = "an" if joined[0] in "aeiou" else "a"
    return f"{article} {joined} channel"
