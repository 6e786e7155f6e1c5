"""A local Discord-compatible server for tests and ``python -m bot demo``."""

from bot.emulator.actor import Actor, Choice
from bot.emulator.audio import CapturedAudio, OpusPacket
from bot.emulator.faults import Fault, RecordedRequest
from bot.emulator.interactions import NoResponseError, Reply
from bot.emulator.model import (
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Overwrite,
    Permission,
    Role,
    User,
)
from bot.emulator.server import Emulator

__all__ = [
    "Actor",
    "Attachment",
    "CapturedAudio",
    "Channel",
    "ChannelType",
    "Choice",
    "Emulator",
    "Fault",
    "Guild",
    "Member",
    "Message",
    "NoResponseError",
    "OpusPacket",
    "Overwrite",
    "Permission",
    "RecordedRequest",
    "Reply",
    "Role",
    "User",
]
