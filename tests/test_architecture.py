"""The imports of our packages point one way and form no cycle: read from the source with
`ast`, counting every import (type-checking and function-level ones too).

Layers, lowest first: `nlu` < `bot` (the core) < `actions`, `channels`, `console` (which
know the core, not each other) < `wiring` (the composition root) < `cli`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nlu", "bot", "actions", "channels", "console", "wiring", "cli")
# What each package may import of ours (besides itself).
ALLOWED: dict[str, frozenset[str]] = {
    "nlu": frozenset(),
    "bot": frozenset({"nlu"}),
    "actions": frozenset({"bot", "nlu"}),
    "channels": frozenset({"bot", "nlu"}),
    "console": frozenset({"bot", "nlu"}),
    "wiring": frozenset({"bot", "nlu", "actions", "channels", "console"}),
    "cli": frozenset({"bot", "nlu", "actions", "channels", "console", "wiring"}),
}
SKIPPED = ("migrations", "rasa_components")  # run by alembic / inside the Rasa service


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if any(part in SKIPPED for part in path.parts):
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def imports_of(name: str) -> set[str]:
    """Our modules that `name` imports, wherever the import statement stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_our_packages_have_no_import_cycle() -> None:
    assert _cycles() == []


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = sorted(f"{name} imports {target}" for name, targets in GRAPH.items()
                   if name.split(".")[0] == package for target in targets
                   if target.split(".")[0] not in ALLOWED[package] | {package})
    assert wrong == []


def test_the_checks_see_an_upward_import_and_a_cycle() -> None:
    """The reading of imports is not blind: it finds the engine's real dependencies."""
    assert "bot.intake" in GRAPH["wiring.parts"]
    assert {"bot.policy", "nlu.client"} <= GRAPH["bot.engine"]
    assert "console.web" in GRAPH["wiring.app"]
