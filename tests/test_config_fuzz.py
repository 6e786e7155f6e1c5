"""Arbitrary config values: the loader accepts one the bot can run with or names the key."""

from __future__ import annotations

import dataclasses
import math
import typing
from datetime import UTC, datetime, timedelta
from typing import Any

import yarl
from dateparser.data.languages_info import language_order
from dateparser.date import DateDataParser
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.audio.transcode import SAMPLE_RATE, AudioLimits
from bot.config import Config, parse_config
from bot.errors import ConfigError
from bot.scheduling.dispatcher import DispatcherSettings
from bot.timeparse.fallback import Fallback
from bot.tzdb import zone, zone_names

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
INT32_MAX = 2**31 - 1  # PostgreSQL's integer, the columns balances and graces are stored in
# A rule that checks two keys may name the other one.
_ALSO_NAMED = {
    "credits.recharge_amount": "credits.recharge_cap",
    # [web] enabled = true needs a secret to sign with; the error names the missing key.
    "web.enabled": "web.secret",
}

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=1e8),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.integers(min_value=-10, max_value=10**8),
    st.sampled_from([2**63, 2**63 - 1, -(2**63) - 1, 2**64, 10**30, 10**12, 0, 1, -1]),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e30, 1e12, 1e-300, 5e-324, 0.0, -0.0]),
)
ANYTHING = st.one_of(
    NUMBERS,
    st.booleans(),
    st.text(max_size=40),
    st.lists(st.one_of(st.integers(), st.text(max_size=10)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just(datetime(2026, 1, 1)),
)
HOSTS = st.one_of(
    st.sampled_from(["localhost", "127.0.0.1", "[::1]", "discord.com", "my_proxy", "", "a..b"]),
    st.text(max_size=15),
)
PORTS = st.one_of(
    st.just(""),
    st.integers(min_value=-5, max_value=70_000).map(lambda port: f":{port}"),
    st.text(max_size=6).map(lambda port: f":{port}"),
)
PATHS = st.one_of(st.sampled_from(["", "/", "/api/v10", "/?q=1", "/#f"]), st.text(max_size=10))
URLS = st.one_of(
    st.builds(
        "{}://{}{}{}".format,
        st.sampled_from(["http", "https", "ws", "wss", "HTTPS"]),
        st.from_regex(
            r"[a-z0-9_]([a-z0-9_-]{0,10}[a-z0-9_])?(\.[a-z0-9]{1,5}){0,2}", fullmatch=True
        ),
        st.one_of(st.just(""), st.integers(min_value=1, max_value=65535).map(":{}".format)),
        st.sampled_from(["", "/", "/api/v10", "/api/"]),
    ),
    st.builds(
        "{}{}{}{}".format,
        st.sampled_from(["http://", "https://", "ws://", "wss://", "ftp://", "", "HTTP://", "//"]),
        HOSTS,
        PORTS,
        PATHS,
    ),
    st.text(max_size=60),
)
ZONE_NAMES = sorted(zone_names())
ZONES = st.one_of(
    st.sampled_from(ZONE_NAMES),
    st.sampled_from([*sorted({name.split("/")[0] for name in ZONE_NAMES}), "x" * 300, ""]),
    st.from_regex(r"[A-Za-z_/.+-]{1,300}", fullmatch=True),
    st.text(max_size=40),
)
LANGUAGES = st.lists(
    st.one_of(st.sampled_from(language_order), st.text(max_size=8), st.just("en-GB")), max_size=4
)


def _keys(kinds: tuple[type, ...]) -> list[tuple[str, str]]:
    keys = []
    for section in dataclasses.fields(Config):
        section_type = typing.get_type_hints(Config)[section.name]
        for key, hint in typing.get_type_hints(section_type).items():
            inner = typing.get_args(hint)[0] if typing.get_origin(hint) is tuple else hint
            if inner in kinds:
                keys.append((section.name, key))
    return keys


NUMBER_KEYS = _keys((int, float))
EVERY_KEY = _keys(
    (int, float, str, bool, str | None, int | str, tuple[int, ...] | str, dict[str, str])
)


def _load(section: str, key: str, value: Any) -> Config | None:
    """The config, or None after checking the error names ``section.key``."""
    dotted = f"{section}.{key}"
    try:
        config = parse_config({section: {key: value}})
    except ConfigError as exc:
        error = exc
    else:
        event("accepted")
        return config
    event("refused")
    named = error.key.split("[")[0]
    assert named in (dotted, _ALSO_NAMED.get(dotted)), (error.key, dotted)
    assert str(error).startswith(f"config: [{section}] {named.split('.')[1]}"), str(error)
    return None


def _runnable(config: Config) -> None:
    """What the bot does with each number, done: none of it may raise."""
    scheduler, credits, voice = config.scheduler, config.credits, config.voice
    grace = timedelta(seconds=scheduler.misfire_grace_seconds)
    assert NOW - grace <= NOW <= NOW + grace
    assert 0 <= scheduler.misfire_grace_seconds <= INT32_MAX
    DispatcherSettings(max_retries=scheduler.max_retries).backoff(scheduler.max_retries + 1)
    assert NOW - timedelta(days=scheduler.retention_days) < NOW
    limits = AudioLimits.from_config(config.sounds)
    assert 1 <= limits.max_bytes <= INT32_MAX
    assert 1 <= int(limits.max_duration_seconds * SAMPLE_RATE) <= INT32_MAX
    for amount in (credits.default_cost, credits.recharge_amount, credits.starting_balance):
        assert 0 <= amount <= INT32_MAX
    assert credits.starting_balance + credits.recharge_cap <= INT32_MAX
    assert math.isfinite(voice.idle_disconnect_seconds)
    assert voice.idle_disconnect_seconds >= 0
    assert math.isfinite(voice.max_playback_seconds)
    assert voice.max_playback_seconds >= 1
    assert NOW + relativedelta(years=config.time.horizon_years) > NOW
    for snowflake in (*config.discord.admin_role_ids, *config.discord.owner_ids):
        assert 0 < snowflake < 2**63


@FUZZ
@given(st.sampled_from(NUMBER_KEYS), NUMBERS)
def test_numbers_are_runnable_or_refused_naming_the_key(where: tuple[str, str], value: Any) -> None:
    section, key = where
    is_list = key in ("admin_role_ids", "owner_ids")
    config = _load(section, key, [value] if is_list else value)
    if config is not None:
        _runnable(config)


@FUZZ
@given(st.sampled_from(["api_base_url", "gateway_url"]), URLS)
def test_urls_are_usable_or_refused_naming_the_key(key: str, value: str) -> None:
    config = _load("discord", key, value)
    if config is None:
        return
    schemes = ("http", "https") if key == "api_base_url" else ("ws", "wss")
    if key == "api_base_url":
        url = yarl.URL(config.discord.api_base_url.rstrip("/") + "/users/@me")
    else:
        url = yarl.URL(config.discord.gateway_url).with_query(v=10, encoding="json")
    assert url.scheme in schemes
    assert url.host
    assert url.port is not None
    assert 1 <= url.port <= 65535
    assert url.user is None
    assert not url.fragment


@FUZZ
@given(ZONES)
def test_zones_are_real_or_refused_naming_the_key(value: str) -> None:
    config = _load("time", "default_timezone", value)
    if config is not None:
        assert NOW.astimezone(zone(config.time.default_timezone)).utcoffset() is not None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LANGUAGES)
def test_languages_are_parsed_in_or_refused_naming_the_key(value: list[str]) -> None:
    config = _load("time", "languages", value)
    if config is not None:
        languages = config.time.languages
        DateDataParser(languages=list(languages))
        Fallback(languages, config.time.date_order)


@FUZZ
@given(st.sampled_from(EVERY_KEY), st.one_of(ANYTHING, URLS, ZONES))
def test_any_value_of_any_key_raises_nothing_but_the_config_error(
    where: tuple[str, str], value: Any
) -> None:
    section, key = where
    config = _load(section, key, value)
    if config is not None:
        _runnable(config)


def test_the_fuzz_covers_every_key() -> None:
    every = {(f.name, k) for f in dataclasses.fields(Config) for k in _section_keys(f.name)}
    assert set(EVERY_KEY) == every


def _section_keys(section: str) -> list[str]:
    return [f.name for f in dataclasses.fields(typing.get_type_hints(Config)[section])]


DATABASE_URLS = st.builds(
    "{}://{}{}{}{}".format,
    st.sampled_from(["sqlite+aiosqlite", "postgresql+asyncpg", "postgresql", "SQLITE+aiosqlite"]),
    st.sampled_from(["", "me@", "me:pw@", "me:p%40ss@", ":pw@", "me:p@ss@"]),
    st.one_of(HOSTS, st.just("")),
    PORTS,
    st.one_of(
        st.sampled_from(
            ["", "/", "/db", "/:memory:", "/data/x.db", "//abs/x.db", "/x?mode=memory"]
        ),
        st.text(max_size=12),
    ),
)


@FUZZ
@given(DATABASE_URLS)
def test_a_database_url_accepted_is_one_sqlalchemy_reads_alike(value: str) -> None:
    """The config reads URLs with urllib (fast start-up); SQLAlchemy must agree on each part."""
    from sqlalchemy.engine import make_url

    config = _load("database", "url", value)
    if config is None:
        return
    url = make_url(value)
    assert url.drivername in ("sqlite+aiosqlite", "postgresql+asyncpg")
    assert url.database
    assert url.get_backend_name() != "sqlite" or url.database != ":memory:"
    assert url.port is None or 1 <= url.port <= 65535
