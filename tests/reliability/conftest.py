"""Fixtures of the reliability suite: databases to kill, disks to fill."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.helpers import KillableMongo, SmallFs


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test of this package runs with `pytest -m reliability` (and in the default run).
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def killable_mongo(tmp_path: Path) -> Iterator[KillableMongo]:
    """A SecantusDB server in its own process, started; the test may stop, kill and restart it."""
    server = KillableMongo(tmp_path / "mongo")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[SmallFs]:
    """A mounted 256 KiB tmpfs (skipped where mount is not permitted; CI runs as root)."""
    fs = SmallFs(tmp_path / "small")
    reason = fs.mount()
    if reason:
        pytest.skip(reason)
    try:
        yield fs
    finally:
        fs.unmount()
