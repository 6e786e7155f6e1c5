"""Voice: the bot's voice state, the voice gateway (wss), UDP IP discovery and RTP capture."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
from nacl.exceptions import CryptoError

from bot.emulator.audio import CapturedAudio
from bot.emulator.dave import ClientMember, DaveCall, DaveOp, ListenerMember
from bot.emulator.listener import Listener
from bot.emulator.mls import proposals_payload
from bot.emulator.model import ChannelType, VoiceState
from bot.emulator.voice_moves import VoiceEndpoints

if TYPE_CHECKING:
    from bot.emulator.gateway import GatewaySession
    from bot.emulator.server import Emulator

_log = logging.getLogger(__name__)

MODE = "aead_xchacha20_poly1305_rtpsize"
# Discord answers op 4 after a network round trip; answering within the same loop turn races
# discord.py's own state change after it sends op 4, which real latency never does.
VOICE_ANSWER_LATENCY = 0.02
DISCOVERY_LENGTH = 74
# discord.py 2.7.1's SocketReader goes back into a 30 s select() on the UDP socket right after
# IP discovery; if that socket is closed by a reconnect, the reader stays stuck on it and the
# next IP discovery times out. Servers do send datagrams besides the discovery answer, so an
# RTCP receiver report shortly after it wakes the reader before the socket can be replaced.
WAKE_DELAY = 0.05
# The member who is always in a call, hearing the bot: a client in the emulator.
LISTENER_ID = 1


class VoiceOp:
    IDENTIFY = 0
    SELECT_PROTOCOL = 1
    READY = 2
    HEARTBEAT = 3
    SESSION_DESCRIPTION = 4
    SPEAKING = 5
    HEARTBEAT_ACK = 6
    RESUME = 7
    HELLO = 8
    RESUMED = 9


@dataclass
class VoiceConnection:
    """One voice websocket session of the bot in one guild."""

    guild_id: int
    user_id: int
    session_id: str
    token: str
    ssrc: int
    ws: web.WebSocketResponse
    request: web.Request
    secret_key: bytes | None = None
    mode: str | None = None
    client_address: tuple[str, int] | None = None
    identify: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    channel_id: int | None = None
    dave_protocol_version: int = 0


@dataclass
class SpeakingEvent:
    guild_id: int
    speaking: int
    ssrc: int
    at: float


class UdpVoice(asyncio.DatagramProtocol):
    """The voice UDP endpoint: answers IP discovery and decrypts RTP into per-guild captures.

    ``lose_discoveries``: how many of the next IP discovery datagrams are lost on the way, as
    UDP datagrams can be; ``discoveries`` counts those that arrived."""

    def __init__(self, voice: VoiceServer) -> None:
        self.voice = voice
        self.transport: asyncio.DatagramTransport | None = None
        self.lose_discoveries = 0
        self.discoveries = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) == DISCOVERY_LENGTH and data[:2] == b"\x00\x01":
            if self.lose_discoveries > 0:
                self.lose_discoveries -= 1
                return
            self.discoveries += 1
            self._answer_discovery(data, addr)
        elif len(data) >= 12 and data[0] >> 6 == 2:
            self.voice.on_rtp(data, addr)

    def _answer_discovery(self, data: bytes, addr: tuple[str, int]) -> None:
        ssrc = struct.unpack_from(">I", data, 4)[0]
        answer = bytearray(DISCOVERY_LENGTH)
        struct.pack_into(">HHI", answer, 0, 2, 70, ssrc)
        host = addr[0].encode("ascii")
        answer[8 : 8 + len(host)] = host
        struct.pack_into(">H", answer, DISCOVERY_LENGTH - 2, addr[1])
        assert self.transport is not None
        self.transport.sendto(bytes(answer), addr)
        receiver_report = struct.pack(">BBHI", 0x80, 201, 1, ssrc ^ 0xFFFFFFFF)
        asyncio.get_running_loop().call_later(WAKE_DELAY, self._send, receiver_report, addr)

    def _send(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, addr)


def decrypt_rtpsize(packet: bytes, key: bytes) -> tuple[bytes, bytes]:
    """Split an ``aead_xchacha20_poly1305_rtpsize`` packet into its RTP header and Opus payload."""
    csrc_count = packet[0] & 0x0F
    header_length = 12 + 4 * csrc_count
    has_extension = bool(packet[0] & 0x10)
    if has_extension:
        header_length += 4
    header = packet[:header_length]
    nonce = packet[-4:] + bytes(20)
    plain = crypto_aead_xchacha20poly1305_ietf_decrypt(packet[header_length:-4], header, nonce, key)
    if has_extension:
        words = struct.unpack_from(">H", packet, header_length - 2)[0]
        plain = plain[4 * words :]
    return header, plain


class VoiceServer:
    """Everything voice for an ``Emulator``."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.udp = UdpVoice(self)
        self.udp_port = 0
        self.pending_tokens: dict[int, str] = {}
        self.connections: dict[int, VoiceConnection] = {}
        self.sessions_by_ssrc: dict[int, VoiceConnection] = {}
        self.calls: dict[int, DaveCall] = {}
        self.listeners: dict[int, dict[int, Listener]] = {}  # channel: user: listener
        self.speaking: list[SpeakingEvent] = []
        self.ws_connections = 0
        self.undecryptable = 0
        self.bot_op4: list[dict[str, Any]] = []
        self.refused: list[tuple[int, str]] = []
        self.endpoints = VoiceEndpoints(emulator.host)
        self.moves = 0

    async def start(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self.udp, local_addr=(host, 0))
        self.udp_port = transport.get_extra_info("sockname")[1]

    def close(self) -> None:
        if self.udp.transport is not None:
            self.udp.transport.close()

    async def bot_voice_state(self, data: dict[str, Any], session: GatewaySession) -> None:
        """The bot's gateway op 4: move its voice state, then tell it where the voice server is."""
        self.bot_op4.append(data)
        await asyncio.sleep(VOICE_ANSWER_LATENCY)
        emulator = self.emulator
        guild = emulator.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        channel_id = int(data["channel_id"]) if data.get("channel_id") else None
        bot_id = emulator.bot_user.id
        if channel_id is not None and (
            refusal := emulator.voice_refusal(guild, bot_id, channel_id)
        ):
            # Discord ignores a voice state it refuses; the client times out waiting.
            self.refused.append((channel_id, refusal))
            emulator.changed.notify()
            return
        previous = guild.voice_states.get(bot_id)
        if previous is not None and previous.channel_id not in (None, channel_id):
            await self._leave_call(previous.channel_id, bot_id)
        state = VoiceState(
            bot_id,
            guild.id,
            channel_id,
            session.session_id,
            self_mute=bool(data.get("self_mute")),
            self_deaf=bool(data.get("self_deaf")),
        )
        if previous is not None and channel_id is not None:
            state.mute, state.deaf, state.suppress = previous.mute, previous.deaf, previous.suppress
        guild.voice_states[bot_id] = state
        await emulator.gateway.dispatch(
            "VOICE_STATE_UPDATE", state.payload(emulator.bot_member(guild))
        )
        # Muting or deafening itself where it is connected changes the bot's state only.
        stays = previous is not None and previous.channel_id == channel_id
        if channel_id is not None and not (stays and self._connected(guild.id)):
            token = secrets.token_hex(8)
            self.pending_tokens[guild.id] = token
            await emulator.gateway.dispatch(
                "VOICE_SERVER_UPDATE",
                {
                    "token": token,
                    "guild_id": str(guild.id),
                    "endpoint": self.endpoints.endpoint(guild.id),
                },
            )
        emulator.changed.notify()

    def _connected(self, guild_id: int) -> bool:
        connection = self.connections.get(guild_id)
        return connection is not None and not connection.ws.closed

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.ws_connections += 1
        await ws.send_str(
            json.dumps({"op": VoiceOp.HELLO, "d": {"heartbeat_interval": 13750.0, "v": 8}})
        )
        connection: VoiceConnection | None = None
        try:
            async for message in ws:
                if message.type is WSMsgType.BINARY:
                    await self._on_binary(ws, connection, message.data)
                    continue
                if message.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                connection = await self._on_payload(ws, request, payload, connection)
        finally:
            if connection is not None and self.connections.get(connection.guild_id) is connection:
                connection.client_address = None
            self.emulator.changed.notify()
        return ws

    async def _on_payload(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        payload: dict[str, Any],
        connection: VoiceConnection | None,
    ) -> VoiceConnection | None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == VoiceOp.IDENTIFY:
            return await self._identify(ws, request, data)
        if op == VoiceOp.RESUME:
            return await self._resume(ws, request, data)
        if op == VoiceOp.HEARTBEAT:
            await self._send(connection, ws, VoiceOp.HEARTBEAT_ACK, {"t": data.get("t")})
        elif connection is None:
            await ws.close(code=4003, message=b"Not authenticated.")
        elif op == VoiceOp.SELECT_PROTOCOL:
            await self._select_protocol(connection, data)
        elif op == VoiceOp.SPEAKING:
            self.speaking.append(
                SpeakingEvent(
                    connection.guild_id, int(data["speaking"]), int(data["ssrc"]), time.monotonic()
                )
            )
            self.emulator.changed.notify()
        elif op in (DaveOp.TRANSITION_READY, DaveOp.INVALID_COMMIT_WELCOME):
            call = self._call_of(connection)
            if call is None:
                await ws.close(code=4020, message=b"Bad request: no DAVE session.")
            elif op == DaveOp.TRANSITION_READY:
                await call.on_transition_ready(connection.user_id, int(data["transition_id"]))
            else:
                await call.on_invalid_commit_welcome(connection.user_id, int(data["transition_id"]))
            self.emulator.changed.notify()
        return connection

    async def _on_binary(
        self, ws: web.WebSocketResponse, connection: VoiceConnection | None, data: bytes
    ) -> None:
        call = self._call_of(connection)
        if connection is None or call is None or not data:
            await ws.close(code=4020, message=b"Bad request: unexpected binary message.")
            return
        op, body = data[0], data[1:]
        if op == DaveOp.KEY_PACKAGE:
            await call.on_key_package(connection.user_id, body)
        elif op == DaveOp.COMMIT_WELCOME:
            await call.on_commit_welcome(connection.user_id, body)
        else:
            await ws.close(code=4020, message=b"Bad request: unknown binary opcode.")
            return
        self.emulator.changed.notify()

    def _call_of(self, connection: VoiceConnection | None) -> DaveCall | None:
        if connection is None or connection.channel_id is None:
            return None
        if not connection.dave_protocol_version:
            return None
        return self.calls.get(connection.channel_id)

    async def _identify(
        self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]
    ) -> VoiceConnection | None:
        guild_id = int(data.get("server_id", 0))
        token_valid = self.pending_tokens.get(guild_id) == data.get("token")
        if not token_valid or not self.endpoints.serves(request, guild_id):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        if "max_dave_protocol_version" not in data:
            await ws.close(code=4020, message=b"Bad request: max_dave_protocol_version missing.")
            return None
        user_id = int(data["user_id"])
        channel = self._voice_channel_of(guild_id, user_id)
        dave = channel is not None and channel.type == ChannelType.VOICE
        if dave and int(data["max_dave_protocol_version"] or 0) < 1:
            await ws.close(code=4017, message=b"E2EE/DAVE protocol required.")
            return None
        previous = self.connections.get(guild_id)
        if previous is not None and previous.channel_id is not None:
            await self._leave_call(previous.channel_id, previous.user_id)
        ssrc = int.from_bytes(os.urandom(4), "big") or 1
        connection = VoiceConnection(
            guild_id, int(data["user_id"]), data["session_id"], data["token"], ssrc, ws, request
        )
        connection.identify = data
        connection.channel_id = channel.id if channel is not None else None
        connection.dave_protocol_version = 1 if dave else 0
        self.connections[guild_id] = connection
        self.sessions_by_ssrc[ssrc] = connection
        ready = {
            "ssrc": ssrc,
            "ip": self.emulator.host,
            "port": self.udp_port,
            "modes": [MODE],
            "experiments": [],
        }
        await self._send(connection, ws, VoiceOp.READY, ready)
        self.emulator.changed.notify()
        return connection

    async def _resume(
        self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]
    ) -> VoiceConnection | None:
        connection = self.connections.get(int(data.get("server_id", 0)))
        if connection is None or connection.token != data.get("token"):
            await ws.close(code=4006, message=b"Session no longer valid.")
            return None
        connection.ws, connection.request = ws, request
        await self._send(connection, ws, VoiceOp.RESUMED, None)
        return connection

    async def _select_protocol(self, connection: VoiceConnection, data: dict[str, Any]) -> None:
        mode = data.get("data", {}).get("mode")
        if mode != MODE:
            await connection.ws.close(code=4016, message=b"Unknown encryption mode.")
            return
        connection.mode = mode
        connection.client_address = (data["data"]["address"], int(data["data"]["port"]))
        connection.secret_key = os.urandom(32)
        description = {
            "mode": mode,
            "secret_key": list(connection.secret_key),
            "dave_protocol_version": connection.dave_protocol_version,
            "audio_codec": "opus",
            "video_codec": None,
            "media_session_id": secrets.token_hex(16),
        }
        await self._send(connection, connection.ws, VoiceOp.SESSION_DESCRIPTION, description)
        if connection.channel_id is not None:
            await self._open_call(connection.guild_id, connection.channel_id)
        call = self._call_of(connection)
        if call is not None:
            await call.join(self._client_member(connection))

    def _client_member(self, connection: VoiceConnection) -> ClientMember:
        async def send_binary(op: int, body: bytes) -> None:
            if not connection.ws.closed:
                connection.seq += 1
                await connection.ws.send_bytes(struct.pack(">HB", connection.seq, op) + body)

        async def send_json(op: int, data: dict[str, int]) -> None:
            if not connection.ws.closed:
                await self._send(connection, connection.ws, op, data)

        return ClientMember(connection.user_id, send_binary, send_json)

    def _voice_channel_of(self, guild_id: int, user_id: int) -> Any:
        guild = self.emulator.guilds.get(guild_id)
        state = guild.voice_states.get(user_id) if guild is not None else None
        if guild is None or state is None or state.channel_id is None:
            return None
        return guild.channels.get(state.channel_id)

    async def _open_call(self, guild_id: int, channel_id: int) -> None:
        """Start the channel's call if it has none: its listener and the members there."""
        if channel_id in self.listeners:
            return
        channel = self.emulator.guilds[guild_id].channels.get(channel_id)
        dave = channel is not None and channel.type == ChannelType.VOICE
        self.listeners[channel_id] = {}
        if dave:
            self.calls[channel_id] = DaveCall(channel_id)
        members = list(self.emulator.guilds[guild_id].members_in(channel_id))
        for user_id in [LISTENER_ID, *members]:
            if user_id != self.emulator.bot_user.id:
                await self._join_listener(channel_id, user_id)

    async def _join_listener(self, channel_id: int, user_id: int) -> Listener:
        call = self.calls.get(channel_id)
        listener = Listener(user_id, channel_id, 1 if call is not None else 0)
        self.listeners[channel_id][user_id] = listener
        if call is not None:
            await call.join(ListenerMember(user_id, listener))
        self.emulator.changed.notify()
        return listener

    async def _leave_call(self, channel_id: int, user_id: int) -> None:
        self.listeners.get(channel_id, {}).pop(user_id, None)
        call = self.calls.get(channel_id)
        if call is not None:
            await call.leave(user_id)

    async def member_moved(self, user_id: int, before: int | None, after: int | None) -> None:
        """A member joined, left or changed voice channels: their client joins or leaves calls."""
        if before == after:
            return
        if before is not None and before in self.listeners:
            await self._leave_call(before, user_id)
        if after is not None and after in self.listeners:
            await self._join_listener(after, user_id)

    def listener(self, channel_id: int, user_id: int = LISTENER_ID) -> Listener:
        return self.listeners[channel_id][user_id]

    def on_rtp(self, packet: bytes, addr: tuple[str, int]) -> None:
        ssrc = struct.unpack_from(">I", packet, 8)[0]
        connection = self.sessions_by_ssrc.get(ssrc)
        if connection is None or connection.secret_key is None:
            self.undecryptable += 1
            return
        try:
            header, opus = decrypt_rtpsize(packet, connection.secret_key)
        except (CryptoError, ValueError):
            self.undecryptable += 1
            return
        sequence, timestamp = struct.unpack_from(">HI", header, 2)
        if connection.channel_id is not None:
            for listener in self.listeners.get(connection.channel_id, {}).values():
                listener.receive(connection.user_id, sequence, timestamp, ssrc, opus)
        self.emulator.changed.notify()

    def _guild_listeners(self, guild_id: int, user_id: int) -> list[Listener]:
        guild = self.emulator.guilds.get(guild_id)
        if guild is None:
            return []
        return [
            listeners[user_id]
            for channel_id, listeners in self.listeners.items()
            if channel_id in guild.channels and user_id in listeners
        ]

    def audio(self, guild_id: int, user_id: int = LISTENER_ID) -> CapturedAudio:
        """What ``user_id`` (by default the listener every call has) heard in the guild."""
        packets = [p for lst in self._guild_listeners(guild_id, user_id) for p in lst.packets]
        return CapturedAudio(sorted(packets, key=lambda p: p.arrival))

    def clear(self, guild_id: int) -> None:
        for listener in self._guild_listeners(guild_id, LISTENER_ID):
            listener.packets.clear()

    # DAVE faults: what a buggy or racing voice server sends

    def bot_call(self, guild_id: int) -> tuple[VoiceConnection, DaveCall]:
        connection = self.connections.get(guild_id)
        call = self._call_of(connection)
        if connection is None or call is None:
            raise RuntimeError(f"the bot is in no DAVE call in guild {guild_id}")
        return connection, call

    async def resend_external_sender(self, guild_id: int) -> None:
        connection, call = self.bot_call(guild_id)
        await self._client_member(connection).send_binary(
            DaveOp.EXTERNAL_SENDER, call.sender.package
        )

    async def send_stale_proposals(self, guild_id: int) -> None:
        """An Add proposal for the epoch before the group's current one."""
        connection, call = self.bot_call(guild_id)
        assert call.epoch is not None
        stranger = Listener(2, call.channel_id, 1)
        key_package = stranger.key_package(call.sender.package)
        message = call.sender.propose_add(call.group, call.epoch - 1, key_package)
        await self._client_member(connection).send_binary(
            DaveOp.PROPOSALS, proposals_payload([message])
        )

    async def send_malformed_commit(self, guild_id: int, *, truncated: bool = False) -> None:
        """Op 29 whose commit does not parse (``truncated``: not even its transition id)."""
        connection, _ = self.bot_call(guild_id)
        body = b"\x00" if truncated else struct.pack(">H", 0xFFF0) + b"\x00\x01\x00\x01junk"
        await self._client_member(connection).send_binary(DaveOp.ANNOUNCE_COMMIT, body)

    async def drop(self, guild_id: int) -> None:
        """Cut the bot's voice websocket in ``guild_id`` without a close frame."""
        connection = self.connections.get(guild_id)
        if connection is None or connection.ws.closed:
            raise RuntimeError(f"the bot has no voice connection in guild {guild_id}")
        transport = connection.request.transport
        if transport is not None:
            transport.abort()
        else:
            await connection.ws.close(code=4015)
        self.emulator.changed.notify()

    async def close_connection(self, guild_id: int, *, code: int) -> None:
        connection = self.connections.get(guild_id)
        if connection is not None and not connection.ws.closed:
            await connection.ws.close(code=code)

    async def close_all(self) -> None:
        for call in self.calls.values():
            call.close()
        for connection in list(self.connections.values()):
            if not connection.ws.closed:
                await connection.ws.close(code=1001)

    @staticmethod
    async def _send(
        connection: VoiceConnection | None,
        ws: web.WebSocketResponse,
        op: int,
        data: Any,
    ) -> None:
        payload: dict[str, Any] = {"op": op, "d": data}
        if connection is not None:
            connection.seq += 1
            payload["seq"] = connection.seq
        await ws.send_str(json.dumps(payload))
