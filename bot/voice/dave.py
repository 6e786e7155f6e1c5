"""discord.py's voice client, hardened for DAVE: its websocket survives DAVE errors, and
callers can wait until it encrypts.

Targets discord.py 2.7.1, whose ``DiscordVoiceWebSocket.received_binary_message`` lets
davey's errors (an external sender re-sent to a member already in the group, proposals for
a stale epoch) escape into ``VoiceConnectionState._poll_voice_ws``, which only catches
``ConnectionClosed`` and timeouts: the poller task dies silently and later closes (4015)
are never handled. Here such an error re-initialises the DAVE session (a fresh key
package, so the voice server adds the member back), and if even that fails the websocket
is closed so that discord.py's own reconnect takes over.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any

import aiohttp
import discord
from discord.errors import ConnectionClosed
from discord.gateway import DiscordVoiceWebSocket
from discord.voice_state import ConnectionFlowState, VoiceConnectionState

from bot.voice.discovery import discover_ip

log = logging.getLogger(__name__)

RECONNECT_CLOSE_CODE = 4000
READY_POLL_SECONDS = 0.01


class DaveNotReady(Exception):
    """The voice connection did not become able to encrypt in time."""


class _SafeVoiceWebSocket(DiscordVoiceWebSocket):
    _external_sender: bytes | None = None
    resumed = False

    async def discover_ip(self) -> tuple[str, int]:
        return await discover_ip(self._connection)

    async def received_binary_message(self, msg: bytes) -> None:
        try:
            if len(msg) >= 3 and msg[2] == self.MLS_EXTERNAL_SENDER:
                await self._external_sender_package(msg)
                return
            await super().received_binary_message(msg)
        except Exception as exc:
            op = msg[2] if len(msg) >= 3 else None
            await self._recover(f"binary opcode {op}", exc, msg)

    async def received_message(self, msg: dict[str, Any]) -> None:
        if msg.get("op") == self.RESUMED:
            self.resumed = True
        try:
            await super().received_message(msg)
        except Exception as exc:
            await self._recover(f"opcode {msg.get('op')}", exc, None)

    async def _external_sender_package(self, msg: bytes) -> None:
        self.seq_ack = struct.unpack_from(">H", msg, 0)[0]
        session = self._connection.dave_session
        package = bytes(msg[3:])
        if session is None or package == self._external_sender:
            return
        try:
            session.set_external_sender(package)
        except ValueError:
            log.info("the DAVE external sender changed; re-initialising the session")
            await self._connection.reinit_dave_session()
            self._connection.dave_session.set_external_sender(package)
        self._external_sender = package

    async def _recover(self, what: str, exc: Exception, msg: bytes | None) -> None:
        if _is_stale_epoch(exc) and self._connection.can_encrypt:
            log.info("ignoring DAVE proposals for another epoch: %s", exc)
            return
        log.warning("DAVE %s failed (%s); re-initialising the session", what, exc)
        try:
            if (
                msg is not None
                and len(msg) >= 5
                and msg[2]
                in (
                    self.MLS_ANNOUNCE_COMMIT_TRANSITION,
                    self.MLS_WELCOME,
                )
            ):
                await self._connection._recover_from_invalid_commit(
                    struct.unpack_from(">H", msg, 3)[0]
                )
            else:
                await self._connection.reinit_dave_session()
            session = self._connection.dave_session
            if session is not None and self._external_sender is not None:
                session.set_external_sender(self._external_sender)
        except Exception:
            log.exception("could not re-initialise DAVE; reconnecting the voice websocket")
            await self.ws.close(code=RECONNECT_CLOSE_CODE)


def _is_stale_epoch(exc: Exception) -> bool:
    return "WrongEpoch" in str(exc)


class _SafeConnectionState(VoiceConnectionState):
    async def _inner_connect(
        self, reconnect: bool, self_deaf: bool, self_mute: bool, resume: bool
    ) -> None:
        """A resume (after a 4015 close) of a live session resumes the websocket itself.

        discord.py 2.7.1 first sends the voice state again, then waits, still in its
        ``connected`` state, for both voice updates, which it only counts while connecting:
        the resume always times out and the connection is dropped. The voice session (token,
        key, DAVE group) is still valid, so the websocket reconnects and sends RESUME alone;
        if the server refuses it, the full handshake follows as before.
        """
        if resume and self.state is ConnectionFlowState.connected and await self._resume():
            return
        await super()._inner_connect(reconnect, self_deaf, self_mute, resume)

    async def _resume(self) -> bool:
        secret_key = self.secret_key
        try:
            ws = await self._connect_websocket(True)
            assert isinstance(ws, _SafeVoiceWebSocket)
            self.ws = ws
            while not ws.resumed:
                await ws.poll_event()
        except (ConnectionClosed, OSError, aiohttp.ClientError) as exc:
            log.info("the voice server refused to resume (%s); connecting afresh", exc)
            self.state = ConnectionFlowState.disconnected
            return False
        ws.secret_key = secret_key
        self.state = ConnectionFlowState.connected
        return True

    async def _connect_websocket(self, resume: bool) -> DiscordVoiceWebSocket:
        seq_ack = self.ws.seq_ack if self.ws is not discord.utils.MISSING else -1
        ws = await _SafeVoiceWebSocket.from_connection_state(
            self, resume=resume, hook=self.hook, seq_ack=seq_ack
        )
        if self.ws is not discord.utils.MISSING and isinstance(self.ws, _SafeVoiceWebSocket):
            ws._external_sender = self.ws._external_sender if resume else None
        self.state = ConnectionFlowState.websocket_connected
        return ws


class DaveVoiceClient(discord.VoiceClient):
    """A ``VoiceClient`` whose websocket survives DAVE errors (see the module docstring)."""

    def create_connection_state(self) -> VoiceConnectionState:
        return _SafeConnectionState(self)

    @property
    def can_send(self) -> bool:
        return can_send(self)

    async def wait_until_encrypting(self, within: float) -> None:
        """Return once packets can be sent as members will hear them; ``DaveNotReady``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not can_send(self):
            if loop.time() >= deadline:
                raise DaveNotReady(
                    "the voice connection's end-to-end encryption (DAVE) "
                    f"was not ready within {within:g} s"
                )
            await asyncio.sleep(READY_POLL_SECONDS)


def can_send(voice: discord.VoiceClient) -> bool:
    """Connected, and either no end-to-end encryption is due or it is ready."""
    connection = voice._connection
    return voice.is_connected() and (
        connection.dave_protocol_version == 0 or connection.can_encrypt
    )


def seal_state(voice: discord.VoiceClient) -> tuple[object, ...]:
    """What sealing a packet depends on; packets sealed under another state are resealed."""
    connection = voice._connection
    session = connection.dave_session
    ready = connection.can_encrypt
    epoch = session.epoch if ready and session is not None else None
    return (voice.secret_key, connection.dave_protocol_version, id(session), ready, epoch)
