"""Voice transport: IP discovery over real UDP, rtpsize decryption, decoding captured Opus."""

from __future__ import annotations

import asyncio
import io
import socket
import struct

import nacl.secret
import pytest
from discord.oggparse import OggStream

from bot.audio.tones import tone
from bot.emulator import CapturedAudio, Emulator, OpusPacket
from bot.emulator.voice import decrypt_rtpsize


async def test_ip_discovery_answers_with_the_senders_address(emulator: Emulator) -> None:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    await loop.sock_connect(sock, (emulator.host, emulator.voice.udp_port))
    request = bytearray(74)
    struct.pack_into(">HHI", request, 0, 1, 70, 1234)

    await loop.sock_sendall(sock, request)
    answer = await asyncio.wait_for(loop.sock_recv(sock, 2048), timeout=2)

    assert answer[:2] == b"\x00\x02"
    assert struct.unpack_from(">I", answer, 4)[0] == 1234
    assert answer[8:].split(b"\0")[0] == b"127.0.0.1"
    assert struct.unpack_from(">H", answer, 72)[0] == sock.getsockname()[1]
    sock.close()


def test_rtpsize_packets_decrypt_as_discord_py_encrypts_them() -> None:
    key = bytes(range(32))
    header = bytearray(12)
    header[0], header[1] = 0x80, 0x78
    struct.pack_into(">HII", header, 2, 7, 960, 42)
    nonce = bytearray(24)
    nonce[:4] = struct.pack(">I", 5)
    sealed = nacl.secret.Aead(key).encrypt(b"opus", bytes(header), bytes(nonce)).ciphertext
    packet = bytes(header) + sealed + bytes(nonce[:4])

    assert decrypt_rtpsize(packet, key) == (bytes(header), b"opus")


def test_captured_audio_decodes_to_the_source_tone() -> None:
    data = tone(440.0, 1.0, "opus")
    packets = list(OggStream(io.BytesIO(data)).iter_packets())[2:]
    captured = CapturedAudio(
        [OpusPacket(i * 0.02, i, i * 960, 1, p) for i, p in enumerate(packets)]
        + [OpusPacket(1.0, 99, 0, 1, b"\xf8\xff\xfe")] * 5
    )

    assert captured.frames == pytest.approx(50, rel=0.02)
    assert captured.silence_frames == 5
    assert captured.pcm().shape[0] == 2
    assert captured.dominant_frequency() == pytest.approx(440, abs=5)
