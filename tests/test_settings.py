"""Settings: every default lives in crawler/settings.py, and importing it does nothing
but define names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from scrapy.settings import default_settings

from crawler import PROJECT_ROOT
from crawler import settings as project

GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getdictorlist"}
SOURCES = [
    path
    for root in ("crawler", "pipelines", "spiders")
    for path in sorted((PROJECT_ROOT / root).rglob("*.py"))
    if "__pycache__" not in path.parts
]


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def setting_reads(path: Path) -> list[tuple[int, str, int]]:
    """(line, setting name, number of arguments) of every ``<x>.get*("NAME", ...)``."""
    reads = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in GETTERS
            and not _is_environ(node.func.value)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value.isupper()
        ):
            reads.append((node.lineno, node.args[0].value, len(node.args) + len(node.keywords)))
    return reads


def test_no_setting_is_read_with_a_default_of_its_own() -> None:
    inline = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} {name}"
        for path in SOURCES
        for line, name, arguments in setting_reads(path)
        if arguments > 1
    ]
    assert inline == []


def test_every_setting_read_has_a_default_in_settings_py_or_scrapy() -> None:
    known = set(dir(project)) | set(dir(default_settings))
    unknown = sorted({name for path in SOURCES for _, name, _ in setting_reads(path)} - known)
    # Set by the commands at run time, never by a user: no default to give.
    assert unknown == ["CRAWL_RUN_ID"]


def test_the_checker_finds_an_inline_default(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('x = settings.getint("MONGO_BATCH_SIZE", 50)\ny = settings.get("A_B")\n')
    assert setting_reads(sample) == [(1, "MONGO_BATCH_SIZE", 2), (2, "A_B", 1)]


def test_importing_the_settings_looks_nothing_up_and_stays_put(tmp_path: Path) -> None:
    # No Chromium lookup (shutil.which), no chdir: a fresh interpreter, PATH empty.
    probe = "import os, shutil; shutil.which = None; import crawler.settings; print(os.getcwd())"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(tmp_path)
