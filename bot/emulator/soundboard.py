"""Guild soundboards: the sounds (list, CDN file, create, edit, delete) and sending one natively.

Discord's rules hold: creating needs Create Expressions (editing or deleting another member's
sound Manage Expressions), names are 2–32 characters, files MP3 of at most 512 KB and 5.2 s,
eight sounds per server without boosts. ``send-soundboard-sound`` needs Speak and Use
Soundboard in the channel (Use External Sounds for another server's sound), the sender in that
voice channel (50168) and not deafened, server-muted or suppressed (50167). A send is recorded
in ``sent`` with who heard it, and members in the channel get VOICE_CHANNEL_EFFECT_SEND.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.audio.transcode import measure
from bot.emulator.model import Guild, Member, Permission, User, snowflake
from bot.emulator.rest import API_PREFIX, error, json_response, no_content, read_body

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

MAX_SOUND_BYTES = 512 * 1024
MAX_SOUND_SECONDS = 5.2
NAME_LENGTH = (2, 32)
SLOTS_WITHOUT_BOOSTS = 8
GUILD_EXPRESSIONS_INTENT = 1 << 3
_MP3_DATA_URI = "data:audio/mpeg;base64,"
_OGG_DATA_URI = "data:audio/ogg;base64,"


@dataclass
class SoundboardSound:
    id: int
    guild_id: int
    name: str
    data: bytes
    user: User
    volume: float = 1.0
    emoji_id: int | None = None
    emoji_name: str | None = None
    available: bool = True

    def payload(self) -> dict[str, Any]:
        return {
            "sound_id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "volume": self.volume,
            "emoji_id": str(self.emoji_id) if self.emoji_id else None,
            "emoji_name": self.emoji_name,
            "available": self.available,
            "user_id": str(self.user.id),
            "user": self.user.payload(),
        }


@dataclass(frozen=True, slots=True)
class NativeSend:
    """One sound the bot sent natively: where, when (monotonic) and which members heard it."""

    guild_id: int
    channel_id: int
    sound_id: int
    source_guild_id: int
    at: float
    heard_by: tuple[int, ...] = field(default_factory=tuple)


def _form_error(field_name: str, code: str, message: str) -> web.Response:
    body = {
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": {field_name: {"_errors": [{"code": code, "message": message}]}},
    }
    return json_response(body, 400)


def _missing_permissions() -> web.Response:
    return error(403, "Missing Permissions", 50013)


class Soundboard:
    """The soundboard routes and state of an ``Emulator``."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.sent: list[NativeSend] = []
        self.downloads: list[int] = []

    def routes(self) -> list[web.RouteDef]:
        p = f"{API_PREFIX}/guilds/{{guild_id}}/soundboard-sounds"
        return [
            web.get(p, self.list_sounds),
            web.post(p, self.create_sound),
            web.get(f"{p}/{{sound_id}}", self.get_sound),
            web.patch(f"{p}/{{sound_id}}", self.edit_sound),
            web.delete(f"{p}/{{sound_id}}", self.delete_sound),
            web.post(
                f"{API_PREFIX}/channels/{{channel_id}}/send-soundboard-sound", self.send_sound
            ),
            web.get("/soundboard-sounds/{sound_id}", self.download),
        ]

    # what tests call

    def add(
        self,
        guild: Guild,
        name: str,
        data: bytes,
        *,
        emoji_name: str | None = None,
        emoji_id: int | None = None,
        user: Member | None = None,
    ) -> SoundboardSound:
        """A sound a member put on the server's soundboard (dispatched if the bot is online)."""
        creator = user.user if user is not None else guild.members[guild.owner_id].user
        sound = SoundboardSound(
            snowflake(), guild.id, name, data, creator, emoji_id=emoji_id, emoji_name=emoji_name
        )
        guild.soundboard[sound.id] = sound
        self.emulator._later(self._dispatch("GUILD_SOUNDBOARD_SOUND_CREATE", sound.payload()))
        return sound

    async def delete(self, sound: SoundboardSound) -> None:
        """A member removes ``sound`` from the soundboard."""
        guild = self.emulator.guilds[sound.guild_id]
        guild.soundboard.pop(sound.id, None)
        event = {"sound_id": str(sound.id), "guild_id": str(sound.guild_id)}
        await self._dispatch("GUILD_SOUNDBOARD_SOUND_DELETE", event)

    async def rename(self, sound: SoundboardSound, name: str) -> None:
        sound.name = name
        await self._dispatch("GUILD_SOUNDBOARD_SOUND_UPDATE", sound.payload())

    def sent_in(self, guild: Guild | int) -> list[NativeSend]:
        guild_id = guild if isinstance(guild, int) else guild.id
        return [s for s in self.sent if s.guild_id == guild_id]

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        await self.emulator.gateway.dispatch(event, data, intent=GUILD_EXPRESSIONS_INTENT)
        self.emulator.changed.notify()

    # REST

    def _guild(self, request: web.Request) -> Guild | web.Response:
        guild = self.emulator.guilds.get(int(request.match_info["guild_id"]))
        return guild if guild is not None else error(404, "Unknown Guild", 10004)

    def _sound(self, request: web.Request) -> tuple[Guild, SoundboardSound] | web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        raw = request.match_info["sound_id"]
        sound = guild.soundboard.get(int(raw)) if raw.isdigit() else None
        if sound is None:
            return error(404, "Unknown Sound", 10097)
        return guild, sound

    def _may_manage(self, guild: Guild, sound: SoundboardSound | None) -> bool:
        """Create Expressions for one's own sounds, Manage Expressions for anyone's."""
        permissions = guild.base_permissions(self.emulator.bot_member(guild))
        if permissions & Permission.MANAGE_EXPRESSIONS:
            return True
        own = sound is None or sound.user.id == self.emulator.bot_user.id
        return own and bool(permissions & Permission.CREATE_EXPRESSIONS)

    async def list_sounds(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        return json_response({"items": [s.payload() for s in guild.soundboard.values()]})

    async def get_sound(self, request: web.Request) -> web.Response:
        found = self._sound(request)
        return found if isinstance(found, web.Response) else json_response(found[1].payload())

    async def create_sound(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        if not self._may_manage(guild, None):
            return _missing_permissions()
        payload, _ = await read_body(request)
        name = payload.get("name")
        if refusal := _name_refusal(name):
            return refusal
        data = _decode_sound(payload.get("sound"))
        if isinstance(data, web.Response):
            return data
        if len(data) > MAX_SOUND_BYTES:
            return _form_error(
                "sound", "BINARY_TYPE_MAX_SIZE", f"File cannot be larger than {MAX_SOUND_BYTES}."
            )
        try:
            seconds, _ = await asyncio.to_thread(measure, data)
        except Exception:
            return _form_error("sound", "BINARY_TYPE_INVALID", "Invalid audio file.")
        if seconds > MAX_SOUND_SECONDS:
            return _form_error(
                "sound",
                "SOUNDBOARD_SOUND_DURATION_TOO_LONG",
                f"Sound duration must be at most {MAX_SOUND_SECONDS} seconds.",
            )
        if len(guild.soundboard) >= SLOTS_WITHOUT_BOOSTS:
            return error(
                400,
                f"Maximum number of soundboard sounds reached ({SLOTS_WITHOUT_BOOSTS})",
                30045,
            )
        sound = SoundboardSound(
            snowflake(),
            guild.id,
            str(name),
            data,
            self.emulator.bot_user,
            volume=float(payload.get("volume") or 1.0),
            emoji_id=int(payload["emoji_id"]) if payload.get("emoji_id") else None,
            emoji_name=payload.get("emoji_name"),
        )
        guild.soundboard[sound.id] = sound
        await self._dispatch("GUILD_SOUNDBOARD_SOUND_CREATE", sound.payload())
        return json_response(sound.payload())

    async def edit_sound(self, request: web.Request) -> web.Response:
        found = self._sound(request)
        if isinstance(found, web.Response):
            return found
        guild, sound = found
        if not self._may_manage(guild, sound):
            return _missing_permissions()
        payload, _ = await read_body(request)
        if "name" in payload:
            if refusal := _name_refusal(payload["name"]):
                return refusal
            sound.name = payload["name"]
        # Discord clears what a PATCH leaves out.
        sound.volume = float(payload.get("volume") or 1.0)
        sound.emoji_id = int(payload["emoji_id"]) if payload.get("emoji_id") else None
        sound.emoji_name = payload.get("emoji_name")
        await self._dispatch("GUILD_SOUNDBOARD_SOUND_UPDATE", sound.payload())
        return json_response(sound.payload())

    async def delete_sound(self, request: web.Request) -> web.Response:
        found = self._sound(request)
        if isinstance(found, web.Response):
            return found
        guild, sound = found
        if not self._may_manage(guild, sound):
            return _missing_permissions()
        await self.delete(sound)
        return no_content()

    async def download(self, request: web.Request) -> web.Response:
        """The CDN: a sound's file, served as it was uploaded."""
        raw = request.match_info["sound_id"]
        for guild in self.emulator.guilds.values():
            sound = guild.soundboard.get(int(raw)) if raw.isdigit() else None
            if sound is not None:
                self.downloads.append(sound.id)
                content_type = "audio/ogg" if sound.data.startswith(b"OggS") else "audio/mpeg"
                return web.Response(body=sound.data, content_type=content_type)
        return web.Response(status=404, text="no such sound")

    async def send_sound(self, request: web.Request) -> web.Response:
        emulator = self.emulator
        channel = emulator.find_channel(int(request.match_info["channel_id"]))
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        if not channel.is_voice:
            return error(400, "Cannot execute action on this channel type", 50024)
        guild = emulator.guilds[channel.guild_id]
        payload, _ = await read_body(request)
        raw_sound = str(payload.get("sound_id") or "")
        if not raw_sound.isdigit():
            return _form_error("sound_id", "BASE_TYPE_REQUIRED", "This field is required")
        source_guild_id = int(payload.get("source_guild_id") or guild.id)
        bot = emulator.bot_member(guild)
        permissions = guild.permissions_in(bot, channel)
        needed = Permission.SPEAK | Permission.USE_SOUNDBOARD
        if source_guild_id != guild.id:
            needed |= Permission.USE_EXTERNAL_SOUNDS
        if permissions & needed != needed:
            return _missing_permissions()
        state = guild.voice_states.get(bot.id)
        if state is None or state.channel_id != channel.id:
            return error(400, "User must be in voice channel to send voice channel effect", 50168)
        if state.deaf or state.self_deaf or state.mute or state.suppress:
            return error(
                403,
                "Cannot send voice effect when user is server muted, deafened, or suppressed",
                50167,
            )
        source = emulator.guilds.get(source_guild_id)
        sound = source.soundboard.get(int(raw_sound)) if source is not None else None
        if sound is None:
            return error(404, "Unknown Sound", 10097)
        if not sound.available:
            return error(400, "This soundboard sound is not available", 50035)
        heard_by = tuple(u for u in guild.members_in(channel.id) if u != bot.id)
        self.sent.append(
            NativeSend(guild.id, channel.id, sound.id, source_guild_id, time.monotonic(), heard_by)
        )
        effect = {
            "channel_id": str(channel.id),
            "guild_id": str(guild.id),
            "user_id": str(bot.id),
            "sound_id": str(sound.id),
            "sound_volume": sound.volume,
            "emoji": (
                {"id": None, "name": sound.emoji_name} if sound.emoji_name is not None else None
            ),
            "animation_type": 0,
            "animation_id": 0,
        }
        await emulator.gateway.dispatch("VOICE_CHANNEL_EFFECT_SEND", effect)
        emulator.changed.notify()
        return no_content()


def _name_refusal(name: Any) -> web.Response | None:
    low, high = NAME_LENGTH
    if not isinstance(name, str) or not low <= len(name) <= high:
        return _form_error(
            "name", "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
        )
    return None


def _decode_sound(uri: Any) -> bytes | web.Response:
    if not isinstance(uri, str):
        return _form_error("sound", "BASE_TYPE_REQUIRED", "This field is required")
    for prefix in (_MP3_DATA_URI, _OGG_DATA_URI):
        if uri.startswith(prefix):
            try:
                return base64.b64decode(uri[len(prefix) :], validate=True)
            except binascii.Error:
                break
    return _form_error("sound", "BINARY_TYPE_INVALID", "Invalid audio file.")
