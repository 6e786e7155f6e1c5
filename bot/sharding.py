"""Which Discord shards this process runs, from ``[discord] shard_count``/``shard_ids`` and
``python -m bot run --shard-count N --shard-ids 0,1``, and the dispatcher filter they imply."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.config import Config
from bot.config_values import ShardCount, ShardIds
from bot.errors import ConfigError
from bot.repositories.scheduled_task import ShardFilter


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


def _number(key: str, text: str) -> int:
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()):
        raise ConfigError(key, f"must be a whole number, got {text!r}")
    return int(stripped)
