"""PoliteRetryMiddleware: Retry-After is read and obeyed (capped), else backoff."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import PoliteRetryMiddleware, retry_after_seconds
from tests.helpers import project_settings


def test_retry_after_in_seconds_and_as_http_date() -> None:
    now = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Sat, 21 Nov 2026 10:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sat, 21 Nov 2026 09:00:00 GMT", now) == 0.0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def middleware(**settings: object) -> PoliteRetryMiddleware:
    crawler = get_crawler(settings_dict=project_settings(**settings))
    crawler.stats.open_spider()
    crawler.spider = crawler._create_spider("test")
    return PoliteRetryMiddleware.from_crawler(crawler)


def test_wait_is_capped_and_backs_off_without_header() -> None:
    mw = middleware(RETRY_BACKOFF_BASE=2.0, RETRY_BACKOFF_MAX=60.0)
    url = "https://www.example.com/"
    assert mw.wait_seconds(Response(url, status=503, headers={"Retry-After": "3600"}), 0) == 60.0
    assert mw.wait_seconds(Response(url, status=503), 0) == 2.0
    assert mw.wait_seconds(Response(url, status=503), 2) == 8.0


def test_429_with_retry_after_is_retried_after_waiting() -> None:
    mw = middleware()
    request = Request("https://www.example.com/a")
    response = Response(request.url, status=429, headers={"Retry-After": "0"}, request=request)
    retry = asyncio.run(mw.process_response(request, response))
    assert isinstance(retry, Request)
    assert retry.meta["retry_times"] == 1
    assert mw.crawler.stats.get_value("retry/count") == 1


def test_404_is_not_retried() -> None:
    mw = middleware()
    request = Request("https://www.example.com/b")
    response = Response(request.url, status=404, request=request)
    assert asyncio.run(mw.process_response(request, response)) is response
