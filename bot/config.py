"""The typed configuration: one TOML file, sectioned, validated at start-up."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from bot.config_values import (
    DAY,
    HOUR,
    INT64_MAX,
    Between,
    DatabaseUrl,
    Language,
    LogLevel,
    LogLevels,
    NotEmpty,
    OneOf,
    ShardCount,
    ShardIds,
    SyncTarget,
    Token,
    Url,
    Zone,
    describe,
    flag,
    number,
    text,
    whole_number,
)
from bot.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("config.toml")
TOKEN_ENV = "CARILLON_TOKEN"


_DISCORD_ID = Between(1, INT64_MAX, "a Discord id")
_DATE_ORDER = OneOf(("MDY", "DMY"), "must be 'MDY' (12/24) or 'DMY' (24/12)")


@dataclass(frozen=True)
class DiscordConfig:
    token: Annotated[str | None, Token()] = None
    api_base_url: Annotated[str, Url(("http", "https"))] = "https://discord.com/api/v10"
    gateway_url: Annotated[str, Url(("ws", "wss"))] = "wss://gateway.discord.gg"
    cdn_url: Annotated[str, Url(("http", "https"))] = "https://cdn.discordapp.com"
    admin_role_ids: tuple[Annotated[int, _DISCORD_ID], ...] = ()
    owner_ids: tuple[Annotated[int, _DISCORD_ID], ...] = ()
    # "auto" or a number; "auto" or a list of the shard ids this process runs.
    shard_count: Annotated[int | str, ShardCount()] = "auto"
    shard_ids: Annotated[tuple[int, ...] | str, ShardIds()] = "auto"
    # "auto": sync the command tree at start only when it changed since the last sync.
    sync_on_start: Annotated[str, SyncTarget()] = "auto"


@dataclass(frozen=True)
class DatabaseConfig:
    url: Annotated[str, DatabaseUrl(("sqlite+aiosqlite", "postgresql+asyncpg"))] = (
        "sqlite+aiosqlite:///data/carillon.db"
    )


@dataclass(frozen=True)
class SchedulerConfig:
    misfire_grace_seconds: Annotated[int, Between(0, 30 * DAY, "30 days")] = 300
    max_retries: Annotated[int, Between(0, 100)] = 3
    retention_days: Annotated[int, Between(1, 36_500, "100 years")] = 30


@dataclass(frozen=True)
class SoundsConfig:
    directory: str = "data/sounds"
    max_upload_mb: Annotated[float, Between(0.1, 500, "Discord's largest attachment")] = 8.0
    max_duration_seconds: Annotated[float, Between(1, HOUR, "an hour")] = 30.0


# The bounds /admin settings allows a server, so the config's defaults are values it could set.
@dataclass(frozen=True)
class CreditsConfig:
    default_cost: Annotated[int, Between(0, 1_000_000)] = 1
    recharge_amount: Annotated[int, Between(0, 1_000_000)] = 10
    recharge_cap: Annotated[int, Between(0, 10_000_000)] = 100
    starting_balance: Annotated[int, Between(0, 10_000_000)] = 20


@dataclass(frozen=True)
class VoiceConfig:
    idle_disconnect_seconds: Annotated[float, Between(0, DAY, "a day")] = 60.0
    max_playback_seconds: Annotated[float, Between(1, DAY, "a day")] = 600.0


@dataclass(frozen=True)
class TimeConfig:
    default_timezone: Annotated[str, Zone()] = "UTC"
    languages: Annotated[
        tuple[Annotated[str, Language()], ...],
        NotEmpty("must name at least one language, such as 'en'"),
    ] = ("en",)
    # How "12/11" reads: "MDY" (month first) or "DMY" (day first).
    date_order: Annotated[str, _DATE_ORDER] = "MDY"
    # Nothing may be scheduled further ahead than this.
    horizon_years: Annotated[int, Between(1, 100)] = 5


@dataclass(frozen=True)
class LoggingConfig:
    level: Annotated[str, LogLevel()] = "INFO"
    # "text" for people, "json" (one object a line) for log shippers.
    format: Annotated[str, OneOf(("text", "json"), "must be 'text' or 'json'")] = "text"
    # Per logger, over the built-in defaults (APScheduler's routine lines at WARNING).
    levels: Annotated[dict[str, str], LogLevels()] = field(default_factory=dict)


MIN_WEB_SECRET_LENGTH = 32


@dataclass(frozen=True)
class WebConfig:
    enabled: bool = False
    host: str = "127.0.0.1"
    port: Annotated[int, Between(1, 65535, "a TCP port")] = 8080
    public_url: Annotated[str | None, Url(("http", "https"))] = None
    secret: str | None = None
    # The application's OAuth2 client secret (Developer Portal, OAuth2 page), for the login.
    client_secret: str | None = None


@dataclass(frozen=True)
class Config:
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    sounds: SoundsConfig = field(default_factory=SoundsConfig)
    credits: CreditsConfig = field(default_factory=CreditsConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    time: TimeConfig = field(default_factory=TimeConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    web: WebConfig = field(default_factory=WebConfig)

    def with_token_from_env(self, environ: typing.Mapping[str, str] | None = None) -> Config:
        """``CARILLON_TOKEN`` wins over the file's token."""
        token = Token()(TOKEN_ENV, (environ if environ is not None else os.environ).get(TOKEN_ENV))
        if not token:
            return self
        return dataclasses.replace(self, discord=dataclasses.replace(self.discord, token=token))

    def resolved_against(self, folder: Path) -> Config:
        """Relative paths (the SQLite file, the sounds folder) taken from ``folder``."""
        database = dataclasses.replace(
            self.database, url=_sqlite_url_against(self.database.url, folder)
        )
        sounds = dataclasses.replace(
            self.sounds, directory=str(folder / Path(self.sounds.directory).expanduser())
        )
        return dataclasses.replace(self, database=database, sounds=sounds)


def _sqlite_url_against(url: str, folder: Path) -> str:
    """``sqlite+aiosqlite:///data/x.db`` -> ``sqlite+aiosqlite:////FOLDER/data/x.db``."""
    scheme, separator, rest = url.partition(":///")
    if not separator or not scheme.startswith("sqlite"):
        return url
    path, question, query = rest.partition("?")
    if not path or path == ":memory:" or Path(path).is_absolute():
        return url
    return f"{scheme}:///{folder / path}{question}{query}"


def load_config(path: Path | str | None = None, *, required: bool = False) -> Config:
    """Read and validate ``path`` (default ``config.toml``); a missing optional file means defaults.

    Raises ``ConfigError`` naming the key for anything wrong.
    """
    config_path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    where = str(config_path)
    folder = config_path.resolve().parent
    if not config_path.exists():
        if required or path is not None:
            raise ConfigError(where, "file not found", where=where)
        return Config().resolved_against(folder)
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
    return parse_config(raw).resolved_against(folder)


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
    hints = typing.get_type_hints(section_type, include_extras=True)
    names = [f.name for f in dataclasses.fields(section_type)]
    parsed: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{section}.{key}"
        if key not in hints:
            raise ConfigError(dotted, f"unknown key (known in [{section}]: {', '.join(names)})")
        parsed[key] = _coerce(dotted, hints[key], value)
    return section_type(**parsed)


_NUMBERS: dict[Any, Callable[[str, Any, Between], Any]] = {int: whole_number, float: number}
_KINDS: dict[Any, Callable[[str, Any], Any]] = {
    bool: flag,
    int: whole_number,
    float: number,
    str: text,
}


def _coerce(key: str, hint: Any, value: Any) -> Any:
    """The value as ``hint`` says, checked by the rules ``Annotated`` attaches to it."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Annotated:
        bounds = [rule for rule in hint.__metadata__ if isinstance(rule, Between)]
        rules = [rule for rule in hint.__metadata__ if not isinstance(rule, Between)]
        if bounds:
            result = _NUMBERS[args[0]](key, value, bounds[0])
        else:
            result = _coerce(key, args[0], value)
        for rule in rules:
            result = rule(key, result)
        return result
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if len(inner) > 1:
            return value  # "auto" or a number, say: the key's own rule decides
        return _coerce(key, inner[0], value)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(key, f"must be a table, got {describe(value)}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(key, f"must be a list, got {describe(value)}")
        return tuple(_coerce(f"{key}[{i}]", args[0], item) for i, item in enumerate(value))
    if hint in _KINDS:
        return _KINDS[hint](key, value)
    raise ConfigError(key, f"unsupported type {hint!r}")  # pragma: no cover


def _check_semantics(config: Config) -> None:
    discord = config.discord
    if isinstance(discord.shard_count, int) and isinstance(discord.shard_ids, tuple):
        outside = [i for i in discord.shard_ids if i >= discord.shard_count]
        if outside:
            raise ConfigError(
                "discord.shard_ids",
                f"shard ids go from 0 to shard_count - 1 ({discord.shard_count - 1}), "
                f"got {outside[0]}",
            )
    credits = config.credits
    if credits.recharge_cap < credits.recharge_amount:
        raise ConfigError(
            "credits.recharge_cap",
            f"must be at least recharge_amount ({credits.recharge_amount}), "
            f"got {credits.recharge_cap}",
        )
    web = config.web
    if web.enabled and len(web.secret or "") < MIN_WEB_SECRET_LENGTH:
        raise ConfigError(
            "web.secret",
            f"must be set, at least {MIN_WEB_SECRET_LENGTH} random characters, when [web] "
            "enabled = true (it signs the dashboard's sessions and the API's tokens)",
        )
