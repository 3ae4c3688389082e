"""Downloader middlewares of the project: polite retries, robots.txt fetched once,
download size limits per kind of page, and HTML bodies recoded to UTF-8.

(The middleware refusing local files and internal addresses is crawler/fetch/netguard.py.)
"""

from __future__ import annotations

import asyncio
import codecs
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message
from w3lib.encoding import read_bom

logger = logging.getLogger(__name__)


def retry_after_seconds(header: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), else None."""
    if not header:
        return None
    value = header.decode("latin-1") if isinstance(header, bytes) else header
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429 or 503 waits before the retry: as long as the
    server's Retry-After asks, else exponential backoff. The wait also becomes the
    download delay of that site's slot, so other requests to it slow down too
    (AutoThrottle eases it off again). A Retry-After longer than RETRY_BACKOFF_MAX
    means "not tonight": that URL is given up at once (retry/skipped_long_retry_after),
    and the rest of the site is not slowed down for it."""

    WAIT_STATUSES = frozenset({429, 503})

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        waits = response.status in self.WAIT_STATUSES
        if waits and self.asks_too_long(request, response):
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if waits:
            delay = self.wait_seconds(response, request.meta.get("retry_times", 0))
            logger.info(
                "%s answered %d: waiting %.1fs before retrying %s",
                response.url.split("/")[2],
                response.status,
                delay,
                request.url,
            )
            self.crawler.stats.inc_value("retry/waited_seconds", round(delay))
            self.slow_down(request, delay)
            await asyncio.sleep(delay)
        return retry

    def asks_too_long(self, request: Request, response: Response) -> bool:
        """A Retry-After beyond RETRY_BACKOFF_MAX: the URL is skipped tonight, counted."""
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is None or asked <= self.backoff_max:
            return False
        self.crawler.stats.inc_value("retry/skipped_long_retry_after")
        logger.warning(
            "%s answered %d with Retry-After %.0fs: skipping %s tonight",
            response.url.split("/")[2],
            response.status,
            asked,
            request.url,
        )
        return True

    def wait_seconds(self, response: Response, retries_so_far: int) -> float:
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is None:
            asked = self.backoff_base * 2**retries_so_far
        return min(asked, self.backoff_max)

    def slow_down(self, request: Request, delay: float) -> None:
        try:
            downloader = self.crawler.engine.downloader
        except RuntimeError:  # no engine: not inside a running crawl
            return
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            slot.delay = max(slot.delay, delay)


def _is_robots_txt(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path == "/robots.txt" and not parts.query


class RobotsTxtMemoMiddleware:
    """robots.txt is fetched once per host and crawl, with a short timeout and few retries.

    Scrapy's robots middleware fetches it for its rules and the spider fetches it again
    for its Sitemap lines; a hanging robots.txt then cost 2 x 4 x DOWNLOAD_TIMEOUT.
    The first fetch (CRAWL_ROBOTSTXT_TIMEOUT seconds, CRAWL_ROBOTSTXT_RETRIES retries)
    is remembered, its response or its failure, and later requests for the same
    robots.txt are answered from memory. Placed after RobotsTxtMiddleware (100), so the
    spider's own request waits for the rules fetch and finds it remembered.
    """

    def __init__(self, crawler: Crawler, timeout: float, retries: int) -> None:
        self.crawler = crawler
        self.timeout = timeout
        self.retries = retries
        self._responses: dict[str, Response] = {}
        self._failures: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtMemoMiddleware:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getfloat("CRAWL_ROBOTSTXT_TIMEOUT"),
            settings.getint("CRAWL_ROBOTSTXT_RETRIES"),
        )

    @staticmethod
    def key(request: Request) -> str:
        """The robots.txt a request was first made for (a redirect keeps the first URL)."""
        return str((request.meta.get("redirect_urls") or [request.url])[0])

    def process_request(self, request: Request) -> Response | None:
        if not _is_robots_txt(request.url) or request.meta.get("redirect_urls"):
            return None
        key = self.key(request)
        if key in self._responses:
            self.crawler.stats.inc_value("robotstxt/memo_hits")
            return self._responses[key].replace(request=request)
        if key in self._failures:
            self.crawler.stats.inc_value("robotstxt/memo_hits")
            raise IgnoreRequest(f"robots.txt failed earlier in this crawl: {self._failures[key]}")
        request.meta.setdefault("download_timeout", self.timeout)
        request.meta.setdefault("max_retry_times", self.retries)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        key = self.key(request)
        if _is_robots_txt(key) and key not in self._responses:
            self._responses[key] = response
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        # Reached once the retry middleware (550) has given up on the request.
        key = self.key(request)
        if _is_robots_txt(key) and not isinstance(exception, IgnoreRequest):
            self._failures.setdefault(key, f"{type(exception).__name__}: {exception}"[:200])


# Callback names of the project's spiders per kind of download (spiders/base.py).
_DISCOVERY_CALLBACKS = frozenset({"parse_sitemap", "parse_feed"})


class DownloadLimitsMiddleware:
    """Download size limits per kind of request, in request meta (download_maxsize,
    download_warnsize), which Scrapy's HTTP handler and HttpCompressionMiddleware obey,
    for the body as sent and decompressed. Sitemaps and feeds (callback parse_sitemap
    or parse_feed, or meta crawl_kind="sitemap") get CRAWL_MAX_SITEMAP_BYTES, every
    other page CRAWL_MAX_PAGE_BYTES: DOWNLOAD_MAXSIZE's 1 GiB let one 200 MB page cost
    2 GB of memory. Limits a request already carries are kept."""

    def __init__(self, page: tuple[int, int], sitemap: tuple[int, int]) -> None:
        self.page = page
        self.sitemap = sitemap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DownloadLimitsMiddleware:
        settings = crawler.settings
        return cls(
            (settings.getint("CRAWL_MAX_PAGE_BYTES"), settings.getint("CRAWL_WARN_PAGE_BYTES")),
            (
                settings.getint("CRAWL_MAX_SITEMAP_BYTES"),
                settings.getint("CRAWL_WARN_SITEMAP_BYTES"),
            ),
        )

    def limits(self, request: Request) -> tuple[int, int]:
        kind = request.meta.get("crawl_kind") or getattr(request.callback, "__name__", "")
        return self.sitemap if kind in _DISCOVERY_CALLBACKS or kind == "sitemap" else self.page

    def process_request(self, request: Request) -> None:
        maxsize, warnsize = self.limits(request)
        request.meta.setdefault("download_maxsize", maxsize)
        request.meta.setdefault("download_warnsize", warnsize)


# Bytes sniffed for UTF-16 without a BOM.
_SNIFF_BYTES = 4096


def sniff_encoding(body: bytes) -> str | None:
    """The encoding a body's bytes show, whatever the headers say: a byte order mark,
    or UTF-16's zero byte beside every ASCII character of the markup; else None."""
    encoding, _ = read_bom(body)
    if encoding:
        return codecs.lookup(encoding).name
    head = body[:_SNIFF_BYTES]
    half = len(head) // 2
    if half < 32:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class RecodeMiddleware:
    """HTML bodies reach the parsers as UTF-8, whatever the Content-Type claims.

    The parsers decode bytes as UTF-8 (every Hindi site sends UTF-8), so a UTF-16 page
    served as charset=utf-8 became garbage. A byte order mark or UTF-16's byte pattern
    wins over the headers; a body that is not UTF-8 otherwise is decoded as Scrapy
    reads it (header, <meta>, then detection). The body is re-encoded as UTF-8 and
    counted (downloader/recoded/<encoding>).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecodeMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or not response.body:
            return response
        body = response.body
        encoding = sniff_encoding(body)
        if encoding == "utf-8":
            return response
        if encoding is not None:
            text = body.decode(encoding, errors="replace").lstrip("\ufeff")
        elif _is_utf8(body):
            return response
        else:
            encoding = codecs.lookup(response.encoding).name
            if encoding == "utf-8":  # declared UTF-8 with a few bad bytes: left as it is
                return response
            text = response.text
        family = encoding.removesuffix("-le").removesuffix("-be")
        self.crawler.stats.inc_value(f"downloader/recoded/{family}")
        logger.info("%s: body recoded from %s to utf-8", response.url, encoding)
        headers = response.headers.copy()
        headers[b"Content-Type"] = b"text/html; charset=utf-8"
        return response.replace(body=text.encode("utf-8"), encoding="utf-8", headers=headers)
