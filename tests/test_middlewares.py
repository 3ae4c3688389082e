"""The project's downloader middlewares, unit by unit: polite retries (a long
Retry-After skips the URL), the address guard, download limits per kind, the
robots.txt memo and UTF-8 recoding. Real crawls: tests/reliability/test_hostile_http.py."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.devtools.localsites import LocalSitesAddon
from crawler.fetch.middlewares import (
    DownloadLimitsMiddleware,
    PoliteRetryMiddleware,
    RecodeMiddleware,
    RobotsTxtMemoMiddleware,
    retry_after_seconds,
    sniff_encoding,
)
from crawler.fetch.netguard import AddressGuardMiddleware, address_refusal
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


# --- long Retry-After ------------------------------------------------------------------


def test_long_retry_after_is_not_retried_nor_waited_for() -> None:
    mw = middleware(RETRY_BACKOFF_MAX=60.0)
    request = Request("https://www.example.com/c")
    response = Response(request.url, status=503, headers={"Retry-After": "3600"}, request=request)
    assert asyncio.run(mw.process_response(request, response)) is response
    assert mw.crawler.stats.get_value("retry/skipped_long_retry_after") == 1
    assert mw.crawler.stats.get_value("retry/count") is None


# --- address guard (crawler/fetch/netguard.py) --------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link_local"),  # the cloud metadata service
        ("fe80::1", "link_local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not_global"),  # carrier-grade NAT
        ("fd00::1", "private"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_address_refusal(address: str, reason: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == reason


def guard(**settings: object) -> AddressGuardMiddleware:
    crawler = get_crawler(settings_dict=project_settings(**settings))
    crawler.stats.open_spider()
    return AddressGuardMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("ftp://example.com/x", "scheme"),
        ("http://127.0.0.1:8080/", "private_address"),
        ("http://[::1]/", "private_address"),
        ("http://localhost/", "private_address"),
        ("https://169.254.169.254/latest/meta-data/", "private_address"),
    ],
)
def test_guard_refuses_and_counts(url: str, reason: str) -> None:
    mw = guard()
    with pytest.raises(IgnoreRequest):
        asyncio.run(mw.process_request(Request(url)))
    assert mw.crawler.stats.get_value(f"downloader/refused/{reason}") == 1


def test_guard_lets_public_addresses_and_allowed_private_ones_through() -> None:
    assert asyncio.run(guard().process_request(Request("http://8.8.8.8/"))) is None
    allowing = guard(CRAWL_ALLOW_PRIVATE_ADDRESSES=True)
    assert asyncio.run(allowing.process_request(Request("http://127.0.0.1:8080/"))) is None


def test_guard_lets_local_sites_fixture_hosts_through(tmp_path: Path) -> None:
    # Rerouted to the fixture server by the download handler: never resolved here.
    (tmp_path / "www.jagran.com").mkdir()
    settings = Settings({"LOCAL_SITES_URL": "http://127.0.0.1:9", "LOCAL_SITES_DIR": str(tmp_path)})
    settings.set("DOWNLOAD_HANDLERS", {})
    LocalSitesAddon().update_settings(settings)
    assert settings["DOWNLOAD_HANDLERS"]["https"].endswith(".LocalSitesDownloadHandler")
    mw = guard(CRAWL_REROUTED_HOSTS=settings.getlist("CRAWL_REROUTED_HOSTS"))
    assert asyncio.run(mw.process_request(Request("https://www.jagran.com/a.html"))) is None


def test_local_sites_addon_is_dormant_without_a_local_server() -> None:
    settings = Settings({"DOWNLOAD_HANDLERS": {}})
    LocalSitesAddon().update_settings(settings)
    assert settings.getdict("DOWNLOAD_HANDLERS") == {}
    assert settings.getlist("CRAWL_REROUTED_HOSTS") == []


# --- download limits, robots.txt memo, recoding ----------------------------------------------


class _Spider:
    def parse_sitemap(self, response: Response) -> None: ...
    def parse_feed(self, response: Response) -> None: ...
    def parse_article(self, response: Response) -> None: ...


def test_download_limits_by_kind_of_page() -> None:
    crawler = get_crawler(
        settings_dict=project_settings(CRAWL_MAX_PAGE_BYTES=5, CRAWL_WARN_PAGE_BYTES=2)
    )
    mw = DownloadLimitsMiddleware.from_crawler(crawler)
    spider, url = _Spider(), "https://www.example.com/x"
    big = crawler.settings.getint("CRAWL_MAX_SITEMAP_BYTES")
    for callback, expected in [
        (spider.parse_sitemap, big),
        (spider.parse_feed, big),
        (spider.parse_article, 5),
        (None, 5),
    ]:
        request = Request(url, callback=callback)
        mw.process_request(request)
        assert request.meta["download_maxsize"] == expected
    kept = Request(url, meta={"download_maxsize": 7})
    mw.process_request(kept)
    assert kept.meta["download_maxsize"] == 7


def test_robots_txt_is_answered_from_memory_after_the_first_fetch() -> None:
    crawler = get_crawler(settings_dict=project_settings(CRAWL_ROBOTSTXT_TIMEOUT=3))
    crawler.stats.open_spider()
    mw = RobotsTxtMemoMiddleware.from_crawler(crawler)
    first = Request("https://www.example.com/robots.txt")
    assert mw.process_request(first) is None
    assert first.meta["download_timeout"] == 3
    mw.process_response(first, Response(first.url, body=b"User-agent: *", request=first))
    second = Request("https://www.example.com/robots.txt")
    answer = mw.process_request(second)
    assert isinstance(answer, Response)
    assert (answer.body, answer.request) == (b"User-agent: *", second)
    other = Request("https://other.example.com/robots.txt")
    mw.process_exception(other, TimeoutError("took too long"))
    with pytest.raises(IgnoreRequest, match="took too long"):
        mw.process_request(Request("https://other.example.com/robots.txt"))
    # Not robots.txt: untouched.
    page = Request("https://www.example.com/robots.txt?x=1")
    assert mw.process_request(page) is None
    assert "download_timeout" not in page.meta


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<html>नमस्ते</html>".encode("utf-16"), "utf-16-le"),
        ("<html><body>नमस्ते दुनिया</body></html>".encode("utf-16-be"), "utf-16-be"),
        ("<html><body>नमस्ते दुनिया</body></html>".encode("utf-16-le"), "utf-16-le"),
        ("\ufeff<html>नमस्ते</html>".encode(), "utf-8"),
        ("<html><body>नमस्ते दुनिया, यह एक लंबा वाक्य है</body></html>".encode(), None),
    ],
)
def test_sniff_encoding(body: bytes, expected: str | None) -> None:
    assert sniff_encoding(body) == expected


def test_recode_turns_a_legacy_charset_page_into_utf8() -> None:
    crawler = get_crawler(settings_dict=project_settings())
    crawler.stats.open_spider()
    mw = RecodeMiddleware.from_crawler(crawler)
    html = "<html><body>café – naïve</body></html>"
    response = HtmlResponse(
        "https://www.example.com/",
        body=html.encode("cp1252"),
        headers={"Content-Type": "text/html; charset=windows-1252"},
    )
    recoded = mw.process_response(response.request or Request(response.url), response)
    assert recoded.body.decode("utf-8") == html
    assert crawler.stats.get_value("downloader/recoded/cp1252") == 1


def test_guard_behind_a_proxy_judges_literals_but_resolves_no_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("https_proxy", "http://proxy.internal:3128")
    mw = guard()
    assert mw.proxied
    # A name the proxy resolves: not looked up here (it would fail without DNS).
    assert asyncio.run(mw.process_request(Request("https://no-such-host.invalid/"))) is None
    for url in ("https://10.0.0.5/", "https://localhost/"):
        with pytest.raises(IgnoreRequest):
            asyncio.run(mw.process_request(Request(url)))
