"""The emulator: one aiohttp server with REST, the gateway and the voice gateway, and its state."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulator import voice_moves
from bot.emulator.actor import Actor
from bot.emulator.audio import CapturedAudio
from bot.emulator.faults import Fault, FaultPlan, RecordedRequest
from bot.emulator.gateway import (
    IDENTIFY_WINDOW,
    MAX_CONCURRENCY,
    PRIVILEGED_INTENTS,
    RESUME_WINDOW,
    SESSION_START_RESET,
    SESSION_START_TOTAL,
    Gateway,
)
from bot.emulator.interactions import ANSWER_WINDOW, TOKEN_LIFETIME, InteractionRecord
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
    VoiceState,
    add_channel,
    add_member,
    add_role,
    iso_now,
    new_guild,
    snowflake,
)
from bot.emulator.oauth import OAuth2
from bot.emulator.ratelimits import RateLimiter, RateLimitPolicy
from bot.emulator.rest import (
    API_PREFIX,
    Rest,
    cloudflare_ban,
    json_response,
    route_of,
    unauthorized,
)
from bot.emulator.signal import Changed
from bot.emulator.soundboard import Soundboard
from bot.emulator.tls import ThrowawayCA
from bot.emulator.voice import VoiceServer
from bot.emulator.voice_moves import CALL_TERMINATED, DISCONNECTED, end_call, move_voice

_log = logging.getLogger(__name__)

# Voice gateway endpoints, so that a guild's voice can move to another voice server.
VOICE_ENDPOINTS = 2


class Emulator:
    """A Discord-compatible server on loopback that the unmodified discord.py client talks to.

    Configure guilds before the bot connects (or after: changes are dispatched as gateway
    events), point the bot at ``api_base_url``/``gateway_url`` and give it ``connector()`` so it
    trusts the voice gateway's throwaway CA.
    """

    def __init__(
        self,
        *,
        token: str = "carillon-emulator-token",
        host: str = "127.0.0.1",
        command_permissions: bool = False,
        answer_window: float = ANSWER_WINDOW,
        token_lifetime: float = TOKEN_LIFETIME,
        rate_limits: RateLimitPolicy | None = None,
        privileged_intents: Iterable[str] = ("members", "presences", "message_content"),
        shard_count: int | None = None,
        resume_window: float = RESUME_WINDOW,
        identify_window: float = IDENTIFY_WINDOW,
        max_concurrency: int = MAX_CONCURRENCY,
        session_starts: int = SESSION_START_TOTAL,
        session_start_reset: float = SESSION_START_RESET,
    ) -> None:
        """``command_permissions``: hide commands whose ``default_member_permissions`` a
        member lacks, as the Discord client does (servers can override that; the emulator
        cannot, so it is off by default). ``answer_window``: seconds the bot has for its
        first answer to an interaction (Discord's three). ``token_lifetime``: seconds an
        interaction's token takes follow-ups (Discord's fifteen minutes). ``rate_limits``:
        the buckets, global limit and invalid-request ban enforced (Discord's by default).
        ``privileged_intents``: the ones switched on in the application's Developer Portal
        page (``members``, ``presences``, ``message_content``); an IDENTIFY asking for any
        other is closed with 4014, as Discord does. ``shard_count``: the shards
        ``/gateway/bot`` recommends (default: one per 1,000 guilds). ``resume_window``:
        seconds a shard's session outlives its socket (a dead process) before it ends.
        ``identify_window``, ``max_concurrency``: the IDENTIFY limit (Discord's: one per 5 s
        per bucket, ``shard_id % max_concurrency``, across every connection); one over it
        is answered with INVALID_SESSION. ``session_starts``: IDENTIFYs per
        ``session_start_reset`` seconds (Discord's 1,000 a day); one past them ends every
        session and resets the token."""
        self.token = token
        unknown = set(privileged_intents) - set(PRIVILEGED_INTENTS)
        if unknown:
            raise ValueError(f"not privileged intents: {sorted(unknown)}")
        self.privileged_intents = frozenset(privileged_intents)
        self.host = host
        self.command_permissions = command_permissions
        self.answer_window = answer_window
        self.token_lifetime = token_lifetime
        self.rate_limits = RateLimiter(rate_limits)
        self.bot_user = User(snowflake(), "Carillon", bot=True)
        self.application_id = self.bot_user.id
        self.application_owner = User(snowflake(), "app-owner")
        self.guilds: dict[int, Guild] = {}
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.dm_channels: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[str] = []
        self.late_callbacks: list[InteractionRecord] = []
        self.faults = FaultPlan()
        self.changed = Changed()
        self.ca = ThrowawayCA()
        self.gateway = Gateway(
            self,
            shard_count,
            resume_window,
            identify_window,
            max_concurrency,
            session_starts,
            session_start_reset,
        )
        self.voice = VoiceServer(self)
        self.rest = Rest(self)
        self.oauth = OAuth2(self)
        self.soundboard = Soundboard(self)
        self.http_port = 0
        self.voice_port = 0
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # lifecycle

    async def start(self) -> Emulator:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024**2)
        app.add_routes(self.oauth.routes())
        app.add_routes(self.rest.routes())
        app.add_routes(self.soundboard.routes())
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/", self.voice.handle)
        app.router.add_route("*", "/{tail:.*}", self.rest.unknown)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        http_socket = self._bind()
        self.http_port = http_socket.getsockname()[1]
        await web.SockSite(self._runner, http_socket).start()
        for _ in range(VOICE_ENDPOINTS):
            voice_socket = self._bind()
            self.voice.endpoints.ports.append(voice_socket.getsockname()[1])
            context = self.ca.server_context()
            await web.SockSite(self._runner, voice_socket, ssl_context=context).start()
        self.voice_port = self.voice.endpoints.ports[0]
        await self.voice.start(self.host)
        return self

    async def stop(self) -> None:
        await self.gateway.close()
        await self.voice.close_all()
        self.voice.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        return sock

    @property
    def api_base_url(self) -> str:
        return f"http://{self.host}:{self.http_port}{API_PREFIX}"

    @property
    def cdn_url(self) -> str:
        """Where the bot downloads soundboard files (Discord's CDN)."""
        return f"http://{self.host}:{self.http_port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.http_port}/gateway"

    def connector(self) -> aiohttp.TCPConnector:
        """A connector for the bot's HTTP session that trusts the voice gateway's CA."""
        return aiohttp.TCPConnector(limit=0, ssl=self.ca.client_context())

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = request.path[len(API_PREFIX) :]
        body: Any = None
        if request.body_exists:
            if request.content_type == "application/json":
                raw = await request.read()
                body = json.loads(raw) if raw else None
            elif request.content_type.startswith("multipart/"):
                body = {"multipart": True}
        record = RecordedRequest(request.method, path, dict(request.query), body)
        self.requests.append(record)
        ip = request.remote or "unknown"
        response = await self._answer(request, handler, record, ip)
        record.status = response.status
        if record.limited != "cloudflare":
            self.rate_limits.count(ip, response.status, time.monotonic())
        self.changed.notify()
        return response

    async def _answer(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Any],
        record: RecordedRequest,
        ip: str,
    ) -> web.StreamResponse:
        """Cloudflare's ban, authorisation, the rate limits, faults, then the route itself."""
        now = time.monotonic()
        banned = self.rate_limits.banned_for(ip, now)
        if banned:
            record.limited = "cloudflare"
            return cloudflare_ban(banned)
        route = route_of(request)
        if route is None:
            return await handler(request)
        params = dict(request.match_info)
        authorization = request.headers.get("Authorization")
        if (
            "token" not in params
            and authorization != f"Bot {self.token}"
            and not self._oauth_route(route, authorization)
        ):
            return unauthorized()
        verdict = self.rate_limits.admit(authorization or ip, route, params, now)
        if verdict.limited:
            record.limited = verdict.scope
            limited = json_response(verdict.body(), 429)
            limited.headers.update(verdict.headers(now))
            return limited
        fault = self.faults.take(request.method, record.path)
        record.fault = fault
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status is not None:
            response: web.StreamResponse = json_response(fault.error_body(), fault.status)
            if fault.status == 429:
                response.headers["Retry-After"] = str(fault.retry_after)
                response.headers["X-RateLimit-Scope"] = "user"
            return response
        response = await handler(request)
        response.headers.update(verdict.headers(time.monotonic()))
        return response

    def _oauth_route(self, route: str, authorization: str | None) -> bool:
        """Routes an OAuth2 bearer token may call (the token route authenticates itself)."""
        if route == "POST /oauth2/token":
            return True
        if route == "GET /users/@me":
            return self.oauth.bearer(authorization, "identify") is not None
        return route == "GET /users/@me/guilds"

    def rate_limited(self) -> list[RecordedRequest]:
        """Every request answered 429 (by a bucket, the global limit, a ban or a fault)."""
        return [r for r in self.requests if r.status == 429]

    def unretried_429s(self) -> list[RecordedRequest]:
        """429s whose request (method, path and body) was never sent again and let through."""
        left = []
        for index, limited in enumerate(self.requests):
            if limited.status != 429:
                continue
            later = self.requests[index + 1 :]
            if not any(
                (r.method, r.path, r.json) == (limited.method, limited.path, limited.json)
                and r.status < 400
                for r in later
            ):
                left.append(limited)
        return left

    # faults

    def fail(
        self,
        pattern: str,
        status: int | None = None,
        *,
        retry_after: float = 0.1,
        delay: float = 0.0,
        times: int = 1,
    ) -> Fault:
        """Answer the next ``times`` requests matching ``pattern`` with a fault."""
        return self.faults.add(Fault(pattern, status, retry_after, delay, times))

    async def drop_gateway(self, *, abort: bool = True, code: int = 4000) -> None:
        await self.gateway.drop(abort=abort, code=code)

    async def drop_voice(self, guild: Guild | int) -> None:
        await self.voice.drop(_id(guild))

    async def move_voice(self, guild: Guild | int, *, close_code: int = DISCONNECTED) -> int:
        """Move the guild's voice to another voice server, as Discord does; the new port."""
        return await move_voice(self, _id(guild), close_code=close_code)

    async def end_call(self, channel: Channel) -> None:
        """End the call in a voice channel: everyone leaves, the bot's socket gets 4022."""
        await end_call(self, channel)

    async def invalidate_session(self, *, resumable: bool, shard_id: int = 0) -> None:
        """Send op 9 INVALID_SESSION; a session that is not resumable loses its voice."""
        await self.gateway.invalidate_session(resumable=resumable, shard_id=shard_id)

    def requests_to(self, method: str, pattern: str) -> list[RecordedRequest]:
        probe = Fault(f"{method} {pattern}")
        return [r for r in self.requests if probe.matches(r.method, r.path)]

    # the world

    async def reset_token(self) -> str:
        """The owner pressed Reset Token in the Developer Portal: the old token is refused
        from now on (REST 401) and the live gateway sessions end with 4004."""
        self.token = secrets.token_urlsafe(40)
        await self.gateway.end_sessions(4004, b"Authentication failed.")
        return self.token

    def add_guild(
        self,
        name: str = "Carillon Test",
        *,
        owner_name: str = "owner",
        guild_id: int | None = None,
        text_channels: Sequence[str] = (),
        system_channel: str | None = None,
    ) -> Guild:
        """A guild with its owner and the bot as members; ``guild_id`` picks its shard.

        ``text_channels`` exist when the bot is told of the guild (as when it is invited to
        one), ``system_channel`` names the one Discord posts join messages in.
        """
        guild = new_guild(name, owner_name=owner_name, guild_id=guild_id)
        guild.members[self.bot_user.id] = Member(self.bot_user, guild.id)
        for channel_name in text_channels:
            channel = add_channel(guild, channel_name, ChannelType.TEXT)
            if channel_name == system_channel:
                guild.system_channel_id = channel.id
        self.guilds[guild.id] = guild
        # A guild just joined carries no "unavailable" flag, which is how a client tells a
        # join from a guild of its READY becoming available.
        joined = guild.create_payload()
        joined.pop("unavailable")
        self._later(self.gateway.dispatch("GUILD_CREATE", joined))
        return guild

    def owner(self, guild: Guild) -> Member:
        return guild.members[guild.owner_id]

    def actor(self, member: Member, *, channel: Channel | None = None) -> Actor:
        """``member`` as a person using the Discord client."""
        return Actor(self, member, channel=channel)

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot_user.id]

    def add_role(self, guild: Guild, name: str, *, permissions: int = 0) -> Role:
        role = add_role(guild, name, permissions=permissions)
        event = {"guild_id": str(guild.id), "role": role.payload()}
        self._later(self.gateway.dispatch("GUILD_ROLE_CREATE", event))
        return role

    def add_text_channel(
        self, guild: Guild, name: str, *, overwrites: Iterable[Overwrite] = ()
    ) -> Channel:
        channel = add_channel(guild, name, ChannelType.TEXT, overwrites=list(overwrites))
        self._later(self.gateway.dispatch("CHANNEL_CREATE", channel.payload()))
        return channel

    def add_voice_channel(
        self,
        guild: Guild,
        name: str,
        *,
        user_limit: int = 0,
        overwrites: Iterable[Overwrite] = (),
        stage: bool = False,
    ) -> Channel:
        """A voice channel (DAVE protocol 1), or with ``stage`` a stage channel (protocol 0)."""
        kind = ChannelType.STAGE_VOICE if stage else ChannelType.VOICE
        channel = add_channel(guild, name, kind, overwrites=list(overwrites), user_limit=user_limit)
        self._later(self.gateway.dispatch("CHANNEL_CREATE", channel.payload()))
        return channel

    def add_member(self, guild: Guild, name: str, *, roles: Iterable[Role] = ()) -> Member:
        member = add_member(guild, name, roles=tuple(roles))
        event = member.payload() | {"guild_id": str(guild.id)}
        self._later(self.gateway.dispatch("GUILD_MEMBER_ADD", event))
        return member

    async def update_channel(self, channel: Channel) -> None:
        """Tell the bot that ``channel`` changed (overwrites, user limit, name)."""
        await self.gateway.dispatch("CHANNEL_UPDATE", channel.payload())

    async def delete_channel(self, channel: Channel) -> None:
        """Delete ``channel``; whoever was in it, the bot too, is disconnected from voice
        (the call ends: the bot's voice socket is closed with 4022)."""
        guild = self.guilds[channel.guild_id]
        guild.channels.pop(channel.id, None)
        await self.gateway.dispatch("CHANNEL_DELETE", channel.payload())
        for user_id in guild.members_in(channel.id):
            await self.disconnect_from_voice(guild, user_id, close_code=CALL_TERMINATED)

    async def disconnect_from_voice(
        self, guild: Guild, user_id: int, *, close_code: int = DISCONNECTED
    ) -> None:
        """A moderator disconnects ``user_id`` (a member, or the bot) from voice: its voice
        state update, then, for the bot, its voice socket closed with ``close_code``."""
        state = guild.voice_states.get(user_id)
        if state is None or state.channel_id is None:
            return
        before, state.channel_id = state.channel_id, None
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state.payload(guild.members.get(user_id)))
        if user_id == self.bot_user.id:
            await voice_moves.close(self, guild.id, close_code)
        await self.voice.member_moved(user_id, before, None)
        self.changed.notify()

    async def remove_member(self, member: Member) -> None:
        """The member leaves the server."""
        guild = self.guilds[member.guild_id]
        guild.members.pop(member.id, None)
        guild.voice_states.pop(member.id, None)
        event = {"guild_id": str(guild.id), "user": member.user.payload()}
        await self.gateway.dispatch("GUILD_MEMBER_REMOVE", event)

    async def set_roles(self, member: Member, roles: Iterable[Role]) -> None:
        member.role_ids = [r.id for r in roles]
        event = member.payload() | {"guild_id": str(member.guild_id)}
        await self.gateway.dispatch("GUILD_MEMBER_UPDATE", event)

    async def set_voice_channel(self, member: Member, channel: Channel | None) -> None:
        """Move a member (not the bot) into ``channel``, or out of voice with ``None``."""
        guild = self.guilds[member.guild_id]
        previous = guild.voice_states.get(member.id)
        state = VoiceState(
            member.id,
            guild.id,
            channel.id if channel else None,
            previous.session_id if previous else secrets.token_hex(16),
        )
        guild.voice_states[member.id] = state
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state.payload(member))
        await self.voice.member_moved(
            member.id, previous.channel_id if previous else None, state.channel_id
        )
        self.changed.notify()

    async def server_voice(
        self,
        guild: Guild,
        user_id: int,
        *,
        mute: bool | None = None,
        deaf: bool | None = None,
        suppress: bool | None = None,
    ) -> None:
        """A moderator server-mutes, -deafens or suppresses ``user_id`` (the bot too)."""
        state = guild.voice_states[user_id]
        state.mute = state.mute if mute is None else mute
        state.deaf = state.deaf if deaf is None else deaf
        state.suppress = state.suppress if suppress is None else suppress
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state.payload(guild.members[user_id]))
        self.changed.notify()

    def voice_refusal(self, guild: Guild, user_id: int, channel_id: int) -> str | None:
        """Why Discord would not let ``user_id`` into ``channel_id``, or ``None``."""
        channel = guild.channels.get(channel_id)
        member = guild.members.get(user_id)
        if channel is None or not channel.is_voice:
            return "not a voice channel"
        if member is None:
            return "not a member"
        permissions = guild.permissions_in(member, channel)
        if not permissions & Permission.CONNECT:
            return "missing Connect"
        others = [u for u in guild.members_in(channel.id) if u != user_id]
        full = bool(channel.user_limit) and len(others) >= channel.user_limit
        return "channel full" if full and not permissions & Permission.MOVE_MEMBERS else None

    def bot_voice_channel(self, guild: Guild | int) -> int | None:
        state = self.guilds[_id(guild)].voice_states.get(self.bot_user.id)
        return state.channel_id if state else None

    def find_channel(self, channel_id: int) -> Channel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return None

    def find_user(self, user_id: int) -> User | None:
        if user_id == self.bot_user.id:
            return self.bot_user
        for guild in self.guilds.values():
            if user_id in guild.members:
                return guild.members[user_id].user
        return None

    def dm_channel(self, user_id: int) -> dict[str, Any]:
        for channel in self.dm_channels.values():
            if channel["recipients"][0]["id"] == str(user_id):
                return channel
        user = self.find_user(user_id) or User(user_id, f"user-{user_id}")
        channel_id = snowflake()
        channel = {
            "id": str(channel_id),
            "type": 1,
            "last_message_id": None,
            "recipients": [user.payload()],
        }
        self.dm_channels[channel_id] = channel
        return channel

    def dms_to(self, member: Member | User) -> list[Message]:
        """Messages the bot sent to ``member`` in private."""
        ids = {
            cid for cid, c in self.dm_channels.items() if c["recipients"][0]["id"] == str(member.id)
        }
        return [m for m in self.messages.values() if m.channel_id in ids and not m.deleted]

    # messages

    def attachment(
        self, filename: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> Attachment:
        """A file the emulator serves; pass it as a slash command's attachment option."""
        attachment = Attachment(snowflake(), filename, data, content_type)
        attachment.url = (
            f"http://{self.host}:{self.http_port}/attachments/{attachment.id}/{filename}"
        )
        self.attachments[attachment.id] = attachment
        return attachment

    def new_message(
        self,
        channel: Channel | int,
        payload: dict[str, Any],
        files: list[tuple[str, bytes, str]],
        *,
        interaction: InteractionRecord | None = None,
    ) -> Message:
        channel_id = channel.id if isinstance(channel, Channel) else channel
        guild_id = channel.guild_id if isinstance(channel, Channel) else None
        message = Message(
            snowflake(),
            channel_id,
            guild_id,
            self.bot_user,
            content=payload.get("content") or "",
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            attachments=[self.attachment(n, d, t) for n, d, t in files],
            flags=int(payload.get("flags") or 0),
            webhook_id=self.application_id if interaction else None,
            interaction_id=interaction.id if interaction else None,
        )
        self.messages[message.id] = message
        self.changed.notify()
        return message

    def apply_edit(
        self, message: Message, payload: dict[str, Any], files: list[tuple[str, bytes, str]]
    ) -> None:
        if "content" in payload:
            message.content = payload["content"] or ""
        if "embeds" in payload:
            message.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            message.components = list(payload["components"] or [])
        if "attachments" in payload or files:
            kept = {str(a.get("id")) for a in payload.get("attachments") or []}
            message.attachments = [a for a in message.attachments if str(a.id) in kept]
            message.attachments += [self.attachment(n, d, t) for n, d, t in files]
        message.edited_timestamp = iso_now()
        message.version += 1
        self.changed.notify()

    def delete_message(self, message: Message) -> None:
        message.deleted = True
        message.version += 1
        self.changed.notify()

    def messages_in(self, channel: Channel | int) -> list[Message]:
        """The channel's visible messages (not ephemeral, not deleted), oldest first."""
        channel_id = _id(channel)
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id and not m.deleted and not m.ephemeral
        ]

    async def wait_for_message(
        self,
        channel: Channel | int,
        predicate: Callable[[Message], bool] = lambda _: True,
        *,
        timeout: float = 5.0,
    ) -> Message:
        """The first visible message in ``channel`` matching ``predicate``."""

        def found() -> Message | None:
            return next((m for m in self.messages_in(channel) if predicate(m)), None)

        return await self.changed.wait_for(found, timeout, f"a message in channel {_id(channel)}")

    # application commands and interactions

    def register_commands(
        self, commands: list[dict[str, Any]], guild_id: int | None
    ) -> list[dict[str, Any]]:
        previous = self.commands.get(guild_id, {})
        registered: dict[str, dict[str, Any]] = {}
        for command in commands:
            key = f"{command.get('type', 1)}:{command['name']}"
            existing_id = previous.get(key, {}).get("id") or str(snowflake())
            registered[key] = command | {
                "id": existing_id,
                "application_id": str(self.application_id),
                "version": str(snowflake()),
                "type": command.get("type", 1),
                "guild_id": str(guild_id) if guild_id else None,
                "default_member_permissions": command.get("default_member_permissions"),
                "options": command.get("options", []),
            }
        self.commands[guild_id] = registered
        self.changed.notify()
        return list(registered.values())

    def find_command(self, name: str, guild_id: int) -> dict[str, Any] | None:
        for key in (guild_id, None):
            command = self.commands.get(key, {}).get(f"1:{name}")
            if command is not None:
                return command
        return None

    async def start_interaction(
        self,
        kind: int,
        guild: Guild,
        channel: Channel,
        member: Member,
        data: dict[str, Any],
        *,
        source_message: Message | None = None,
    ) -> InteractionRecord:
        """Create an interaction and send the bot its INTERACTION_CREATE."""
        record = InteractionRecord(
            id=snowflake(),
            token=secrets.token_urlsafe(32),
            type=kind,
            guild=guild,
            channel=channel,
            member=member,
            data=data,
            source_message=source_message,
        )
        self.interactions[record.id] = record
        self.interactions_by_token[record.token] = record
        permissions = guild.permissions_in(member, channel)
        bot_permissions = guild.permissions_in(self.bot_member(guild), channel)
        payload: dict[str, Any] = {
            "id": str(record.id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_id": str(guild.id),
            "guild_locale": "en-US",
            "channel": channel.payload() | {"permissions": str(permissions)},
            "channel_id": str(channel.id),
            "member": member.payload(permissions=permissions),
            "token": record.token,
            "version": 1,
            "app_permissions": str(bot_permissions),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if source_message is not None:
            payload["message"] = source_message.payload()
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    # voice audio

    def voice_audio(self, guild: Guild | int, member: Member | None = None) -> CapturedAudio:
        """What a member in the bot's voice channel got from it so far (by default the
        listener every call has; ``member``: that member's client)."""
        if member is None:
            return self.voice.audio(_id(guild))
        return self.voice.audio(_id(guild), member.id)

    async def wait_for_audio(
        self,
        guild: Guild | int,
        *,
        frames: int = 1,
        idle: float = 0.5,
        timeout: float = 15.0,
    ) -> CapturedAudio:
        """Wait until at least ``frames`` audio frames arrived and none for ``idle`` seconds."""
        guild_id = _id(guild)

        def done() -> CapturedAudio | None:
            audio = self.voice.audio(guild_id)
            if audio.frames < frames or not audio.packets:
                return None
            return audio if time.monotonic() - audio.packets[-1].arrival >= idle else None

        return await self.changed.wait_for(done, timeout, f"{frames} audio frames in {guild_id}")

    async def wait_for(
        self, predicate: Callable[[], Any], *, timeout: float = 5.0, what: str = ""
    ) -> Any:
        """Wait until ``predicate()`` is truthy, re-checking whenever the emulator changes."""
        return await self.changed.wait_for(predicate, timeout, what)

    # helpers

    def _later(self, coroutine: Any) -> None:
        """Dispatch an event now if the loop runs and the bot is connected, else drop it."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self.gateway.session is None or loop is None:
            coroutine.close()
            return
        task = loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _id(thing: Guild | Channel | int) -> int:
    return thing if isinstance(thing, int) else thing.id
