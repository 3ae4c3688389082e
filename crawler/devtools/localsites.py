"""Offline copies of the news sites, for the demo and the tests.

Fixture files are laid out by host and path: https://www.jagran.com/a/b.html is
tests/fixtures/sites/www.jagran.com/a/b.html (a query string is appended to the
file name after '?', a directory or a trailing '/' means its index.html).
`FixtureSiteServer` serves that tree on 127.0.0.1 under /<host>/<path>, and
`LocalSitesDownloadHandler` sends requests for those hosts to it, handing the
response back under the real URL, so spiders, parsers and storage see exactly
what they would see live.
"""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.misc import build_from_crawler, load_object

logger = logging.getLogger(__name__)

_XML_STARTS = (b"<?xml", b"<rss", b"<urlset", b"<sitemapindex", b"<feed")


def fixture_file(root: Path, host: str, path: str, query: str = "") -> Path:
    """The file a URL's host, path and query map to inside the fixture tree, whether it
    exists or not; ValueError when the path would leave the tree ('..')."""
    relative = unquote(path).lstrip("/")
    candidate = root / host / relative
    if query:
        candidate = candidate.with_name(f"{candidate.name}?{query}")
    if not relative or path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ValueError(f"{host}{path}: path leaves the fixture tree")
    return resolved


def fixture_path(root: Path, host: str, path: str, query: str = "") -> Path | None:
    """The existing file for a URL's host, path and query inside the fixture tree, if any."""
    try:
        found = fixture_file(root, host, path, query)
    except ValueError:  # never serve outside the tree, whatever '..' a request carries
        return None
    return found if found.is_file() else None


def content_type(path: Path, head: bytes) -> str:
    if path.name == "robots.txt":
        return "text/plain; charset=utf-8"
    if path.suffix == ".gz":
        return "application/gzip"
    if head.lstrip().startswith(_XML_STARTS):
        return "application/xml; charset=utf-8"
    if path.suffix == ".json":
        return "application/json; charset=utf-8"
    return "text/html; charset=utf-8"


class _FixtureRequestHandler(BaseHTTPRequestHandler):
    server: _FixtureHTTPServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host, _, rest = parts.path.lstrip("/").partition("/")
        found = fixture_path(self.server.root, host, "/" + rest, parts.query)
        if found is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = found.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(found, body[:64]))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("fixture server: " + format, *args)


class _FixtureHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 overflows when a crawl opens 16 connections
    # at once; the kernel then drops SYNs and each costs a 1 s retransmit.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        super().__init__(address, _FixtureRequestHandler)
        self.root = root


class FixtureSiteServer:
    """Serves the fixture tree on 127.0.0.1 from a background thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root
        self._httpd = _FixtureHTTPServer((host, port), root)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def hosts(self) -> list[str]:
        return sorted(fixture_hosts(self.root))

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fixture-sites", daemon=True
        )
        self._thread.start()
        logger.info("fixture sites %s served at %s", ", ".join(self.hosts), self.url)
        return self.url

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FixtureSiteServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def fixture_hosts(root: Path) -> frozenset[str]:
    """The hosts the fixture tree has pages for: its top-level directories."""
    return frozenset(p.name for p in root.iterdir() if p.is_dir())


def local_hosts(settings: BaseSettings) -> frozenset[str]:
    """The hosts rerouted to the local fixture server; none unless LOCAL_SITES_URL is set."""
    if not settings.get("LOCAL_SITES_URL"):
        return frozenset()
    return fixture_hosts(Path(settings["LOCAL_SITES_DIR"]))


class LocalSitesAddon:
    """Scrapy add-on: with LOCAL_SITES_URL set (``--local-sites``, the demo, tests),
    installs `LocalSitesDownloadHandler` for http(s) and lets the address guard pass
    the fixture hosts (CRAWL_REROUTED_HOSTS). Without it, it changes nothing: a
    real crawl downloads through Scrapy's own handler."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("LOCAL_SITES_URL"):
            return
        handler = f"{__name__}.{LocalSitesDownloadHandler.__name__}"
        for scheme in ("http", "https"):
            settings["DOWNLOAD_HANDLERS"].set(scheme, handler, "addon")
        # At the priority the setting already has: settings.py's default outranks "addon".
        priority = settings.getpriority("CRAWL_REROUTED_HOSTS") or "addon"
        settings.set("CRAWL_REROUTED_HOSTS", sorted(local_hosts(settings)), priority)


class LocalSitesDownloadHandler(BaseDownloadHandler):
    """HTTP(S) download handler that reroutes fixture hosts to the local server.

    Without LOCAL_SITES_URL it is a plain pass-through to the inner handler
    (LOCAL_SITES_INNER_HANDLER, Scrapy's HTTP/1.1 handler by default).
    """

    lazy = False

    def __init__(
        self, crawler: Crawler, inner: BaseDownloadHandler, local_url: str, hosts: frozenset[str]
    ) -> None:
        super().__init__(crawler)
        self.inner = inner
        self.local_url = local_url.rstrip("/")
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LocalSitesDownloadHandler:
        settings = crawler.settings
        inner = build_from_crawler(load_object(settings["LOCAL_SITES_INNER_HANDLER"]), crawler)
        local_url = settings.get("LOCAL_SITES_URL")
        hosts = local_hosts(settings)
        if local_url:
            logger.info(
                "fetching %s from local fixture server %s", ", ".join(sorted(hosts)), local_url
            )
        return cls(crawler, inner, local_url, hosts)

    async def download_request(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        if parts.hostname not in self.hosts:
            return await self.inner.download_request(request)
        local = f"{self.local_url}/{parts.hostname}{parts.path or '/'}"
        if parts.query:
            local += f"?{parts.query}"
        rerouted = request.replace(url=local)
        response = await self.inner.download_request(rerouted)
        # AutoThrottle reads the latency from the original request's meta; the inner
        # handler wrote it on the rerouted copy (meta is copied by replace()).
        if "download_latency" in rerouted.meta:
            request.meta["download_latency"] = rerouted.meta["download_latency"]
        return response.replace(url=request.url, flags=[*response.flags, "local-site"])

    async def close(self) -> None:
        await self.inner.close()
