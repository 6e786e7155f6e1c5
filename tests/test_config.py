"""Config: defaults, validation naming the key, the token from the environment."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import Config, load_config, parse_config
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_match_the_design():
    config = Config()
    assert config.database.url == "sqlite+aiosqlite:///data/carillon.db"
    assert (config.scheduler.misfire_grace_seconds, config.scheduler.max_retries) == (300, 3)
    assert config.time.default_timezone == "UTC"


def test_the_example_documents_every_key_and_loads():
    config = load_config(ROOT / "config.example.toml")
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for section in dataclasses.fields(Config):
        assert f"[{section.name}]" in text
        for key, default in dataclasses.asdict(getattr(config, section.name)).items():
            # A key with no default is documented commented out.
            documented = f"\n{key} = " in text or (default is None and f"\n# {key} = " in text)
            assert documented, f"{section.name}.{key} is not documented"


@pytest.mark.parametrize(
    ("raw", "key", "problem"),
    [
        ({"scheduler": {"max_retry": 3}}, "scheduler.max_retry", "unknown key"),
        ({"schedule": {}}, "schedule", "unknown section"),
        ({"scheduler": {"max_retries": "3"}}, "scheduler.max_retries", "whole number"),
        ({"scheduler": {"max_retries": True}}, "scheduler.max_retries", "whole number"),
        ({"scheduler": {"max_retries": -1}}, "scheduler.max_retries", "from 0 to 100"),
        ({"sounds": {"max_upload_mb": 0}}, "sounds.max_upload_mb", "from 0.1 to 500"),
        ({"time": {"default_timezone": "Mars/Base"}}, "time.default_timezone", "unknown timezone"),
        ({"time": {"default_timezone": "Europe"}}, "time.default_timezone", "unknown timezone"),
        ({"time": {"default_timezone": "x" * 300}}, "time.default_timezone", "unknown timezone"),
        ({"time": {"languages": "en"}}, "time.languages", "must be a list"),
        ({"time": {"date_order": "YMD"}}, "time.date_order", "MDY"),
        ({"discord": {"admin_role_ids": ["x"]}}, "discord.admin_role_ids[0]", "whole number"),
        ({"discord": {"gateway_url": "http://x"}}, "discord.gateway_url", "ws://"),
        ({"database": {"url": "mysql://x"}}, "database.url", "sqlite+aiosqlite"),
        ({"credits": {"recharge_cap": 1}}, "credits.recharge_cap", "recharge_amount"),
        ({"voice": []}, "voice", "must be a table"),
        ({"web": {"enabled": True}}, "web.secret", "must be set"),
        ({"web": {"enabled": True, "secret": "short"}}, "web.secret", "at least 32"),
        ({"web": {"port": 0}}, "web.port", "TCP port"),
    ],
)
def test_bad_values_name_the_key(raw, key, problem):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert caught.value.key == key
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("scheduler.misfire_grace_seconds", "config: [scheduler] misfire_grace_seconds: "),
        ("discord.owner_ids[0]", "config: [discord] owner_ids[0]: "),
        ("schedule", "config: [schedule]: "),
    ],
)
def test_the_message_spells_the_key_as_the_file_does(key, shown):
    assert str(ConfigError(key, "wrong")) == f"{shown}wrong"


def test_a_file_error_names_the_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.toml")
    assert str(caught.value) == f"config: {tmp_path / 'missing.toml'}: file not found"


def test_numbers_are_coerced_where_floats_are_expected():
    assert parse_config({"sounds": {"max_upload_mb": 2}}).sounds.max_upload_mb == 2.0


def test_bad_toml_and_missing_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[discord\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "missing.toml")


def test_token_from_the_environment_wins():
    config = parse_config({"discord": {"token": "from-file"}})
    assert config.with_token_from_env({"CARILLON_TOKEN": "from-env"}).discord.token == "from-env"
    assert config.with_token_from_env({}).discord.token == "from-file"


def test_a_file_that_is_not_utf8_says_so(tmp_path):
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("[time]\n# café\ndefault_timezone = 'UTC'\n".encode("latin-1"))
    utf16 = tmp_path / "utf16.toml"
    utf16.write_bytes("[time]\n".encode("utf-16"))
    with pytest.raises(ConfigError, match=r"latin1\.toml: is not UTF-8 text \(line 2 .* 0xe9"):
        load_config(latin1)
    with pytest.raises(ConfigError, match=r"utf16\.toml: is not UTF-8 text \(line 1 .* 0xff"):
        load_config(utf16)


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes("\ufeff[time]\ndefault_timezone = 'Europe/Paris'\n".encode())
    assert load_config(path).time.default_timezone == "Europe/Paris"


def test_arrays_nested_too_deeply_are_not_valid_toml(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[discord]\nowner_ids = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path)
