"""What a config value may be: one validator per kind of value, each naming the key it refuses.

The kinds (``whole_number``, ``number``, ``text``, ``flag``) check the TOML type, numbers
within ``Between`` bounds (64 bits, finite, unless the key has its own); the other rules
(``Url``, ``DatabaseUrl``, ``Zone``, ``Language``, ``OneOf``, ``NotEmpty``) run on the value
once it has its kind. A key gets its bounds and rules with ``typing.Annotated``.
"""

from __future__ import annotations

import ipaddress
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from bot.errors import ConfigError
from bot.tzdb import is_zone, zone_names

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_MAX_HOST_LENGTH = 253
_MAX_PORT = 65535


def shown(value: Any) -> str:
    """``value`` as a message quotes it, cut short."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a {math.floor(math.log10(abs(value))) + 1}-digit number"
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def describe(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a table"}
    return f"{names.get(type(value), type(value).__name__)} ({shown(value)})"


def whole_number(key: str, value: Any, bounds: Between | None = None) -> int:
    """A TOML integer within ``bounds``, which are never wider than 64 bits."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key, f"must be a whole number, got {describe(value)}")
    return int((bounds or INT64)(key, value))


def number(key: str, value: Any, bounds: Between | None = None) -> float:
    """A finite TOML integer or float within ``bounds``, as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(key, f"must be a number, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(key, f"must be a finite number, got {shown(value)}")
    return float((bounds or FINITE)(key, value))


def text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(key, f"must be a string, got {describe(value)}")
    return value


def flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(key, f"must be true or false, got {describe(value)}")
    return value


@dataclass(frozen=True, slots=True)
class Between:
    """From ``low`` to ``high`` inclusive; ``note`` says what the bounds mean ("30 days")."""

    low: float
    high: float
    note: str = ""

    def __call__(self, key: str, value: float) -> float:
        if not self.low <= value <= self.high:
            note = f" ({self.note})" if self.note else ""
            raise ConfigError(
                key,
                f"must be from {_bound(self.low)} to {_bound(self.high)}{note}, got {shown(value)}",
            )
        return value


def _bound(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


INT64 = Between(INT64_MIN, INT64_MAX, "64 bits")
FINITE = Between(-sys.float_info.max, sys.float_info.max)


@dataclass(frozen=True, slots=True)
class Url:
    """An absolute URL with one of ``schemes``, a host and a valid port, that paths append to."""

    schemes: tuple[str, ...]

    def __call__(self, key: str, value: str) -> str:
        schemes = " or ".join(f"{scheme}://" for scheme in self.schemes)
        if any(c.isspace() or not c.isprintable() for c in value):
            raise ConfigError(
                key, f"must not hold spaces or control characters, got {shown(value)}"
            )
        scheme, separator, _ = value.partition("://")
        if not separator or scheme.lower() not in self.schemes:
            raise ConfigError(key, f"must start with {schemes}, got {shown(value)}")
        invalid = f"is not a valid URL, got {shown(value)}"
        bad_port = f"port must be from 1 to {_MAX_PORT}, got {shown(value)}"
        try:
            parts = urlsplit(value)
        except ValueError:
            raise ConfigError(key, invalid) from None
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(key, bad_port) from None
        import yarl  # here, not at import: ``python -m bot when`` never checks a URL

        try:
            url = yarl.URL(value)
        except ValueError:
            raise ConfigError(key, invalid) from None
        if not url.raw_host:
            raise ConfigError(key, f"must name a host after {scheme}://, got {shown(value)}")
        if not _valid_host(url.raw_host):
            raise ConfigError(key, f"has no valid host name, got {shown(value)}")
        if port is not None and not 1 <= port <= _MAX_PORT:
            raise ConfigError(key, bad_port)
        if url.user is not None or url.password is not None:
            raise ConfigError(key, "must not hold a user name or password")
        if "?" in value or "#" in value:
            raise ConfigError(key, f"must not have a query or fragment, got {shown(value)}")
        return value


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    labels = host.removesuffix(".").split(".")
    return len(host) <= _MAX_HOST_LENGTH and all(_HOST_LABEL.fullmatch(part) for part in labels)


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A SQLAlchemy URL for one of ``drivers``, with a valid port if it has one, naming a
    database that outlives the process: a SQLite file (not memory) or a PostgreSQL database."""

    drivers: tuple[str, ...]

    def __call__(self, key: str, value: str) -> str:
        # urllib, not SQLAlchemy's make_url: loading SQLAlchemy would double the start-up
        # of ``python -m bot when``. Both split user, password, host, port and path alike.
        starts = " or ".join(f"'{driver}://'" for driver in self.drivers)
        if any(c.isspace() or not c.isprintable() for c in value):
            raise ConfigError(key, "must not hold spaces or control characters")
        driver, separator, _ = value.partition("://")
        if not separator or driver not in self.drivers:
            raise ConfigError(key, f"must start with {starts}")
        try:
            parts = urlsplit(value)
        except ValueError:
            raise ConfigError(key, f"is not a database URL, got {shown(value)}") from None
        if parts.netloc.count("@") > 1:
            # urllib and SQLAlchemy split user, password and host at different '@'s.
            raise ConfigError(
                key, "has more than one '@': write an '@' in the user or password as %40"
            )
        _, colon, port = parts.netloc.rpartition("@")[2].rpartition(":")
        valid_port = port.isascii() and port.isdigit() and 1 <= int(port) <= _MAX_PORT
        if colon and "]" not in port and not valid_port:
            raise ConfigError(key, f"port must be from 1 to {_MAX_PORT}, got {shown(port)}")
        if driver.startswith("sqlite"):
            _check_sqlite(key, driver, parts)
        elif not parts.path.strip("/"):
            raise ConfigError(
                key,
                "names no database: add its name after the host, e.g. "
                "'postgresql+asyncpg://carillon@localhost/carillon'",
            )
        return value


def _check_sqlite(key: str, driver: str, parts: SplitResult) -> None:
    if parts.netloc:
        raise ConfigError(
            key, f"a SQLite URL names a file, not a host: '{driver}:///data/carillon.db'"
        )
    path = parts.path.removeprefix("/")
    in_memory = path in ("", ":memory:") or "memory" in parse_qs(parts.query).get("mode", [])
    if in_memory:
        raise ConfigError(
            key,
            "is an in-memory SQLite database: everything would be lost at every "
            "restart. Name a file, e.g. 'sqlite+aiosqlite:///data/carillon.db'",
        )


@dataclass(frozen=True, slots=True)
class Zone:
    """An IANA time zone name."""

    def __call__(self, key: str, value: str) -> str:
        if is_zone(value):
            return value
        inside = sorted(name for name in zone_names() if name.startswith(f"{value}/"))
        hint = (
            f"{value!r} is a region: pick a zone in it, such as {', '.join(map(repr, inside[:3]))}"
            if inside
            else "use an IANA name such as 'Europe/Paris' or 'America/New_York'"
        )
        raise ConfigError(key, f"unknown timezone {shown(value)} ({hint})")


@dataclass(frozen=True, slots=True)
class Language:
    """A language code dateparser parses times in."""

    def __call__(self, key: str, value: str) -> str:
        from dateparser.data.languages_info import language_order

        if value in language_order:
            return value
        wanted = {value.casefold(), value.split("-")[0].casefold()}
        close = [code for code in language_order if code.casefold() in wanted]
        hint = f"did you mean {close[0]!r}?" if close else "dateparser's codes: 'en', 'fr', 'de'..."
        raise ConfigError(key, f"unknown language {shown(value)} ({hint})")


@dataclass(frozen=True, slots=True)
class OneOf:
    """One of ``choices``; ``problem`` is the message when it is not."""

    choices: tuple[str, ...]
    problem: str

    def __call__(self, key: str, value: str) -> str:
        if value not in self.choices:
            raise ConfigError(key, f"{self.problem}, got {shown(value)}")
        return value


@dataclass(frozen=True, slots=True)
class NotEmpty:
    problem: str

    def __call__(self, key: str, value: Sequence[Any]) -> Sequence[Any]:
        if not value:
            raise ConfigError(key, self.problem)
        return value


@dataclass(frozen=True, slots=True)
class Token:
    """A bot token as the Developer Portal shows it; an empty one is no token."""

    def __call__(self, key: str, value: str | None) -> str | None:
        if not value:
            return None
        if value.lower().startswith("bot "):
            raise ConfigError(key, "must be the token alone, without the 'Bot ' prefix")
        if any(c.isspace() or not c.isprintable() for c in value):
            raise ConfigError(
                key,
                "must not hold spaces, line breaks or control characters: paste the token "
                "exactly as the Developer Portal shows it",
            )
        return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class LogLevel:
    """A ``logging`` level name, in any case; upper case once read."""

    def __call__(self, key: str, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ConfigError(key, f"must be one of {', '.join(LOG_LEVELS)}, got {shown(value)}")
        return value.upper()


@dataclass(frozen=True, slots=True)
class LogLevels:
    """A table of logger name to level (``apscheduler = "WARNING"``)."""

    def __call__(self, key: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ConfigError(key, f"must be a table of logger = level, got {describe(value)}")
        levels = {}
        for name, level in value.items():
            if not isinstance(level, str) or level.upper() not in LOG_LEVELS:
                raise ConfigError(
                    key,
                    f"{name}: must be one of {', '.join(LOG_LEVELS)}, got {describe(level)}",
                )
            levels[name] = level.upper()
        return levels


MAX_SHARDS = 100_000


@dataclass(frozen=True, slots=True)
class ShardCount:
    """``"auto"`` (Discord's recommendation) or a number of shards."""

    def __call__(self, key: str, value: Any) -> int | str:
        if value == "auto":
            return value
        if isinstance(value, str):
            raise ConfigError(key, f"must be 'auto' or a number of shards, got {shown(value)}")
        return whole_number(key, value, Between(1, MAX_SHARDS))


@dataclass(frozen=True, slots=True)
class ShardIds:
    """``"auto"`` (take free shards) or the list of shard ids this process runs."""

    def __call__(self, key: str, value: Any) -> tuple[int, ...] | str:
        if value == "auto":
            return value
        if not isinstance(value, list):
            raise ConfigError(key, f"must be 'auto' or a list of shard ids, got {describe(value)}")
        if not value:
            raise ConfigError(key, "must name at least one shard id (or be 'auto')")
        ids = tuple(
            whole_number(f"{key}[{i}]", item, Between(0, MAX_SHARDS - 1))
            for i, item in enumerate(value)
        )
        if len(set(ids)) != len(ids):
            raise ConfigError(key, f"names a shard twice: {list(ids)}")
        return ids


SYNC_CHOICES = ("auto", "global", "off")


@dataclass(frozen=True, slots=True)
class SyncTarget:
    """Where start-up syncs the command tree: ``auto``, ``global``, ``off`` or ``guild:<id>``."""

    def __call__(self, key: str, value: str) -> str:
        if value in SYNC_CHOICES:
            return value
        prefix, _, guild = value.partition(":")
        is_id = guild.isascii() and guild.isdigit() and 1 <= int(guild) <= INT64_MAX
        if prefix == "guild" and is_id:
            return value
        raise ConfigError(
            key,
            "must be 'auto' (sync when the commands changed), 'global', 'off' or "
            f"'guild:<server id>', got {shown(value)}",
        )
