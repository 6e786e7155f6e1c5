"""The typed configuration: one TOML file, sectioned, validated at start-up."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.tzdb import is_zone

DEFAULT_CONFIG_PATH = Path("config.toml")
TOKEN_ENV = "CARILLON_TOKEN"


@dataclass(frozen=True)
class DiscordConfig:
    token: str | None = None
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg"
    admin_role_ids: tuple[int, ...] = ()
    owner_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite+aiosqlite:///data/carillon.db"


@dataclass(frozen=True)
class SchedulerConfig:
    misfire_grace_seconds: int = 300
    max_retries: int = 3
    retention_days: int = 30


@dataclass(frozen=True)
class SoundsConfig:
    directory: str = "data/sounds"
    max_upload_mb: float = 8.0
    max_duration_seconds: float = 30.0


@dataclass(frozen=True)
class CreditsConfig:
    default_cost: int = 1
    recharge_amount: int = 10
    recharge_cap: int = 100
    starting_balance: int = 20


@dataclass(frozen=True)
class VoiceConfig:
    idle_disconnect_seconds: float = 60.0
    max_playback_seconds: float = 600.0


@dataclass(frozen=True)
class TimeConfig:
    default_timezone: str = "UTC"
    languages: tuple[str, ...] = ("en",)
    # How "12/11" reads: "MDY" (month first) or "DMY" (day first).
    date_order: str = "MDY"
    # Nothing may be scheduled further ahead than this.
    horizon_years: int = 5


@dataclass(frozen=True)
class Config:
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    sounds: SoundsConfig = field(default_factory=SoundsConfig)
    credits: CreditsConfig = field(default_factory=CreditsConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    time: TimeConfig = field(default_factory=TimeConfig)

    def with_token_from_env(self, environ: typing.Mapping[str, str] | None = None) -> Config:
        """``CARILLON_TOKEN`` wins over the file's token."""
        token = (environ if environ is not None else os.environ).get(TOKEN_ENV)
        if not token:
            return self
        return dataclasses.replace(self, discord=dataclasses.replace(self.discord, token=token))


_NON_NEGATIVE = {
    "scheduler.misfire_grace_seconds",
    "scheduler.max_retries",
    "credits.default_cost",
    "credits.recharge_amount",
    "credits.recharge_cap",
    "credits.starting_balance",
    "voice.idle_disconnect_seconds",
}
_POSITIVE = {
    "scheduler.retention_days",
    "sounds.max_upload_mb",
    "sounds.max_duration_seconds",
    "voice.max_playback_seconds",
    "time.horizon_years",
}


def load_config(path: Path | str | None = None, *, required: bool = False) -> Config:
    """Read and validate ``path`` (default ``config.toml``); a missing optional file means defaults.

    Raises ``ConfigError`` naming the key for anything wrong.
    """
    config_path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    where = str(config_path)
    if not config_path.exists():
        if required or path is not None:
            raise ConfigError(where, "file not found", where=where)
        return Config()
    try:
        data = config_path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problem = f"is not UTF-8 text (line {line} has byte 0x{data[exc.start]:02x})"
        raise ConfigError(where, f"{problem}; save it as UTF-8", where=where) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, f"not valid TOML ({exc})", where=where) from None
    except RecursionError:
        raise ConfigError(where, "not valid TOML (nested too deeply)", where=where) from None
    except OSError as exc:
        raise ConfigError(where, f"cannot be read ({exc.strerror})", where=where) from None
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> Config:
    """Build a ``Config`` from parsed TOML, refusing unknown sections and keys."""
    sections: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(Config)}
    for section_name, values in raw.items():
        if section_name not in known:
            raise ConfigError(section_name, f"unknown section (known: {', '.join(known)})")
        if not isinstance(values, dict):
            raise ConfigError(section_name, "must be a table ([section])")
        section_type = typing.get_type_hints(Config)[section_name]
        sections[section_name] = _parse_section(section_name, section_type, values)
    config = Config(**sections)
    _check_semantics(config)
    return config


def _parse_section(section: str, section_type: type, values: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(section_type)
    names = [f.name for f in dataclasses.fields(section_type)]
    parsed: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{section}.{key}"
        if key not in hints:
            raise ConfigError(dotted, f"unknown key (known in [{section}]: {', '.join(names)})")
        parsed[key] = _coerce(dotted, hints[key], value)
    return section_type(**parsed)


def _coerce(key: str, hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _coerce(key, inner[0], value)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(key, f"must be a list, got {_describe(value)}")
        return tuple(_coerce(f"{key}[{i}]", args[0], item) for i, item in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"must be true or false, got {_describe(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"must be a whole number, got {_describe(value)}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, f"must be a number, got {_describe(value)}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"must be a string, got {_describe(value)}")
        return value
    raise ConfigError(key, f"unsupported type {hint!r}")  # pragma: no cover


def _describe(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a table"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"


def _check_semantics(config: Config) -> None:
    for dotted in _NON_NEGATIVE | _POSITIVE:
        section, key = dotted.split(".")
        value = getattr(getattr(config, section), key)
        if dotted in _POSITIVE and value <= 0:
            raise ConfigError(dotted, f"must be greater than 0, got {value}")
        if value < 0:
            raise ConfigError(dotted, f"must not be negative, got {value}")
    if not is_zone(config.time.default_timezone):
        raise ConfigError(
            "time.default_timezone",
            f"unknown timezone {config.time.default_timezone[:60]!r} (use an IANA name such as "
            "'Europe/Paris' or 'America/New_York')",
        )
    if config.time.date_order not in ("MDY", "DMY"):
        raise ConfigError("time.date_order", "must be 'MDY' (12/24) or 'DMY' (24/12)")
    if not config.time.languages:
        raise ConfigError("time.languages", "must name at least one language, such as 'en'")
    url = config.database.url
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            "database.url",
            "must start with 'sqlite+aiosqlite://' or 'postgresql+asyncpg://'",
        )
    for key in ("api_base_url", "gateway_url"):
        value = getattr(config.discord, key)
        schemes = ("http://", "https://") if key == "api_base_url" else ("ws://", "wss://")
        if not value.startswith(schemes):
            raise ConfigError(f"discord.{key}", f"must start with {' or '.join(schemes)}")
    if config.credits.recharge_cap < config.credits.recharge_amount:
        raise ConfigError("credits.recharge_cap", "must be at least credits.recharge_amount")
