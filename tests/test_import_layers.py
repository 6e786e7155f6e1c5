"""No part of ``bot/`` imports a part that imports it back, or one above it, however late
the import (the layers of ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"


def _part(module: str) -> str | None:
    """The ``bot/`` subpackage or top-level module that ``module`` belongs to."""
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 1 else None


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports: top level, in functions, under ``TYPE_CHECKING``."""
    here = ["bot", *path.relative_to(BOT).with_suffix("").parts]
    package = here if here[-1] == "__init__" else here[:-1]
    if package and package[-1] == "__init__":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                found.add(node.module)
    return found


def import_graph() -> dict[str, dict[str, set[str]]]:
    """part -> imported part -> the files that make the edge."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(BOT.rglob("*.py")):
        source = _part(".".join(["bot", *path.relative_to(BOT).with_suffix("").parts]))
        for module in _imported(path):
            target = _part(module)
            if source is not None and target is not None and target != source:
                graph[source][target].add(str(path.relative_to(BOT.parent)))
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Strongly connected groups of more than one part (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in list(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_part_of_bot_imports_a_part_that_imports_it_back() -> None:
    graph = import_graph()
    found = cycles(graph)
    details = [
        f"{' <-> '.join(group)}: "
        + "; ".join(
            f"{a}->{b} in {sorted(graph[a][b])}" for a in group for b in group if b in graph[a]
        )
        for group in found
    ]
    assert not found, "\n".join(details)


# What each part may not import (ARCHITECTURE.md, "Who may import whom").
FORBIDDEN = {
    "models": {"repositories", "services", "scheduling", "voice", "ui", "app", "container"},
    "repositories": {"services", "scheduling", "voice", "ui", "app", "container"},
    "audio": {"services", "scheduling", "voice", "ui", "app", "container"},
    "scheduling": {"services", "voice", "ui", "app", "container", "emulator"},
    "voice": {"services", "scheduling", "ui", "app", "container", "emulator"},
    "services": {"ui", "app", "container", "cli", "emulator", "web"},
    "ui": {"app", "container", "cli", "emulator", "web"},
    "web": {"ui", "app", "container", "cli", "emulator"},
}


def test_each_layer_imports_only_what_is_below_it() -> None:
    graph = import_graph()
    broken = [
        f"{part} -> {target} in {sorted(graph[part][target])}"
        for part, forbidden in FORBIDDEN.items()
        for target in sorted(forbidden & set(graph.get(part, {})))
    ]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    ("late_import", "expected"),
    [
        ("def f():\n    from bot.b import x\n", [["a", "b"]]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import bot.b\n", [["a", "b"]]),
        ("import os\n", []),
    ],
)
def test_the_check_sees_late_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late_import: str, expected: list[list[str]]
) -> None:
    (tmp_path / "bot" / "a").mkdir(parents=True)
    (tmp_path / "bot" / "b").mkdir()
    (tmp_path / "bot" / "a" / "mod.py").write_text(late_import)
    (tmp_path / "bot" / "b" / "__init__.py").write_text("from ..a import mod\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["BOT"]), "BOT", tmp_path / "bot")
    assert cycles(import_graph()) == expected
