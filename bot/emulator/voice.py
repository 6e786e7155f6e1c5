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

from bot.emulator.audio import CapturedAudio, OpusPacket
from bot.emulator.model import VoiceState
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


@dataclass
class SpeakingEvent:
    guild_id: int
    speaking: int
    ssrc: int
    at: float


class UdpVoice(asyncio.DatagramProtocol):
    """The voice UDP endpoint: answers IP discovery and decrypts RTP into per-guild captures."""

    def __init__(self, voice: VoiceServer) -> None:
        self.voice = voice
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) == DISCOVERY_LENGTH and data[:2] == b"\x00\x01":
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
        self.captures: dict[int, list[OpusPacket]] = {}
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
        state = VoiceState(
            bot_id,
            guild.id,
            channel_id,
            session.session_id,
            self_mute=bool(data.get("self_mute")),
            self_deaf=bool(data.get("self_deaf")),
        )
        guild.voice_states[bot_id] = state
        await emulator.gateway.dispatch(
            "VOICE_STATE_UPDATE", state.payload(emulator.bot_member(guild))
        )
        if channel_id is not None:
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
        return connection

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
        ssrc = int.from_bytes(os.urandom(4), "big") or 1
        connection = VoiceConnection(
            guild_id, int(data["user_id"]), data["session_id"], data["token"], ssrc, ws, request
        )
        connection.identify = data
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
            "dave_protocol_version": 0,
            "audio_codec": "opus",
            "video_codec": None,
            "media_session_id": secrets.token_hex(16),
        }
        await self._send(connection, connection.ws, VoiceOp.SESSION_DESCRIPTION, description)

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
        self.captures.setdefault(connection.guild_id, []).append(
            OpusPacket(time.monotonic(), sequence, timestamp, ssrc, opus)
        )
        self.emulator.changed.notify()

    def audio(self, guild_id: int) -> CapturedAudio:
        return CapturedAudio(list(self.captures.get(guild_id, [])))

    def clear(self, guild_id: int) -> None:
        self.captures.pop(guild_id, None)

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
