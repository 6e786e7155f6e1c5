"""Discord's harder voice edges: voice server moves, ended calls, dropped gateway sessions.

The voice gateway listens on several endpoints (ports); each guild's voice is served by one.
A token is valid only at the endpoint that ``VOICE_SERVER_UPDATE`` named with it, and a
connection's SSRC stops being heard once its voice server has let it go.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.emulator.model import Channel, Guild
    from bot.emulator.server import Emulator
    from bot.emulator.voice import VoiceConnection

# Discord's codes: 4014 drops one client (kicked, moved, its gateway session dropped; also
# seen when a voice server changes), 4022 ends the call for every client in it.
DISCONNECTED = 4014
CALL_TERMINATED = 4022
# Between the null endpoint and the new one, while Discord allocates the new voice server.
MOVE_PAUSE = 0.3


class VoiceEndpoints:
    """The voice gateway's ports and the one each guild's voice is served from."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.ports: list[int] = []
        self._serving: dict[int, int] = {}

    def port(self, guild_id: int) -> int:
        return self._serving.get(guild_id, self.ports[0])

    def endpoint(self, guild_id: int) -> str:
        return f"{self.host}:{self.port(guild_id)}"

    def serves(self, request: web.Request, guild_id: int) -> bool:
        """Whether ``request`` reached the endpoint serving ``guild_id``'s voice."""
        return local_port(request) == self.port(guild_id)

    def move(self, guild_id: int) -> int:
        """Serve ``guild_id`` from the next endpoint; its port."""
        current = self.ports.index(self.port(guild_id))
        port = self._serving[guild_id] = self.ports[(current + 1) % len(self.ports)]
        return port


def local_port(request: web.Request) -> int | None:
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    return sockname[1] if sockname else None


def forget(emulator: Emulator, connection: VoiceConnection) -> None:
    """The voice server lets ``connection`` go: packets with its SSRC are no longer heard."""
    voice = emulator.voice
    if voice.sessions_by_ssrc.get(connection.ssrc) is connection:
        del voice.sessions_by_ssrc[connection.ssrc]
    if voice.connections.get(connection.guild_id) is connection:
        del voice.connections[connection.guild_id]


async def close(emulator: Emulator, guild_id: int, code: int) -> None:
    connection = emulator.voice.connections.get(guild_id)
    if connection is None:
        return
    forget(emulator, connection)
    if not connection.ws.closed:
        await connection.ws.close(code=code)
    emulator.changed.notify()


async def move_voice(
    emulator: Emulator, guild_id: int, *, close_code: int = DISCONNECTED, pause: float = MOVE_PAUSE
) -> int:
    """Move ``guild_id``'s voice to another endpoint as Discord does; the new port.

    ``VOICE_SERVER_UPDATE`` with a null endpoint, the old voice socket closed with
    ``close_code``, then after ``pause`` a ``VOICE_SERVER_UPDATE`` naming the new endpoint
    with a new token. The bot's voice state (its channel) does not change.
    """
    voice = emulator.voice
    connection = voice.connections.get(guild_id)
    if connection is None or connection.ws.closed:
        raise RuntimeError(f"the bot has no voice connection in guild {guild_id}")
    gateway = emulator.gateway
    await gateway.dispatch(
        "VOICE_SERVER_UPDATE",
        {"token": connection.token, "guild_id": str(guild_id), "endpoint": None},
    )
    port = voice.endpoints.move(guild_id)
    token = voice.pending_tokens[guild_id] = secrets.token_hex(8)
    await close(emulator, guild_id, close_code)
    await asyncio.sleep(pause)
    await gateway.dispatch(
        "VOICE_SERVER_UPDATE",
        {"token": token, "guild_id": str(guild_id), "endpoint": voice.endpoints.endpoint(guild_id)},
    )
    voice.moves += 1
    emulator.changed.notify()
    return port


async def end_call(emulator: Emulator, channel: Channel) -> None:
    """End the call in ``channel``: everyone in it leaves voice, the bot's socket gets 4022."""
    guild = emulator.guilds[channel.guild_id]
    for user_id in guild.members_in(channel.id):
        await emulator.disconnect_from_voice(guild, user_id, close_code=CALL_TERMINATED)


async def drop_session_voice(emulator: Emulator, session_id: str) -> None:
    """A gateway session ended: the bot's voice states made on it go, their sockets get 4014.

    The session is gone, so nobody is told over the gateway; a new session's
    ``GUILD_CREATE`` no longer lists the bot in voice.
    """
    bot_id = emulator.bot_user.id
    guilds: list[Guild] = list(emulator.guilds.values())
    for guild in guilds:
        state = guild.voice_states.get(bot_id)
        if state is None or state.session_id != session_id:
            continue
        del guild.voice_states[bot_id]
        await close(emulator, guild.id, DISCONNECTED)
