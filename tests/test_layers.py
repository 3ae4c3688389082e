"""The layers of docs/ARCHITECTURE.md, checked: every module imports, no import
cycle, and no module imports a layer above its own (or a sibling package at its
own level). Imports inside functions count too: a lazy import is still a
dependency."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import PROJECT_ROOT

# Lowest first: each level's layers and the module prefixes that make them up. A
# module may import its own layer and the layers of lower levels, nothing else.
LEVELS: tuple[dict[str, tuple[str, ...]], ...] = (
    {"text": ("crawler.text",)},
    {"items": ("crawler.items",), "categories": ("crawler.categories",)},
    {"settings": ("crawler.settings",)},
    {
        "parsing": ("crawler.parsing",),
        "ml": ("crawler.ml",),
        "storage": ("crawler.storage",),
        "fetch": ("crawler.fetch",),
    },
    {"ops": ("crawler.ops",)},
    {"distributed": ("crawler.distributed",)},
    {"pipelines": ("pipelines",), "spiders": ("spiders",)},
    {"extract": ("crawler.extract",)},
    {"devtools": ("crawler.devtools",)},
    {
        "front door": (
            "crawler.cli",
            "crawler.argtypes",
            "crawler.project",
            "crawler.commands",
            "crawler.__main__",
        )
    },
)
ROOTS = ("crawler", "pipelines", "spiders")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for root in ROOTS
    for path in sorted((PROJECT_ROOT / root).rglob("*.py"))
    if "__pycache__" not in path.parts
}


def layer_of(module: str) -> tuple[int, str] | None:
    """(level, layer) of a module; None for the root package crawler itself."""
    for level, layers in enumerate(LEVELS):
        for layer, prefixes in layers.items():
            if any(module == p or module.startswith(p + ".") for p in prefixes):
                return level, layer
    return None


def imported_modules(module: str) -> set[str]:
    """The project modules ``module`` imports, at any depth of its code."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            # The longest project module the name refers to (a name may be a class).
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {module: imported_modules(module) for module in MODULES}


def test_every_module_has_a_layer() -> None:
    homeless = [m for m in MODULES if m != "crawler" and layer_of(m) is None]
    assert homeless == []


@pytest.mark.parametrize("module", sorted(set(MODULES) - {"crawler.__main__"}))
def test_module_imports(module: str) -> None:
    importlib.import_module(module)


def test_no_upward_or_sideways_import() -> None:
    wrong = []
    for module, targets in GRAPH.items():
        own = layer_of(module)
        for target in targets:
            theirs = layer_of(target)
            if own is None or theirs is None:  # the root package: a leaf of paths
                continue
            if theirs[1] != own[1] and theirs[0] >= own[0]:
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


def test_no_import_cycle() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            # A package's __init__ importing its own modules is not a cycle of layers.
            if state.get(target) == 1 and not module.startswith(target + "."):
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert [" -> ".join(c) for c in cycles] == []


def test_the_checker_sees_a_violation() -> None:
    # The rules above must be able to fail: a lower layer importing a higher one.
    assert layer_of("crawler.text.normalize")[0] < layer_of("crawler.storage.store")[0]
    assert "crawler.text.dates" in GRAPH["crawler.fetch.deadline"]


def test_naming_the_sites_loads_no_parser() -> None:
    # `query --site` and the argument help list sites; that must not import the parsers
    # (and trafilatura with them) into every command's start-up.
    probe = (
        "import sys; from crawler.parsing.registry import SITES; "
        "names = list(SITES); assert 'jagran' in SITES; "
        "print(len(names), 'crawler.parsing.base' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.stdout.split() == ["15", "False"], result.stderr
    from crawler.parsing.registry import SITES

    assert all(name == site.name for name, site in SITES.items())
