"""What the bot needs in a server: the permissions its code checks, which the invite asks for.

Every check of the bot's own permissions reads these tuples, and ``python -m bot invite``
computes its permission integer from them, so the link never asks for less than the code uses.
"""

from __future__ import annotations

import discord

Needed = tuple[tuple[str, str], ...]

# Checked before joining a voice channel (scheduling and playing).
VOICE: Needed = (("view_channel", "View Channel"), ("connect", "Connect"), ("speak", "Speak"))
# Checked before posting "Now playing" and failure notices in a text channel.
POSTING: Needed = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)
# Checked before sending a soundboard sound natively (else it is streamed).
SOUNDBOARD: Needed = (("speak", "Speak"), ("use_soundboard", "Use Soundboard"))
# Checked before /sound export puts a library sound on the server's soundboard.
EXPRESSIONS: Needed = (("create_expressions", "Create Expressions"),)
# Checked before showing what plays as the voice channel's status (else it is left alone).
VOICE_STATUS: Needed = (("set_voice_channel_status", "Set Voice Channel Status"),)
EVERYTHING: Needed = tuple(dict.fromkeys(VOICE + POSTING + SOUNDBOARD + EXPRESSIONS + VOICE_STATUS))

# discord.Intents flag -> its switch under Bot -> Privileged Gateway Intents.
PRIVILEGED_INTENTS = {
    "presences": "Presence Intent",
    "members": "Server Members Intent",
    "message_content": "Message Content Intent",
}


def missing(permissions: discord.Permissions, needed: Needed) -> list[str]:
    """The labels of ``needed`` that ``permissions`` lacks, in order."""
    return [label for flag, label in needed if not getattr(permissions, flag)]


def can_post(channel: object) -> bool:
    """Whether the bot may post an embed in ``channel``; DMs and unknown kinds are tried."""
    guild = getattr(channel, "guild", None)
    if guild is None or not isinstance(channel, discord.abc.GuildChannel):
        return True
    return not missing(channel.permissions_for(guild.me), POSTING)


def invite_permissions() -> discord.Permissions:
    return discord.Permissions(**dict.fromkeys((flag for flag, _ in EVERYTHING), True))


def privileged(intents: discord.Intents) -> list[str]:
    """The portal names of the privileged intents ``intents`` asks for."""
    return [label for flag, label in PRIVILEGED_INTENTS.items() if getattr(intents, flag)]
