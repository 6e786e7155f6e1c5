"""The bot's voice client: what discord.py 2.7.1's ``VoiceClient`` does not tell the player.

Written against discord.py 2.7.1 (``discord/voice_state.py``); re-check on upgrade:

- ``VOICE_SERVER_UPDATE`` with a null endpoint says the voice server went away.
  ``VoiceConnectionState.voice_server_update`` only logs it and stays connected until the new
  endpoint arrives, so audio sent meanwhile is lost; this client reads as not connected from
  then until it is connected to the new endpoint, so the pump waits instead. Likewise
  while its voice websocket is closed: after a 4014 or 4022 with no voice state update
  (``_potential_reconnect``) discord.py stays connected for up to its timeout.
- A voice state update taking the bot out of its channel that discord.py did not ask for
  (``_expecting_disconnect`` unset) is someone else's doing: a kick, a deleted channel, an
  ended call. ``removed`` records it, for the player not to fight it.
- A new gateway session (op 9, not resumable) clears discord.py's voice client cache. The
  old client's poller would, on giving up, send a voice state update on the new session and
  take the bot out of a channel it has rejoined since; ``abandon`` stops it without one.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.voice_state import ConnectionFlowState

from bot.voice.dave import DaveVoiceClient

log = logging.getLogger(__name__)


class CarillonVoiceClient(DaveVoiceClient):
    """The DAVE-hardened client (``bot.voice.dave``), telling the player what discord.py
    does not (see the module docstring)."""

    def __init__(self, client: discord.Client, channel: discord.abc.Connectable) -> None:
        super().__init__(client, channel)
        self.removed = False
        self._awaiting_endpoint = False

    def is_connected(self) -> bool:
        """Connected, with a voice server to send to and its websocket open."""
        if not super().is_connected() or self._awaiting_endpoint:
            return False
        socket = getattr(self._connection.ws, "ws", None)
        return socket is not None and not socket.closed and socket.close_code is None

    @property
    def stale(self) -> bool:
        """discord.py no longer knows this client: a new gateway session's READY cleared its
        cache, or discord.py gave the connection up and cleaned it away."""
        return self._state._get_voice_client(self.guild.id) is not self

    @property
    def close_code(self) -> int | None:
        """The code the voice websocket was last closed with, if it was."""
        ws = self._connection.ws
        socket = getattr(ws, "ws", None) if ws else None
        return socket.close_code if socket is not None else None

    async def on_voice_state_update(self, data: Any) -> None:
        if data.get("channel_id") is None and not self._connection._expecting_disconnect:
            self.removed = True
        await super().on_voice_state_update(data)

    async def on_voice_server_update(self, data: Any) -> None:
        if data.get("endpoint") is None:
            self._awaiting_endpoint = True
            await super().on_voice_server_update(data)
            return
        await super().on_voice_server_update(data)
        self._awaiting_endpoint = False

    async def abandon(self) -> None:
        """Stop a stale client's tasks and sockets, sending nothing on the gateway."""
        connection = self._connection
        if connection._connector is not None:
            connection._connector.cancel()
            connection._connector = None
        try:
            await connection.soft_disconnect(with_state=ConnectionFlowState.disconnected)
        except Exception:
            log.debug("abandoning a stale voice client failed", exc_info=True)
        finally:
            connection._socket_reader.stop()
