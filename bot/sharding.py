"""Which Discord shards this process runs, from ``[discord] shard_count``/``shard_ids`` and
``python -m bot run --shard-count N --shard-ids 0,1``, and the dispatcher filter they imply."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.config import Config
from bot.config_values import ShardCount, ShardIds
from bot.db.shard_locks import LOOK_SECONDS, ShardLocks
from bot.errors import ConfigError, StartupFailure
from bot.repositories.scheduled_task import ShardFilter

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """``count`` None: Discord's recommendation (``/gateway/bot``); ``ids`` None: every shard."""

    count: int | None
    ids: tuple[int, ...] | None

    @classmethod
    def from_config(cls, config: Config) -> ShardPlan:
        discord = config.discord
        count = discord.shard_count if isinstance(discord.shard_count, int) else None
        ids = discord.shard_ids if isinstance(discord.shard_ids, tuple) else None
        return cls(count, ids)


def with_shard_options(config: Config, count: str | None, ids: str | None) -> Config:
    """``config`` with the command line's shard options over ``[discord]``'s, checked as the
    config keys are (a ``ConfigError`` names the key the option replaces)."""
    discord = config.discord
    if count is not None:
        number: int | str = count if count == "auto" else _number("discord.shard_count", count)
        discord = dataclasses.replace(
            discord, shard_count=ShardCount()("discord.shard_count", number)
        )
    if ids is not None:
        listed: list[int] | str = (
            ids
            if ids == "auto"
            else [_number(f"discord.shard_ids[{i}]", p) for i, p in enumerate(ids.split(","))]
        )
        discord = dataclasses.replace(discord, shard_ids=ShardIds()("discord.shard_ids", listed))
    if isinstance(discord.shard_ids, tuple) and not isinstance(discord.shard_count, int):
        raise ConfigError(
            "discord.shard_ids",
            "a list of shard ids needs [discord] shard_count as a number (the ids go from 0 "
            "to shard_count - 1); set it, or set shard_ids to 'auto'",
        )
    if isinstance(discord.shard_count, int) and isinstance(discord.shard_ids, tuple):
        outside = [i for i in discord.shard_ids if i >= discord.shard_count]
        if outside:
            raise ConfigError(
                "discord.shard_ids",
                f"shard ids go from 0 to shard_count - 1 ({discord.shard_count - 1}), "
                f"got {outside[0]}",
            )
    return dataclasses.replace(config, discord=discord)


def dispatch_filter(shard_ids: list[int] | tuple[int, ...], shard_count: int) -> ShardFilter | None:
    """The tasks a process running ``shard_ids`` of ``shard_count`` claims (None: all)."""
    held = frozenset(shard_ids)
    if held >= frozenset(range(shard_count)):
        return None
    return ShardFilter(held, shard_count)


async def take_shards(config: Config, plan: ShardPlan) -> tuple[ShardPlan, ShardLocks]:
    """``shard_ids = "auto"`` on PostgreSQL: this process's fair share, locked on a connection
    it keeps; while every shard is held elsewhere, it waits for one to be freed."""
    count = plan.count or await recommended_shards(config)
    locks = ShardLocks(config.database.url, count)
    held = await locks.join()
    while not held:
        _log.warning(
            "all %d shards are held by other processes; waiting for one to be freed", count
        )
        await asyncio.sleep(LOOK_SECONDS)
        held = await locks.take_share()
    _log.info("took shards %s of %d", held, count)
    return ShardPlan(count, tuple(held)), locks


async def recommended_shards(config: Config) -> int:
    """Discord's recommended shard count (``GET /gateway/bot``), which every process of the
    service reads alike."""
    return int((await _gateway_bot(config))["shards"])


async def identify_concurrency(config: Config) -> int:
    """``session_start_limit.max_concurrency`` of ``GET /gateway/bot``: how many IDENTIFY
    buckets there are; 1 (the strictest) if Discord cannot be asked."""
    try:
        return max(1, int((await _gateway_bot(config))["session_start_limit"]["max_concurrency"]))
    except (StartupFailure, KeyError, TypeError, ValueError) as exc:
        _log.warning("identifying one shard at a time: no max_concurrency from Discord (%s)", exc)
        return 1


async def _gateway_bot(config: Config) -> dict[str, Any]:
    url = f"{config.discord.api_base_url.rstrip('/')}/gateway/bot"
    headers = {"Authorization": f"Bot {config.discord.token}"}
    try:
        async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as got:
            got.raise_for_status()
            body = await got.json()
            int(body["shards"])  # an answer without a shard count is no answer
            return dict(body)
    except (aiohttp.ClientError, OSError, KeyError, ValueError, TypeError) as exc:
        raise StartupFailure(
            f"Could not ask Discord how many shards to run (GET {url}: {exc}). Check the "
            "token and [discord] api_base_url, or set [discord] shard_count to a number."
        ) from None


def _number(key: str, text: str) -> int:
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()):
        raise ConfigError(key, f"must be a whole number, got {text!r}")
    return int(stripped)
