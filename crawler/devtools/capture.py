"""Saving a crawl's responses as fixture files: the component behind
``python -m crawler capture``.

`CaptureMiddleware` is a downloader middleware placed below the decompression and
redirect middlewares, so it sees each final response with its content-encoding
undone: the bytes a fixture server should hand back. It writes every response into
CAPTURE_DIR in the layout `crawler.devtools.localsites` serves (``<host>/<path>``, ``?<query>``
appended to the file name, ``index.html`` for a directory), and at the end writes
``CAPTURE.json``: per file its URL, what the spider used it as (robots, sitemap, feed,
listing, article), the HTTP status and the capture time in UTC. Responses other than
200 are listed there without a file.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.devtools.localsites import fixture_file

logger = logging.getLogger(__name__)

MANIFEST = "CAPTURE.json"
# What the spider did with a response, by the callback that received it.
_KINDS = {
    "parse_robots": "robots",
    "parse_sitemap": "sitemap",
    "parse_feed": "feed",
    "parse_listing": "listing",
    "parse_article": "article",
}


def capture_path(root: Path, url: str) -> Path:
    """Where a URL's response goes under `root`: the file the fixture server reads."""
    parts = urlsplit(url)
    try:
        return fixture_file(root, parts.hostname or "unknown-host", parts.path, parts.query)
    except ValueError:  # '..' in a URL path
        raise ValueError(f"{url}: path leaves the capture directory") from None


def _make_room(root: Path, target: Path) -> Path:
    """`target`, or its `index.html` when a directory of that name exists already; a
    file standing where a directory is needed becomes that directory's index.html."""
    for parent in reversed(target.parents):
        if parent.is_relative_to(root) and parent.is_file():
            content = parent.read_bytes()
            parent.unlink()
            parent.mkdir()
            (parent / "index.html").write_bytes(content)
    if target.is_dir():
        return target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


class CaptureMiddleware:
    """Writes every response of the crawl into CAPTURE_DIR (off when it is empty)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.entries: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        directory = crawler.settings.get("CAPTURE_DIR")
        if not directory:
            raise NotConfigured("CAPTURE_DIR is empty")
        middleware = cls(Path(directory))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        if response.url in self.entries:  # robots.txt asked for by Scrapy and the spider
            return response
        callback = getattr(request.callback, "__name__", None)
        # Scrapy's robots.txt middleware fetches without a callback.
        kind = _KINDS.get(callback or "", "robots" if response.url.endswith("/robots.txt") else "")
        entry: dict[str, Any] = {
            "url": response.url,
            "kind": kind or "other",
            "status": response.status,
            "captured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "file": None,
        }
        if response.status == 200:
            try:
                target = _make_room(self.root, capture_path(self.root, response.url))
            except ValueError as exc:
                logger.warning("capture: not saved: %s", exc)
            else:
                target.write_bytes(response.body)
                entry["file"] = target.relative_to(self.root).as_posix()
                entry["bytes"] = len(response.body)
        self.entries[response.url] = entry
        return response

    def spider_closed(self, spider: Spider) -> None:
        files = self._current_files()
        manifest = {
            "site": spider.name,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": sorted(
                (e for e in self.entries.values() if e["file"]), key=lambda e: e["file"]
            ),
            "not_saved": sorted(
                (e for e in self.entries.values() if not e["file"]), key=lambda e: e["url"]
            ),
        }
        for entry in manifest["files"]:  # a file later moved into <dir>/index.html
            entry["file"] = files.get(entry["file"], entry["file"])
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        logger.info("capture: %d files into %s", len(manifest["files"]), self.root)

    def _current_files(self) -> dict[str, str]:
        """Saved name -> where it is now (a file may have become a dir's index.html)."""
        moved = {}
        for entry in self.entries.values():
            name = entry["file"]
            if name and (self.root / name).is_dir():
                moved[name] = f"{name}/index.html"
        return moved
