"""Config values the bot cannot run with are refused from the file, naming the key."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Annotated, Any

import pytest

from bot.cli import main
from bot.config import Config, load_config
from bot.config_values import INT64_MAX, INT64_MIN, Between
from bot.errors import ConfigError

BAD_VALUES = [
    ("[sounds]\nmax_upload_mb = inf", "[sounds] max_upload_mb", "finite"),
    ("[sounds]\nmax_upload_mb = nan", "[sounds] max_upload_mb", "finite"),
    ("[sounds]\nmax_upload_mb = 1e-300", "[sounds] max_upload_mb", "from 0.1 to 500"),
    ("[sounds]\nmax_duration_seconds = inf", "[sounds] max_duration_seconds", "finite"),
    ("[sounds]\nmax_duration_seconds = nan", "[sounds] max_duration_seconds", "finite"),
    ("[voice]\nmax_playback_seconds = inf", "[voice] max_playback_seconds", "finite"),
    ("[voice]\nmax_playback_seconds = -inf", "[voice] max_playback_seconds", "finite"),
    ("[voice]\nmax_playback_seconds = 1e30", "[voice] max_playback_seconds", "from 1 to 86400"),
    ("[voice]\nidle_disconnect_seconds = inf", "[voice] idle_disconnect_seconds", "finite"),
    ("[voice]\nidle_disconnect_seconds = nan", "[voice] idle_disconnect_seconds", "finite"),
    (
        "[scheduler]\nmisfire_grace_seconds = 1000000000000000000000000000000",
        "[scheduler] misfire_grace_seconds",
        "from 0 to 2592000 (30 days)",
    ),
    ("[scheduler]\nmisfire_grace_seconds = 1e30", "[scheduler] misfire_grace_seconds", "whole"),
    ("[scheduler]\nmax_retries = 100000", "[scheduler] max_retries", "from 0 to 100"),
    (
        "[credits]\nstarting_balance = 9223372036854775808",
        "[credits] starting_balance",
        "from 0 to 10000000",
    ),
    ("[credits]\nstarting_balance = -1", "[credits] starting_balance", "from 0 to 10000000"),
    ("[credits]\ndefault_cost = 9223372036854775807", "[credits] default_cost", "from 0 to"),
    ("[scheduler]\nretention_days = 1000000000000", "[scheduler] retention_days", "from 1 to"),
    ("[scheduler]\nretention_days = 1e12", "[scheduler] retention_days", "whole number"),
    ("[time]\nhorizon_years = 100000", "[time] horizon_years", "from 1 to 100"),
    ("[time]\nlanguages = ['xx']", "[time] languages[0]", "unknown language 'xx'"),
    ("[time]\nlanguages = ['en', 'EN']", "[time] languages[1]", "did you mean 'en'?"),
    ("[time]\nlanguages = ['en-GB']", "[time] languages[0]", "did you mean 'en'?"),
    ("[time]\nlanguages = []", "[time] languages", "at least one language"),
    ("[time]\ndefault_timezone = 'Europe'", "[time] default_timezone", "is a region"),
    ("[time]\ndefault_timezone = 'America'", "[time] default_timezone", "is a region"),
    (f"[time]\ndefault_timezone = '{'x' * 300}'", "[time] default_timezone", "unknown timezone"),
    ("[discord]\napi_base_url = 'http://'", "[discord] api_base_url", "must name a host"),
    ("[discord]\napi_base_url = 'http://host:99999/api'", "[discord] api_base_url", "port"),
    ("[discord]\napi_base_url = 'http://host:0/api'", "[discord] api_base_url", "port"),
    ("[discord]\napi_base_url = 'wss://host/api'", "[discord] api_base_url", "http:// or"),
    ("[discord]\napi_base_url = 'discord.com/api'", "[discord] api_base_url", "http:// or"),
    ("[discord]\napi_base_url = 'http://[::1/api'", "[discord] api_base_url", "not a valid URL"),
    ("[discord]\napi_base_url = 'http://ho st/api'", "[discord] api_base_url", "spaces"),
    ("[discord]\napi_base_url = 'http://a..b/api'", "[discord] api_base_url", "host name"),
    ("[discord]\napi_base_url = 'http://u:pw@host/api'", "[discord] api_base_url", "password"),
    ("[discord]\napi_base_url = 'http://host/api?v=10'", "[discord] api_base_url", "query"),
    ("[discord]\ngateway_url = 'wss://host:-1'", "[discord] gateway_url", "port"),
    ("[discord]\ngateway_url = 'wss://'", "[discord] gateway_url", "must name a host"),
    ("[discord]\ngateway_url = 'https://gateway.discord.gg'", "[discord] gateway_url", "ws://"),
    ("[discord]\nowner_ids = [18446744073709551616]", "[discord] owner_ids[0]", "from 1 to"),
    ("[discord]\nadmin_role_ids = [0]", "[discord] admin_role_ids[0]", "a Discord id"),
    ("[database]\nurl = 'postgresql+asyncpg://c@db:99999/c'", "[database] url", "port"),
    ("[database]\nurl = 'mysql+aiomysql://c@db/c'", "[database] url", "sqlite+aiosqlite"),
    ("[database]\nurl = 'postgresql+asyncpg://me:p@ss@[::1]/db'", "[database] url", "%40"),
]


@pytest.mark.parametrize(("toml", "shown", "problem"), BAD_VALUES)
def test_a_value_the_bot_cannot_run_with_is_refused_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, shown: str, problem: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml + "\n", encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_config(path)
    status = main(["check-config", "--config", str(path)])

    message = str(caught.value)
    assert message.startswith(f"config: {shown}: ")
    assert problem in message
    assert status == 2
    out, err = capsys.readouterr()
    assert err == message + "\n"
    assert "config OK" not in out


GOOD_VALUES = [
    ("[discord]\napi_base_url = 'http://127.0.0.1:8080/api/v10'", "discord", "api_base_url"),
    ("[discord]\napi_base_url = 'http://[::1]:8080/api'", "discord", "api_base_url"),
    ("[discord]\napi_base_url = 'https://my_proxy.internal/api/v10/'", "discord", "api_base_url"),
    ("[discord]\ngateway_url = 'ws://localhost:65535'", "discord", "gateway_url"),
    ("[discord]\nowner_ids = [9223372036854775807]", "discord", "owner_ids"),
    ("[database]\nurl = 'postgresql+asyncpg://c@db:5432/c'", "database", "url"),
    ("[scheduler]\nmisfire_grace_seconds = 0", "scheduler", "misfire_grace_seconds"),
    ("[scheduler]\nmisfire_grace_seconds = 2592000", "scheduler", "misfire_grace_seconds"),
    ("[sounds]\nmax_upload_mb = 500", "sounds", "max_upload_mb"),
    ("[sounds]\nmax_upload_mb = 0.1", "sounds", "max_upload_mb"),
    ("[credits]\nstarting_balance = 10000000", "credits", "starting_balance"),
    ("[voice]\nidle_disconnect_seconds = 0", "voice", "idle_disconnect_seconds"),
    ("[time]\nlanguages = ['de', 'fr', 'zh-Hans']", "time", "languages"),
    ("[time]\ndefault_timezone = 'America/Argentina/Buenos_Aires'", "time", "default_timezone"),
]


@pytest.mark.parametrize(("toml", "section", "key"), GOOD_VALUES)
def test_values_an_operator_would_use_are_accepted(
    tmp_path: Path, toml: str, section: str, key: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml + "\n", encoding="utf-8")

    config = load_config(path)

    assert getattr(getattr(config, section), key) != getattr(getattr(Config(), section), key)


def _numbers(hint: Any) -> list[Any]:
    """The number hints inside ``hint``, with their Annotated wrappers."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        return [hint] if args[0] in (int, float) else _numbers(args[0])
    if origin is tuple:
        return _numbers(args[0])
    return [hint] if hint in (int, float) else []


def test_every_number_key_has_bounds_within_64_bits() -> None:
    for section in dataclasses.fields(Config):
        section_type = typing.get_type_hints(Config)[section.name]
        hints = typing.get_type_hints(section_type, include_extras=True)
        for key, hint in hints.items():
            for number in _numbers(hint):
                bounds = [r for r in getattr(number, "__metadata__", ()) if isinstance(r, Between)]
                assert bounds, f"{section.name}.{key} has no bounds"
                assert INT64_MIN <= bounds[0].low <= bounds[0].high <= INT64_MAX


def test_the_defaults_are_within_their_bounds(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    lines = []
    for section in dataclasses.fields(Config):
        lines.append(f"[{section.name}]")
        values = dataclasses.asdict(getattr(Config(), section.name))
        for key, value in values.items():
            if isinstance(value, dict):
                table = ", ".join(f"{name} = {level!r}" for name, level in value.items())
                lines.append(f"{key} = {{ {table} }}")
            elif isinstance(value, bool):
                lines.append(f"{key} = {str(value).lower()}")
            elif value is not None:
                shown = repr(list(value) if isinstance(value, tuple) else value)
                lines.append(f"{key} = {shown}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert load_config(path) == Config().resolved_against(tmp_path)
