"""Downloader middlewares of the project."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

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
    server's Retry-After asks (capped), else exponential backoff. The wait also
    becomes the download delay of that site's slot, so other requests to it
    slow down too (AutoThrottle eases it off again)."""

    WAIT_STATUSES = frozenset({429, 503})

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if response.status in self.WAIT_STATUSES:
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
