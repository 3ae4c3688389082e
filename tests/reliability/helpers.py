"""Fault injection shared by the reliability tests and bench/faults.py.

* :class:`KillableMongo`: a SecantusDB server in its own process (the project's
  embedded server) on a fixed data directory and port, to stop, kill -9 and
  start again; the port is found by binding port 0 once and kept for restarts.
* :class:`SmallFs`: a real tmpfs of a few hundred KiB (needs root to mount), to
  fill up and free again.
* :func:`article`, :func:`make_pipeline`, :func:`feed`: synthetic articles fed
  straight into the real store pipeline (no crawl).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler import PROJECT_ROOT
from crawler.items import ArticleItem
from crawler.storage.embedded import EmbeddedMongo
from pipelines.store import MongoStorePipeline
from tests.helpers import project_settings

IST = timezone(timedelta(hours=5, minutes=30))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def article(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A synthetic article shaped like a stored one (Devanagari text, IST date)."""
    doc: dict[str, Any] = {
        "url": f"https://www.jagran.com/news/fault-story-{n}.html",
        "site": "jagran",
        "title": f"दिल्ली में भारी बारिश {n}",
        "description": "मौसम विभाग ने चेतावनी जारी की",
        "body": "राजधानी में सुबह से बारिश हो रही है।\n\nयातायात पर असर पड़ा।",
        "authors": ["संवाददाता"],
        "published_at": datetime(2026, 11, 20, 9, 30, tzinfo=IST),
        "section": "देश",
        "tags": ["मौसम"],
        "language": "hi",
        "fetched_at": datetime(2026, 11, 20, 4, 0, tzinfo=UTC),
    }
    doc.update(overrides)
    return doc


def poisoned_article(n: int = 0, megabytes: int = 18) -> dict[str, Any]:
    """An article bigger than MongoDB takes (16 MiB): a page stuffed into its body."""
    # Three UTF-8 bytes per Devanagari letter.
    return article(n, body="क" * (megabytes * 1_000_000 // 3))


class KillableMongo:
    """A SecantusDB server process on a fixed data dir and port: start, stop, kill -9."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.server = EmbeddedMongo(data_dir, port or free_port())

    @property
    def uri(self) -> str:
        return self.server.uri

    @property
    def pid(self) -> int | None:
        return self.server.status()["pid"]

    def start(self) -> str:
        uri = self.server.start(timeout=30)
        self._pid = self.pid  # read now, so that kill9 hits at once
        return uri

    def stop(self) -> None:
        self.server.stop()

    def kill9(self) -> None:
        """SIGKILL, as the OOM killer or a power cut would; waits for the process to go."""
        pid = getattr(self, "_pid", None)
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while EmbeddedMongo._alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.server.pid_path.unlink(missing_ok=True)


class SmallFs:
    """A tmpfs of ``size`` mounted on ``path``: a real disk that fills up."""

    def __init__(self, path: Path, size: str = "256k") -> None:
        self.path = path
        self.size = size
        self.filler = path / "filler"

    def mount(self) -> str | None:
        """Mounts it; returns why it cannot be (not root, no mount), or None."""
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            result = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", str(self.path)],
                capture_output=True,
                text=True,
                check=False,
                timeout=30,
            )
        except OSError as exc:
            return f"cannot run mount: {exc}"
        if result.returncode != 0:
            return f"mount -t tmpfs not permitted here: {result.stderr.strip()}"
        return None

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], capture_output=True, check=False)

    def fill(self) -> None:
        """Writes until the disk is full (ENOSPC); :meth:`free` gives the space back."""
        with self.filler.open("ab", buffering=0) as f:
            for chunk in (b"\0" * 4096, b"\0"):  # pages first, then the last bytes
                try:
                    while f.write(chunk):
                        pass
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


def make_pipeline(
    journal_path: Path, mongo_uri: str, database: str = "faults", **settings: Any
) -> MongoStorePipeline:
    """The real store pipeline of a crawler that never crawls (items are fed directly)."""

    class FaultSpider(Spider):
        name = "fault_test"

    crawler = get_crawler(
        FaultSpider,
        project_settings(
            MONGO_URI=mongo_uri,
            MONGO_DATABASE=database,
            MONGO_BATCH_SIZE=10,
            MONGO_JOURNAL_PATH=str(journal_path),
            MONGO_EMBEDDED_DIR=str(journal_path.parent / "unused-embedded"),
            MONGO_EMBEDDED_PORT=1,
            MONGO_SERVER_TIMEOUT_MS=500,
            MONITORS_ENABLED=False,
            **settings,
        ),
    )
    crawler.spider = crawler._create_spider()
    return MongoStorePipeline.from_crawler(crawler)


async def feed(pipeline: MongoStorePipeline, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        await pipeline.process_item(ArticleItem(**doc))


def dead_uri() -> str:
    """A MongoDB URI where nothing listens."""
    return f"mongodb://127.0.0.1:{free_port()}/"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
