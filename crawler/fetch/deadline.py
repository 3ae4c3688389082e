"""A per-site deadline: each site's spider closes with reason ``deadline`` once it
has run CRAWL_SITE_DEADLINE ("2h", "90m", seconds; empty = none).

The nightly runs every site's crawler in one process, so one slow or stalling site
must not hold the night. Scrapy's CLOSESPIDER_TIMEOUT closes a crawler on time too,
but the engine then waits for the downloads in flight (up to DOWNLOAD_TIMEOUT and
every retry); here each request's download_timeout is also cut to the time left,
so nothing outlives the deadline by more than a second. The store pipeline records
the reason in the site's run record, where the finish_reason monitor flags it.
"""

from __future__ import annotations

import logging
import time

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred

from crawler.text.dates import parse_duration

logger = logging.getLogger(__name__)

REASON = "deadline"
# Seconds a download may run past the deadline (the engine waits for it to end).
_GRACE = 1.0


class SiteDeadlineMiddleware:
    """Downloader middleware: closes the spider CRAWL_SITE_DEADLINE after it opened and
    bounds every download by the time left. Place it last (just before the handler),
    after the middlewares that set their own timeouts."""

    def __init__(self, crawler: Crawler, seconds: float) -> None:
        self.crawler = crawler
        self.seconds = seconds
        self.ends_at: float | None = None
        self._timer: CallLaterResult | None = None
        self._closing: Deferred[None] | None = None
        self.default_timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteDeadlineMiddleware:
        value = crawler.settings.get("CRAWL_SITE_DEADLINE") or ""
        if not str(value).strip():
            raise NotConfigured("CRAWL_SITE_DEADLINE is empty")
        seconds = parse_duration(value).total_seconds()
        if seconds <= 0:
            raise NotConfigured("CRAWL_SITE_DEADLINE is not positive")
        middleware = cls(crawler, seconds)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.ends_at = time.monotonic() + self.seconds
        self._timer = call_later(self.seconds, self.expire, spider.name)

    def process_request(self, request: Request) -> None:
        if self.ends_at is None:
            return
        left = self.ends_at - time.monotonic()
        if left <= 0:
            self.crawler.stats.inc_value("downloader/refused/deadline")
            raise IgnoreRequest("site deadline reached")
        timeout = float(request.meta.get("download_timeout", self.default_timeout))
        request.meta["download_timeout"] = min(timeout, left + _GRACE)

    def expire(self, name: str) -> None:
        self._timer = None
        logger.warning("%s: site deadline of %.0fs reached, closing", name, self.seconds)
        self.crawler.stats.set_value("crawl/deadline_seconds", self.seconds)
        assert self.crawler.engine is not None
        # Kept, so the closing is not garbage-collected half way.
        self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason=REASON))
        self._closing.addErrback(
            lambda failure: logger.error("%s: closing at the deadline failed: %s", name, failure)
        )

    def spider_closed(self, spider: Spider) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
