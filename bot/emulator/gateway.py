"""The main gateway websocket: HELLO, IDENTIFY/READY, RESUME, heartbeats and dispatches."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from bot.emulator.voice_moves import drop_session_voice

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

_log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41_250
# The ACK comes a network round trip later, as from Discord: discord.py's heartbeat thread
# notes when it sent only after the send completes, so an ACK that beats it reads as 41 s lag.
HEARTBEAT_ACK_DELAY = 0.02

# The intents Discord gates behind a switch in the Developer Portal, by discord.py's name.
RESUME_WINDOW = 120.0
# Discord closes a shard's IDENTIFY with 4011 when it would carry more guilds than this.
MAX_GUILDS_PER_SHARD = 2500

# Discord's session start limit: IDENTIFYs a day, and per bucket (shard_id % max_concurrency)
# one IDENTIFY per window across every connection of the application; one over the window is
# answered with op 9 INVALID_SESSION (d false) and starts no session. An IDENTIFY once the
# day's starts are spent ends every session of the application and resets its token.
IDENTIFY_WINDOW = 5.0
MAX_CONCURRENCY = 1
SESSION_START_TOTAL = 1000
SESSION_START_RESET = 86_400.0

PRIVILEGED_INTENTS = {"members": 1 << 1, "presences": 1 << 8, "message_content": 1 << 15}


class Op:
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE = 3
    VOICE_STATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


@dataclass
class GatewaySession:
    """One identified bot session; events queue here while its socket is down, for RESUME."""

    session_id: str
    intents: int
    shard: tuple[int, int] = (0, 1)
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    request: web.Request | None = None


@dataclass
class GatewayStats:
    connections: int = 0
    identifies: int = 0
    resumes: int = 0
    invalidations: int = 0
    # IDENTIFYs answered with INVALID_SESSION because their bucket's window was not over
    refused_identifies: int = 0
    # IDENTIFYs past the day's session starts: each reset the token
    token_resets: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)


class Gateway:
    """Serves the bot's gateway connection for an ``Emulator``."""

    def __init__(
        self,
        emulator: Emulator,
        shard_count: int | None = None,
        resume_window: float = RESUME_WINDOW,
        identify_window: float = IDENTIFY_WINDOW,
        max_concurrency: int = MAX_CONCURRENCY,
        session_starts: int = SESSION_START_TOTAL,
        session_start_reset: float = SESSION_START_RESET,
    ) -> None:
        """``shard_count``: what ``/gateway/bot`` recommends (default: one per 1,000 guilds,
        as Discord's recommendation grows). ``resume_window``: seconds a session whose socket
        went away (its process died) stays resumable before it ends. ``identify_window`` and
        ``max_concurrency``: one IDENTIFY per window per bucket (Discord's 5 s and 1).
        ``session_starts``: IDENTIFYs per ``session_start_reset`` seconds (Discord's 1,000 a
        day)."""
        if max_concurrency < 1:
            raise ValueError("max_concurrency is at least 1")
        self.emulator = emulator
        self.shard_count = shard_count
        self.resume_window = resume_window
        self.identify_window = identify_window
        self.max_concurrency = max_concurrency
        self.session_starts = session_starts
        self.session_start_reset = session_start_reset
        # loop.time() of each bucket's last accepted IDENTIFY, and of the day's first
        self._bucket_identified: dict[int, float] = {}
        self._starts: list[float] = []
        self._expiries: set[asyncio.Task[None]] = set()
        self.sessions: dict[tuple[int, int], GatewaySession] = {}
        self.stats = GatewayStats()
        self._acks: set[asyncio.Task[None]] = set()

    @property
    def session(self) -> GatewaySession | None:
        """The most recently identified session (the only one unless the bot is sharded)."""
        return next(reversed(self.sessions.values()), None)

    @property
    def connected(self) -> bool:
        """Every identified session has its socket up."""
        return bool(self.sessions) and all(s.ws is not None for s in self.sessions.values())

    def session_start_limit(self) -> dict[str, int]:
        """``/gateway/bot``'s ``session_start_limit``, counting down with each IDENTIFY."""
        now = asyncio.get_running_loop().time()
        self._starts = [t for t in self._starts if now - t < self.session_start_reset]
        reset_after = self.session_start_reset - (now - self._starts[0]) if self._starts else 0.0
        return {
            "total": self.session_starts,
            "remaining": self.session_starts - len(self._starts),
            "reset_after": round(reset_after * 1000),
            "max_concurrency": self.max_concurrency,
        }

    def _identify_refused(self, shard_id: int) -> bool:
        """Over the limit: this bucket identified less than a window ago. Otherwise the
        IDENTIFY counts against the window and the day's starts."""
        now = asyncio.get_running_loop().time()
        bucket = shard_id % self.max_concurrency
        last = self._bucket_identified.get(bucket)
        if last is not None and now - last < self.identify_window:
            return True
        self._bucket_identified[bucket] = now
        self._starts.append(now)
        return False

    def recommended_shards(self) -> int:
        if self.shard_count is not None:
            return self.shard_count
        return max(1, math.ceil(len(self.emulator.guilds) / 1000))

    def shard_session(self, shard_id: int) -> GatewaySession | None:
        """The live session of shard ``shard_id`` (socket up), if any."""
        session = next((s for s in self.sessions.values() if s.shard[0] == shard_id), None)
        return session if session is not None and session.ws is not None else None

    def owns(self, session: GatewaySession, guild_id: int) -> bool:
        shard_id, shard_count = session.shard
        return (guild_id >> 22) % shard_count == shard_id

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.stats.connections += 1
        await self._send(ws, {"op": Op.HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        session: GatewaySession | None = None
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                self.stats.received.append(payload)
                session = await self._on_payload(ws, request, payload, session)
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
                session.request = None
                self._expire_later(session)
            self.emulator.changed.notify()
        return ws

    async def _on_payload(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        payload: dict[str, Any],
        session: GatewaySession | None,
    ) -> GatewaySession | None:
        op, data = payload.get("op"), payload.get("d")
        if op == Op.HEARTBEAT:
            ack = asyncio.get_running_loop().create_task(self._acknowledge(ws))
            self._acks.add(ack)
            ack.add_done_callback(self._acks.discard)
        elif op == Op.IDENTIFY:
            return await self._identify(ws, request, data)
        elif op == Op.RESUME:
            return await self._resume(ws, request, data)
        elif op == Op.VOICE_STATE and session is not None:
            await self.emulator.voice.bot_voice_state(data, session)
        elif op == Op.REQUEST_MEMBERS and session is not None:
            await self._members_chunk(data)
        return session

    def _expire_later(self, session: GatewaySession) -> None:
        expiry = asyncio.get_running_loop().create_task(self._expire(session))
        self._expiries.add(expiry)
        expiry.add_done_callback(self._expiries.discard)

    async def _expire(self, session: GatewaySession) -> None:
        await asyncio.sleep(self.resume_window)
        if session.ws is None and self.sessions.get(session.shard) is session:
            await self.end_shard(session.shard[0])

    async def _reset_token(self, ws: web.WebSocketResponse) -> None:
        """Discord's answer to an IDENTIFY once the day's session starts are spent: every
        session of the application ends and its token is reset (its owner is emailed a new
        one), so the old token is refused by the gateway and by REST alike."""
        _log.warning("IDENTIFY past the day's session starts: every session ends, token reset")
        self.stats.token_resets += 1
        self.emulator.token = secrets.token_urlsafe(32)
        sockets = [ws, *(s.ws for s in self.sessions.values() if s.ws is not None)]
        self.sessions.clear()
        for socket in sockets:
            if not socket.closed:
                await socket.close(code=4004, message=b"Authentication failed.")

    async def _acknowledge(self, ws: web.WebSocketResponse) -> None:
        await asyncio.sleep(HEARTBEAT_ACK_DELAY)
        if not ws.closed:
            await self._send(ws, {"op": Op.HEARTBEAT_ACK, "d": None})

    async def _identify(
        self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]
    ) -> GatewaySession | None:
        if data.get("token") != self.emulator.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        asked = int(data.get("intents", 0))
        switched_on = sum(PRIVILEGED_INTENTS[name] for name in self.emulator.privileged_intents)
        if asked & sum(PRIVILEGED_INTENTS.values()) & ~switched_on:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = _shard(data.get("shard", [0, 1]))
        if shard is None:
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        if self._too_many_guilds(shard):
            await ws.close(code=4011, message=b"Sharding required.")
            return None
        if self.session_start_limit()["remaining"] <= 0:
            await self._reset_token(ws)
            return None
        if self._identify_refused(shard[0]):
            self.stats.refused_identifies += 1
            _log.info("IDENTIFY of shard %s over the session start limit: invalid session", shard)
            await self._send(ws, {"op": Op.INVALID_SESSION, "d": False})
            return None
        self.stats.identifies += 1
        session = GatewaySession(secrets.token_hex(16), int(data.get("intents", 0)), shard)
        session.ws, session.request = ws, request
        self.sessions.pop(session.shard, None)
        self.sessions[session.shard] = session
        emulator = self.emulator
        guilds = [g for g in emulator.guilds.values() if self.owns(session, g.id)]
        await self._dispatch_to(
            session,
            "READY",
            {
                "v": 10,
                "user": emulator.bot_user.payload() | {"verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "shard": list(session.shard),
                "session_id": session.session_id,
                "resume_gateway_url": emulator.gateway_url,
                "session_type": "normal",
                "application": {"id": str(emulator.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": ["emulated"],
                "_trace": ["carillon-emulator"],
            },
        )
        for guild in guilds:
            await self._dispatch_to(session, "GUILD_CREATE", guild.create_payload())
        emulator.changed.notify()
        return session

    def _too_many_guilds(self, shard: tuple[int, int]) -> bool:
        shard_id, shard_count = shard
        held = sum(1 for g in self.emulator.guilds if (g >> 22) % shard_count == shard_id)
        return held > MAX_GUILDS_PER_SHARD

    async def _resume(
        self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]
    ) -> GatewaySession | None:
        session = next(
            (s for s in self.sessions.values() if s.session_id == data.get("session_id")), None
        )
        if session is None or data.get("token") != self.emulator.token:
            await self._send(ws, {"op": Op.INVALID_SESSION, "d": False})
            return None
        session.ws, session.request = ws, request
        last_seen = data.get("seq") or 0
        for payload in [p for p in session.sent if p["s"] > last_seen]:
            await self._send(ws, payload)
        self.stats.resumes += 1
        await self._dispatch_to(session, "RESUMED", {"_trace": ["carillon-emulator"]})
        self.emulator.changed.notify()
        return session

    async def _members_chunk(self, data: dict[str, Any]) -> None:
        guild = self.emulator.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        await self.dispatch(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in guild.members.values()],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": data.get("nonce"),
            },
        )

    async def dispatch(self, event: str, data: dict[str, Any], *, intent: int = 0) -> None:
        """Send a guild's event to the session whose shard holds that guild (and, with
        ``intent``, only if that session asked for the intent)."""
        guild_id = int(data.get("guild_id") or (data["id"] if event == "GUILD_CREATE" else 0))
        for session in list(self.sessions.values()):
            if intent and not session.intents & intent:
                continue
            if not guild_id or self.owns(session, guild_id):
                await self._dispatch_to(session, event, data)

    async def _dispatch_to(self, session: GatewaySession, event: str, data: dict[str, Any]) -> None:
        """Send an event, or keep it for the session's RESUME while its socket is down."""
        session.seq += 1
        payload = {"op": Op.DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(payload)
        if session.ws is not None and not session.ws.closed:
            try:
                await self._send(session.ws, payload)
            except ConnectionError:
                _log.debug("gateway socket went away while sending %s", event)

    async def drop(self, *, abort: bool = True, code: int = 4000, shard_id: int = 0) -> None:
        """Cut a shard's gateway connection: abort the TCP stream, or close with ``code``."""
        session = next((s for s in self.sessions.values() if s.shard[0] == shard_id), None)
        if session is None or session.ws is None:
            raise RuntimeError(f"shard {shard_id} is not connected to the gateway")
        ws, request = session.ws, session.request
        session.ws = session.request = None
        if abort and request is not None and request.transport is not None:
            request.transport.abort()
        else:
            await ws.close(code=code)
        self.emulator.changed.notify()

    async def ask_to_reconnect(self) -> None:
        """Send op 7 RECONNECT to every session, as Discord does before moving sessions."""
        sockets = [s.ws for s in self.sessions.values() if s.ws is not None]
        if not sockets:
            raise RuntimeError("the bot is not connected to the gateway")
        for ws in sockets:
            await self._send(ws, {"op": Op.RECONNECT, "d": None})

    async def invalidate_session(self, *, resumable: bool, shard_id: int = 0) -> None:
        """Send op 9 INVALID_SESSION to a shard, as Discord does.

        ``resumable`` (``d: true``): the session stays and its events queue for a RESUME.
        Otherwise the session ends: a RESUME is refused, and the bot's voice connections
        made on it are dropped (4014, "the main gateway session was dropped").
        """
        session = next((s for s in self.sessions.values() if s.shard[0] == shard_id), None)
        if session is None or session.ws is None:
            raise RuntimeError(f"shard {shard_id} is not connected to the gateway")
        ws = session.ws
        session.ws = session.request = None
        if not resumable:
            del self.sessions[session.shard]
        self.stats.invalidations += 1
        await self._send(ws, {"op": Op.INVALID_SESSION, "d": resumable})
        if not resumable:
            await drop_session_voice(self.emulator, session.session_id)
        self.emulator.changed.notify()

    async def end_sessions(self, code: int, message: bytes) -> None:
        """Close every live session with ``code``, as Discord does when the token is reset."""
        for session in list(self.sessions.values()):
            ws = session.ws
            session.ws = session.request = None
            if ws is not None and not ws.closed:
                await ws.close(code=code, message=message)
        self.sessions.clear()
        self.emulator.changed.notify()

    async def close(self) -> None:
        for expiry in list(self._expiries):
            expiry.cancel()
        for session in self.sessions.values():
            if session.ws is not None:
                await session.ws.close(code=1001)

    async def end_shard(self, shard_id: int) -> None:
        """End a shard's session for good, as Discord does once a dead client's resume window
        has passed: events for its guilds go nowhere until another IDENTIFY takes the shard."""
        session = next((s for s in self.sessions.values() if s.shard[0] == shard_id), None)
        if session is None:
            raise RuntimeError(f"shard {shard_id} has no session")
        del self.sessions[session.shard]
        if session.ws is not None and not session.ws.closed:
            await session.ws.close(code=4009, message=b"Session timed out.")
        await drop_session_voice(self.emulator, session.session_id)
        self.emulator.changed.notify()

    @staticmethod
    async def _send(ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        await ws.send_str(json.dumps(payload))


def _shard(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's ``shard``: ``[shard_id, num_shards]`` with ``0 <= shard_id < num_shards``."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    shard_id, shard_count = value
    return (shard_id, shard_count) if 0 <= shard_id < shard_count else None
