"""``python -m bot when``: the JSON a member's phrase becomes, and JSON errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


def when(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    try:
        status = main(["when", *argv])
    except SystemExit as exc:  # argparse's usage errors end the process, after the JSON
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, json.loads(out)


def test_weekday_mornings_in_new_york(capsys: pytest.CaptureFixture[str]) -> None:
    status, document = when(
        capsys, "every weekday at 9am", "--tz", "America/New_York", "--now", "2026-11-26T14:00"
    )
    assert status == 0
    assert document == {
        "first_run": "2026-11-27T14:00:00Z",
        "recurrence": {
            "type": "cron",
            "interval": 1,
            "cron": "0 9 * * 1-5",
            "count": None,
            "until": None,
            "timezone": "America/New_York",
        },
        "next_runs": [
            "2026-11-27T14:00:00Z",
            "2026-11-30T14:00:00Z",
            "2026-12-01T14:00:00Z",
            "2026-12-02T14:00:00Z",
            "2026-12-03T14:00:00Z",
        ],
        "description": "every weekday at 09:00 (America/New_York)",
    }
    assert list(document) == ["first_run", "recurrence", "next_runs", "description"]


def test_a_one_off_has_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    status, document = when(capsys, "in 90 minutes", "--now", "2026-11-26T14:00:00Z")
    assert status == 0
    assert document["first_run"] == "2026-11-26T15:30:00Z"
    assert document["recurrence"] is None
    assert document["next_runs"] == ["2026-11-26T15:30:00Z"]


def test_naive_now_is_wall_clock_in_tz_and_aware_now_an_instant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, naive = when(capsys, "in 1 hour", "--tz", "Asia/Tokyo", "--now", "2026-12-31T23:30")
    _, aware = when(capsys, "in 1 hour", "--tz", "Asia/Tokyo", "--now", "2026-12-31T23:30+00:00")
    assert naive["first_run"] == "2026-12-31T15:30:00Z"
    assert aware["first_run"] == "2027-01-01T00:30:00Z"


def test_iso_phrase_is_wall_clock_in_tz(capsys: pytest.CaptureFixture[str]) -> None:
    _, document = when(
        capsys, "2026-12-24 20:00", "--tz", "Europe/Paris", "--now", "2026-11-26T10:00"
    )
    assert document["first_run"] == "2026-12-24T19:00:00Z"
    _, document = when(capsys, "2026-12-24T20:00:00-05:00", "--now", "2026-11-26T10:00")
    assert document["first_run"] == "2026-12-25T01:00:00Z"


def test_show_and_count(capsys: pytest.CaptureFixture[str]) -> None:
    _, document = when(
        capsys, "every day at 8", "--count", "2", "--show", "5", "--now", "2026-11-26T10:00Z"
    )
    assert document["recurrence"]["count"] == 2
    assert document["next_runs"] == ["2026-11-27T08:00:00Z", "2026-11-28T08:00:00Z"]
    _, document = when(capsys, "every 15 minutes", "--show", "3", "--now", "2026-11-26T10:00Z")
    assert document["recurrence"]["type"] == "minutely"
    assert document["recurrence"]["interval"] == 15
    assert document["next_runs"] == [
        "2026-11-26T10:15:00Z",
        "2026-11-26T10:30:00Z",
        "2026-11-26T10:45:00Z",
    ]


def test_repeat_and_until(capsys: pytest.CaptureFixture[str]) -> None:
    status, document = when(
        capsys,
        "tomorrow 9am",
        "--repeat",
        "weekly",
        "--until",
        "dec 31",
        "--show",
        "10",
        "--tz",
        "Europe/Paris",
        "--now",
        "2026-11-26T10:00",
    )
    assert status == 0
    assert document["recurrence"]["type"] == "weekly"
    assert document["recurrence"]["until"] == "2026-12-31T22:59:59Z"
    assert len(document["next_runs"]) == 5
    assert document["description"] == (
        "every Friday at 09:00, until Thu 31 Dec 2026 at 23:59:59 (Europe/Paris)"
    )


def test_cron_option(capsys: pytest.CaptureFixture[str]) -> None:
    _, document = when(
        capsys, "--cron", "30 18 * * fri", "--show", "2", "--now", "2026-11-26T10:00Z"
    )
    assert document["recurrence"]["cron"] == "30 18 * * FRI"
    assert document["next_runs"] == ["2026-11-27T18:30:00Z", "2026-12-04T18:30:00Z"]


def test_default_zone_comes_from_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[time]\ndefault_timezone = "Europe/Paris"\n', encoding="utf-8")
    _, document = when(capsys, "tomorrow at 9am", "--config", str(config), "--now", "2026-11-26")
    assert document["first_run"] == "2026-11-27T08:00:00Z"
    assert document["description"].endswith("(Europe/Paris)")


@pytest.mark.parametrize(
    "argv",
    [
        ["buy milk"],
        [],
        ["in 2 hours", "--tz", "Mars/Olympus"],
        ["in 2 hours", "--tz", "Europe"],
        ["in 2 hours", "--tz", "x" * 300],
        ["in 2 hours", "--now", "yesterday-ish"],
        ["in 2 hours", "--count", "many"],
        ["every day", "--count", "0"],
        ["in 2 hours", "--show", "-1"],
        ["every day", "--repeat", "fortnightly"],
        ["--cron", "61 * * * *"],
        ["every day", "--until", "whenever"],
        ["2020-01-01 10:00"],
        ["in 2 hours", "--config", "/nonexistent/config.toml"],
        ["in 2 hours", "--count"],
    ],
)
def test_bad_input_is_a_json_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    status, document = when(capsys, *argv)
    assert status == 2
    assert list(document) == ["error"]
    assert document["error"]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "when", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_as_a_subprocess() -> None:
    done = _run("every last friday at 17:00", "--tz", "Europe/Paris", "--now", "2026-12-31T23:30")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["first_run"] == "2027-01-29T16:00:00Z"
    assert document["description"] == "every last Friday of the month at 17:00 (Europe/Paris)"


def test_as_a_subprocess_across_dst() -> None:
    done = _run(
        "every day at 9am", "--tz", "America/New_York", "--now", "2026-03-07T12:00", "--show", "2"
    )
    assert json.loads(done.stdout)["next_runs"] == [
        "2026-03-08T13:00:00Z",
        "2026-03-09T13:00:00Z",
    ]


def test_bad_input_as_a_subprocess() -> None:
    done = _run("buy milk")
    assert done.returncode == 2
    assert "error" in json.loads(done.stdout)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("tz", ["Europe", "America", "x" * 300])
def test_a_region_or_an_overlong_zone_is_a_json_error_as_a_subprocess(tz: str) -> None:
    done = _run("in 2 hours", "--tz", tz)
    assert done.returncode == 2
    assert "not a time zone I know" in json.loads(done.stdout)["error"]
    assert "Traceback" not in done.stderr
