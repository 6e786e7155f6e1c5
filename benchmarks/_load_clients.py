"""HTTP clients sending one request after another, in their own process as real clients are
(their CPU is not the bot's loop), for ``benchmarks/api.py``.

Run: ``python benchmarks/_load_clients.py URL TOKEN CLIENTS PATH``; starts at once, stops when
stdin closes, then prints how many requests were answered.
"""

from __future__ import annotations

import asyncio
import sys

import httpx


async def hammer(url: str, token: str, path: str, stop: asyncio.Event) -> int:
    answered = 0
    async with httpx.AsyncClient(base_url=url, cookies={"access_token": token}) as http:
        while not stop.is_set():
            answer = await http.get(path)
            answer.raise_for_status()
            answered += 1
    return answered


async def main(url: str, token: str, clients: int, path: str) -> None:
    stop = asyncio.Event()
    load = [asyncio.create_task(hammer(url, token, path, stop)) for _ in range(clients)]
    print("started", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    stop.set()
    print(sum(await asyncio.gather(*load)), flush=True)


if __name__ == "__main__":
    url, token, clients, path = sys.argv[1:5]
    asyncio.run(main(url, token, int(clients), path))
