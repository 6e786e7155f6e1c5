"""The README's set-up commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", readme)


def test_readme_has_two_set_up_commands():
    run_command, test_command = _readme_commands()
    assert run_command.endswith(".venv/bin/python -m bot")
    assert "[test]" in test_command
    assert test_command.endswith("-m pytest")


def test_ci_runs_the_readme_test_command_exactly():
    _, test_command = _readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines
