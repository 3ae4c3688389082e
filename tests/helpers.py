"""Small helpers shared by the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
SITES_DIR = FIXTURES / "sites"
EXPECTED_DIR = FIXTURES / "expected"


def nfc(value: Any) -> Any:
    """`value` with every string NFC-normalized, so Devanagari compares exactly."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    return value


def expected_files() -> list[Path]:
    return sorted(EXPECTED_DIR.glob("*/*.json"))


def load_expected(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def project_settings(**overrides: Any) -> dict[str, Any]:
    """The project's settings module as a dict, for scrapy.utils.test.get_crawler."""
    from crawler import settings

    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    return {**values, **overrides}


def run_crawler(
    mongo_uri: str, database: str, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m crawler ARGS`` in a subprocess on ``database`` of ``mongo_uri``."""
    from crawler import PROJECT_ROOT

    env = {**os.environ, "MONGO_URI": mongo_uri, "MONGO_DATABASE": database}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
