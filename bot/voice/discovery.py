"""UDP IP discovery that survives a lost datagram and discord.py's reader start-up race.

discord.py 2.7.1 sends one discovery packet and waits for the answer without a deadline of
its own; the whole handshake then times out (15 s by default) if the answer never arrives.
It never arrives when the packet or its answer is lost (UDP), or when the connection's
``SocketReader`` thread first runs only after the listener was registered: the thread's
start-up pause then undoes the listener's wake and nothing reads the socket. Here the
packet is sent again every ``RETRY_SECONDS``, each time with the reader woken.
"""

from __future__ import annotations

import asyncio
import logging
import struct

from discord.voice_state import VoiceConnectionState

PACKET_LENGTH = 74
ANSWER_TYPE = 0x02
RETRY_SECONDS = 0.5

log = logging.getLogger(__name__)


def discovery_packet(ssrc: int) -> bytes:
    packet = bytearray(PACKET_LENGTH)
    struct.pack_into(">HHI", packet, 0, 1, PACKET_LENGTH - 4, ssrc)
    return bytes(packet)


def read_answer(answer: bytes) -> tuple[str, int]:
    """The external address (IP, port) a discovery answer reports."""
    ip_end = answer.index(0, 8)
    return answer[8:ip_end].decode("ascii"), struct.unpack_from(">H", answer, PACKET_LENGTH - 2)[0]


async def discover_ip(state: VoiceConnectionState) -> tuple[str, int]:
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[bytes] = loop.create_future()

    def answer(data: bytes) -> None:
        if answered.done():
            return
        answered.set_result(data)

    def on_datagram(data: bytes) -> None:
        if len(data) == PACKET_LENGTH and data[1] == ANSWER_TYPE:
            loop.call_soon_threadsafe(answer, data)

    packet = discovery_packet(state.ssrc)
    state.add_socket_listener(on_datagram)
    try:
        while True:
            state._socket_reader.resume(force=True)
            await loop.sock_sendall(state.socket, packet)
            done, _ = await asyncio.wait({answered}, timeout=RETRY_SECONDS)
            if done:
                return read_answer(answered.result())
            log.debug("no answer to IP discovery within %s s; sending it again", RETRY_SECONDS)
    finally:
        state.remove_socket_listener(on_datagram)
