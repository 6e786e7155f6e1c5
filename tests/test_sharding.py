"""The shard options of ``python -m bot run`` over ``[discord]``, and the filter they imply."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config, parse_config
from bot.errors import ConfigError
from bot.repositories.scheduled_task import ShardFilter
from bot.sharding import ShardPlan, dispatch_filter, with_shard_options


def test_the_options_replace_the_config_keys() -> None:
    config = parse_config({"discord": {"shard_count": 2, "shard_ids": [1]}})

    plan = ShardPlan.from_config(with_shard_options(config, "6", "0,1"))

    assert plan == ShardPlan(6, (0, 1))


def test_auto_is_discords_recommendation_and_every_shard() -> None:
    assert ShardPlan.from_config(with_shard_options(Config(), "auto", "auto")) == ShardPlan(
        None, None
    )


@pytest.mark.parametrize(
    ("count", "ids", "key", "problem"),
    [
        ("six", None, "[discord] shard_count", "whole number"),
        ("0", None, "[discord] shard_count", "must be from 1 to 100000, got 0"),
        ("6", "0,6", "[discord] shard_ids", "from 0 to shard_count - 1 (5), got 6"),
        ("6", "1,1", "[discord] shard_ids", "names a shard twice"),
        ("6", "0,,1", "[discord] shard_ids[1]", "whole number"),
        (None, "0,1", "[discord] shard_ids", "needs [discord] shard_count as a number"),
    ],
)
def test_a_bad_option_names_the_key_it_replaces(
    count: str | None, ids: str | None, key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        with_shard_options(Config(), count, ids)

    assert str(raised.value).startswith(f"config: {key}: ")
    assert problem in str(raised.value)


def test_a_process_running_every_shard_claims_every_task() -> None:
    assert dispatch_filter([0, 1, 2], 3) is None
    assert dispatch_filter([2, 0], 3) == ShardFilter(frozenset({0, 2}), 3)


def test_run_refuses_a_bad_shard_option_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {**os.environ, "CARILLON_TOKEN": "x"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config), "--shard-ids", "0,x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert done.stderr.strip() == (
        "config: [discord] shard_ids[1]: must be a whole number, got 'x'"
    )
