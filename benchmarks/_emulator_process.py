"""The emulator in its own process for ``benchmarks.voice``, so its CPU is not the bot's.

Prints one JSON line describing itself, then answers one JSON line per command read from
stdin: ``clear``, ``audio`` (frames and first/last arrival per guild, on the system-wide
monotonic clock), ``voice`` (the bot's voice channel per guild), ``quit``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.emulator import Emulator


async def serve(count: int) -> None:
    async with Emulator() as emulator:
        servers = []
        for index in range(count):
            guild = emulator.add_guild(f"Bench {index}")
            channel = emulator.add_voice_channel(guild, "Voice")
            owner = emulator.owner(guild)
            servers.append({"guild_id": guild.id, "channel_id": channel.id, "owner_id": owner.id})
        pem = emulator.ca.write_pem(Path(tempfile.mkdtemp(prefix="carillon-ca-")) / "ca.pem")
        hello = {
            "api_base_url": emulator.api_base_url,
            "gateway_url": emulator.gateway_url,
            "token": emulator.token,
            "ca_pem": str(pem),
            "servers": servers,
        }
        print(json.dumps(hello), flush=True)
        while True:
            line = (await asyncio.to_thread(sys.stdin.readline)).strip()
            if not line or line == "quit":
                return
            print(json.dumps(answer(emulator, line, servers)), flush=True)


def answer(emulator: Emulator, command: str, servers: list[dict[str, int]]) -> dict[str, Any]:
    ids = [s["guild_id"] for s in servers]
    if command == "clear":
        for guild_id in ids:
            emulator.voice.clear(guild_id)
        return {"ok": True}
    if command == "audio":
        result = {}
        for guild_id in ids:
            audio = emulator.voice_audio(guild_id).audio_packets
            result[str(guild_id)] = {
                "frames": len(audio),
                "first": audio[0].arrival if audio else None,
                "last": audio[-1].arrival if audio else None,
            }
        return result
    if command == "voice":
        return {str(g): emulator.bot_voice_channel(g) for g in ids}
    return {"error": f"unknown command {command!r}"}


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
