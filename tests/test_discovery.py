"""Discovery: which URLs the spiders follow from robots.txt, sitemaps (plain, gzipped,
without extension), feeds and listing pages, and which they refuse; then crawls over
loopback HTTP into a real SecantusDB: refused URLs are never fetched, a page dropped
for a passing fault is fetched again the next night, a video page is not."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import sitemap_urls_from_robots
from scrapy.utils.test import get_crawler

from crawler import PROJECT_ROOT
from crawler.items import ArticleItem
from crawler.parsing.registry import SITES
from crawler.text.dates import parse_date
from spiders.base import NewsSpider
from spiders.generic import GenericSpider
from spiders.jagran import JagranSpider
from spiders.ndtvindia import NdtvIndiaSpider
from tests.helpers import SITES_DIR, expected_files, load_expected, project_settings

# URLs of real captures (../shared/data/real-pages/gold.json: Amar Ujala 2025, Zee 2020,
# a TV9 video page 2025).
AMARUJALA_2025 = (
    "https://www.amarujala.com/entertainment/"
    "vikrant-massey-national-award-winning-film-12th-fail-interesting-facts-2025-09-23"
)
ZEENEWS_2020 = (
    "https://zeenews.india.com/hindi/india/india-covid-19-tally-crosses-69-lakh-mark-with-a-"
    "spike-of-70496-new-cases-reported-in-the-last-24-hours/762471"
)
TV9_VIDEO_2025 = (
    "https://www.tv9hindi.com/videos/japan-politics-shinshinto-rise-challenges-ldp-3474112.html"
)
NDTV_CRICKET = (
    "https://ndtv.in/cricket/"
    "ind-vs-wi-2nd-test-day-3-spinners-bowl-out-west-indies-for-187-india-lead-by-224-9612480"
)


def spider(cls: type[NewsSpider] = NdtvIndiaSpider, **kwargs: Any) -> NewsSpider:
    settings = project_settings(INCREMENTAL_ENABLED=False, **kwargs.pop("settings", {}))
    crawler = get_crawler(cls, settings_dict=settings)
    crawler.stats.open_spider()
    made = cls.from_crawler(crawler, since="2026-11-01", **kwargs)
    return made


def urls(requests: Any) -> list[str]:
    return [r.url for r in requests if isinstance(r, Request)]


def urlset(*locs: str) -> bytes:
    entries = "".join(
        f"<url><loc>{loc}</loc><lastmod>2026-11-20T10:00:00+05:30</lastmod></url>" for loc in locs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def stat(made: NewsSpider, key: str) -> int:
    return made.crawler.stats.get_value(key, 0)


# --- which URLs are articles -------------------------------------------------------------


def test_real_article_urls_from_sitemaps_and_feeds_are_articles() -> None:
    assert SITES["amarujala"].is_listed_article(AMARUJALA_2025)
    assert SITES["zeenews"].is_listed_article(ZEENEWS_2020)


def test_the_amar_ujala_2025_url_shape_passes_the_listing_filter_too() -> None:
    # Ends in the date, not in an id: the 2020-era pattern turned it away.
    assert SITES["amarujala"].is_article_url(AMARUJALA_2025)
    assert SITES["amarujala"].is_article_url(
        "https://www.amarujala.com/uttar-pradesh/varanasi/gahu-city-news-vns5205298178"
    )
    assert not SITES["amarujala"].is_article_url("https://www.amarujala.com/india-news")


@pytest.mark.parametrize(
    "url",
    [
        TV9_VIDEO_2025,  # a real video page
        "https://www.bhaskar.com/videos/national/news/delhi-smog-video-136530772.html",
        "https://www.abplive.com/photo-gallery/sports/ind-vs-aus-pictures-2760712",
        "https://www.jansatta.com/photos/entertainment/bollywood-stars/3455123/",
        "https://hindi.news18.com/photogallery/nation/monsoon-rain-8821234.html",
        "https://www.livehindustan.com/web-stories/health/winter-foods-201700000000000.html",
        "https://www.abplive.com/live-tv",
        "https://navbharattimes.indiatimes.com/india/clip/videoshow/125000001.cms",
        "https://ndtv.in/",  # a home page is not an article
    ],
)
def test_listed_pages_that_are_never_articles_are_left_out(url: str) -> None:
    from crawler.parsing.registry import site_for_url

    site = site_for_url(url)
    assert site is not None
    assert not site.is_listed_article(url)


def test_sitemap_urls_need_not_match_the_listing_pattern() -> None:
    # A new URL shape the site's listing pattern does not know yet still counts
    # when a sitemap lists it.
    url = "https://www.jagran.com/news/national-new-shape-of-url-2026-11-20"
    assert not SITES["jagran"].is_article_url(url)
    assert SITES["jagran"].is_listed_article(url)


def test_zee_and_bbc_sitemaps_may_only_lead_to_their_hindi_pages() -> None:
    assert not SITES["zeenews"].is_listed_article(
        "https://zeenews.india.com/marathi/india/a/1234567"
    )
    assert not SITES["bbchindi"].is_listed_article("https://www.bbc.com/news/articles/c1e5kz8lp0wo")
    assert not SITES["bbchindi"].is_listed_article("https://www.bbc.com/hindi/institutional-1234")
    assert SITES["bbchindi"].is_listed_article("https://www.bbc.com/hindi/articles/c1e5kz8lp0wo")


def test_zee_reads_its_hindi_news_sitemap() -> None:
    assert "https://zeenews.india.com/hindi/sitemaps/news-sitemap.xml" in SITES["zeenews"].sitemaps
    assert (SITES_DIR / "zeenews.india.com/hindi/sitemaps/news-sitemap.xml").is_file()


@pytest.mark.parametrize(
    ("url", "owned"),
    [
        ("https://ndtv.in/cricket/a-b-1234567", True),
        ("http://ndtv.in/cricket/a-b-1234567", True),
        ("https://www.ndtv.in/cricket/a-b-1234567", True),  # a subdomain of a registered one
        ("https://ndtv.in.evil.example/cricket/a-b-1234567", False),
        ("https://evilndtv.in/cricket/a-b-1234567", False),
        ("file:///etc/passwd", False),
        ("file://ndtv.in/etc/passwd", False),
        ("ftp://ndtv.in/sitemap.xml", False),
        ("data:text/xml,<urlset/>", False),
        ("http://127.0.0.1:8080/sitemap.xml", False),
        ("http://[::1/sitemap.xml", False),  # not even a URL
        ("/relative/sitemap.xml", False),
    ],
)
def test_discovery_follows_only_http_on_the_sites_own_hosts(url: str, owned: bool) -> None:
    assert SITES["ndtvindia"].owns_url(url) is owned


# --- the generic spider's article links ---------------------------------------------------


def test_generic_article_links_are_anchored_to_the_site_host() -> None:
    site = spider(GenericSpider, site="https://www.example.in/").site
    # Any host with 5+ digits in the path passed before: the '|' cut the host anchor off.
    assert not site.is_article_url("https://other.example.com/news/12345678")
    assert not site.is_article_url("https://other.example.com/?next=https://www.example.in/1234567")
    assert site.is_article_url("https://www.example.in/news/12345678")


def test_generic_article_links_may_sit_in_sub_folders() -> None:
    site = spider(GenericSpider, site="https://www.example.in/").site
    assert site.is_article_url("https://www.example.in/rajya/lucknow/nagar-nigam-ka-naya-faisla")
    assert site.is_article_url("https://www.example.in/desh-videsh-ki-taza-khabar")
    assert not site.is_article_url("https://www.example.in/rajya/lucknow/")
    assert not site.is_article_url("https://www.example.in/about-us")


def test_generic_spider_refuses_feeds_on_other_hosts() -> None:
    made = spider(GenericSpider, site="https://www.example.in/")
    home = TextResponse(
        "https://www.example.in/",
        body=(
            b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
            b'<link rel="alternate" type="application/rss+xml" href="https://feeds.other.com/x">'
            b'<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">'
            b"</head><body></body></html>"
        ),
        encoding="utf-8",
    )
    assert urls(made.parse_home(home)) == ["https://www.example.in/rss.xml"]
    assert stat(made, "discovery/refused_url") == 2


# --- robots.txt ----------------------------------------------------------------------------


def test_sitemap_lines_after_a_gptbot_group_still_count() -> None:
    robots = (SITES_DIR / "ndtv.in" / "robots.txt").read_bytes()
    assert b"User-agent: GPTBot\nDisallow: /\nSitemap:" in robots  # the fixture's shape
    # Scrapy reads every Sitemap line, whatever group it follows (RFC 9309 2.2.4).
    assert list(sitemap_urls_from_robots(robots, base_url="https://ndtv.in/robots.txt")) == [
        "https://ndtv.in/newssitemap",
        "https://ndtv.in/sitemap_index.xml",
    ]
    response = TextResponse("https://ndtv.in/robots.txt", body=robots, encoding="utf-8")
    assert urls(spider().parse_robots(response)) == [
        "https://ndtv.in/newssitemap",
        "https://ndtv.in/sitemap_index.xml",
    ]


def test_robots_sitemap_lines_elsewhere_are_refused_and_counted() -> None:
    robots = b"\n".join(
        [
            b"User-agent: *",
            b"Allow: /",
            b"Sitemap: https://ndtv.in/newssitemap",
            b"Sitemap: file:///etc/passwd",
            b"Sitemap: file:///dev/zero",
            b"Sitemap: http://127.0.0.1:9/sitemap.xml",
            b"Sitemap: https://evil.example/sitemap.xml",
            b"Sitemap: ftp://ndtv.in/sitemap.xml",
        ]
    )
    made = spider()
    response = TextResponse("https://ndtv.in/robots.txt", body=robots, encoding="utf-8")
    assert urls(made.parse_robots(response)) == ["https://ndtv.in/newssitemap"]
    assert stat(made, "discovery/refused_url") == 5


# --- sitemaps --------------------------------------------------------------------------------


def test_an_extensionless_news_sitemap_is_read() -> None:
    body = (SITES_DIR / "ndtv.in" / "newssitemap").read_bytes()
    response = TextResponse("https://ndtv.in/newssitemap", body=body, encoding="utf-8")
    assert NDTV_CRICKET in urls(spider().parse_sitemap(response))


def test_a_gzipped_sitemap_is_read() -> None:
    body = (SITES_DIR / "www.bhaskar.com" / "sitemaps-v1--sitemap-2026-11.xml.gz").read_bytes()
    assert body[:2] == b"\x1f\x8b"  # the fixture really is gzipped
    from spiders.bhaskar import BhaskarSpider

    made = spider(BhaskarSpider)
    url = "https://www.bhaskar.com/sitemaps-v1--sitemap-2026-11.xml.gz"
    response = Response(url, body=body, headers={"Content-Type": "application/gzip"})
    found = urls(made.parse_sitemap(response))
    # The malformed page is listed only here.
    assert (
        "https://www.bhaskar.com/local/mp/indore/news/"
        "indore-swachh-survekshan-team-inspection-begins-136527309.html"
    ) in found
    assert stat(made, "discovery/bad_sitemap") == 0


def test_a_sitemap_that_inflates_beyond_the_limit_is_skipped() -> None:
    made = spider(settings={"CRAWL_MAX_SITEMAP_BYTES": 100_000})
    bomb = gzip.compress(urlset(NDTV_CRICKET) + b" " * 1_000_000)
    assert len(bomb) < 5_000
    response = Response("https://ndtv.in/sitemap2026.xml.gz", body=bomb)
    assert urls(made.parse_sitemap(response)) == []
    assert stat(made, "discovery/sitemap_too_large") == 1


def test_a_broken_gzip_is_a_bad_sitemap_not_a_crash() -> None:
    made = spider()
    response = Response("https://ndtv.in/sitemap2026.xml.gz", body=b"\x1f\x8b\x08" + b"\x00" * 20)
    assert urls(made.parse_sitemap(response)) == []
    assert stat(made, "discovery/bad_sitemap") == 1


def test_sitemap_entries_elsewhere_are_refused_and_counted() -> None:
    made = spider()
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://ndtv.in/sitemap2026.xml</loc></sitemap>"
        b"<sitemap><loc>file:///etc/passwd</loc></sitemap>"
        b"<sitemap><loc>http://169.254.169.254/latest/meta-data/</loc></sitemap>"
        b"</sitemapindex>"
    )
    response = TextResponse("https://ndtv.in/sitemap_index.xml", body=index, encoding="utf-8")
    assert urls(made.parse_sitemap(response)) == ["https://ndtv.in/sitemap2026.xml"]
    listed = urlset(NDTV_CRICKET, "https://evil.example/cricket/a-b-9612481", "file:///etc/hosts")
    response = TextResponse("https://ndtv.in/sitemap2026.xml", body=listed, encoding="utf-8")
    assert urls(made.parse_sitemap(response)) == [NDTV_CRICKET]
    assert stat(made, "discovery/refused_url") == 4


def test_a_feed_named_as_a_sitemap_is_read_as_a_feed() -> None:
    rss = (
        "<rss><channel><link>https://ndtv.in/</link>"
        f"<item><link>{NDTV_CRICKET}</link><pubDate>Fri, 20 Nov 2026 12:25:00 GMT</pubDate></item>"
        "<item><link>https://evil.example/x-9612482</link></item>"
        "</channel></rss>"
    ).encode()
    made = spider()
    response = TextResponse("https://ndtv.in/rss", body=rss, encoding="utf-8")
    assert urls(made.parse_sitemap(response)) == [NDTV_CRICKET]
    assert stat(made, "discovery/refused_url") == 1


def test_listing_links_must_look_like_articles_and_are_not_refusals() -> None:
    made = spider()
    listing = TextResponse(
        "https://ndtv.in/cricket",
        body=(
            f'<a href="{NDTV_CRICKET}">a</a><a href="/cricket/schedule">b</a>'
            '<a href="https://twitter.com/ndtvindia">c</a>'
        ).encode(),
        encoding="utf-8",
    )
    assert urls(made.parse_listing(listing, page=1)) == [NDTV_CRICKET]
    assert stat(made, "discovery/not_article_url") == 2
    assert stat(made, "discovery/refused_url") == 0


# --- crawls over loopback HTTP, into a real SecantusDB -------------------------------------


class _RecordingHandler(BaseHTTPRequestHandler):
    server: RecordingServer

    def do_GET(self) -> None:
        key = self.path.lstrip("/")  # <host>/<path>[?query], as LocalSitesDownloadHandler asks
        self.server.requested.append(key)
        page = self.server.pages.get(key)
        if page is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body, headers = page
        self.send_response(HTTPStatus.OK)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class RecordingServer(ThreadingHTTPServer):
    """Serves pages from a dict on 127.0.0.1 (port 0) and records every path asked for."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.pages: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.requested: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def serve(self, url: str, body: bytes, content_type: str, **headers: str) -> None:
        key = url.split("://", 1)[1]
        self.pages[key] = (body, {"Content-Type": content_type, **headers})

    def asked(self, url: str) -> int:
        return self.requested.count(url.split("://", 1)[1])


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    made = RecordingServer()
    try:
        yield made
    finally:
        made.shutdown()
        made.server_close()


XML = "application/xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
NDTV_WORLD = (
    "https://ndtv.in/world-news/"
    "developing-nations-demand-concrete-climate-finance-goal-at-un-climate-summit-9610937"
)
NDTV_CAREER = (
    "https://ndtv.in/career/"
    "cbse-board-exam-2027-date-sheet-released-class-10-12-exams-to-begin-february-16-9614025"
)
# A video page at a URL that does not say so: only the page itself tells.
NDTV_CLIP = "https://ndtv.in/india/delhi-smog-visibility-clip-9612990"
BHASKAR_VIDEO_PAGE = (
    "www.bhaskar.com/videos/national/news/"
    "delhi-smog-visibility-drops-near-india-gate-video-136530772.html"
)


def fixture_page(url: str) -> bytes:
    return (SITES_DIR / url.split("://", 1)[1]).read_bytes()


def crawl_site(
    server: RecordingServer,
    tmp_path: Path,
    mongo_uri: str,
    database: str,
    *settings: str,
    site: str = "ndtvindia",
    wrapper: str = "",
) -> subprocess.CompletedProcess[str]:
    """One night's `crawl` in a subprocess, its hosts answered by ``server``."""
    hosts = tmp_path / "hosts"  # the rerouted hosts are the directory names
    # Every host the site or the test names; a host left out would be looked up in DNS.
    named = {"evil.example", "feeds.feedburner.com"}
    for host in {key.split("/", 1)[0] for key in server.pages} | named:
        (hosts / host).mkdir(parents=True, exist_ok=True)
    args = [
        "crawl",
        site,
        "--since",
        "2026-11-01",
        "--log-level",
        "INFO",
        "-s",
        f"LOCAL_SITES_URL={server.url}",
        "-s",
        f"LOCAL_SITES_DIR={hosts}",
        "-s",
        f"MONGO_JOURNAL_PATH={tmp_path / 'pending.jsonl'}",
        *(arg for setting in settings for arg in ("-s", setting)),
    ]
    command = (
        [sys.executable, "-c", wrapper, *args]
        if wrapper
        else [sys.executable, "-m", "crawler", *args]
    )
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "MONGO_URI": mongo_uri, "MONGO_DATABASE": database},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def night_stats(db: Any, night: int) -> dict[str, Any]:
    runs = list(db.crawl_runs.find().sort("started_at"))
    return runs[night - 1]["stats"]


def test_a_crawl_follows_only_the_sites_own_documents(
    server: RecordingServer, tmp_path: Path, mongo_server: str, mongo_db: Any
) -> None:
    robots = "\n".join(
        [
            "User-agent: *",
            "Allow: /",
            "",
            "User-agent: GPTBot",
            "Disallow: /",
            "Sitemap: https://ndtv.in/newssitemap",
            "Sitemap: https://ndtv.in/sitemap2026.xml.gz",
            "Sitemap: https://ndtv.in/sitemap-encoded.xml",
            "Sitemap: file:///etc/passwd",
            "Sitemap: https://evil.example/sitemap.xml",
            "Sitemap: ftp://ndtv.in/sitemap.xml",
            "Sitemap: http://127.0.0.1:9/sitemap.xml",
        ]
    )
    server.serve("https://ndtv.in/robots.txt", robots.encode(), "text/plain")
    # Extensionless news sitemap: an article, a video URL, another host, a local file.
    server.serve(
        "https://ndtv.in/newssitemap",
        urlset(
            NDTV_CRICKET,
            "https://ndtv.in/videos/delhi-smog-visibility-9612999",
            "https://evil.example/world-news/evil-story-9612998",
            "file:///etc/passwd",
        ),
        XML,
    )
    # A .xml.gz file served as application/gzip.
    server.serve(
        "https://ndtv.in/sitemap2026.xml.gz", gzip.compress(urlset(NDTV_WORLD)), "application/gzip"
    )
    # Plain XML compressed on the fly (Content-Encoding).
    server.serve(
        "https://ndtv.in/sitemap-encoded.xml",
        gzip.compress(urlset(NDTV_CAREER)),
        XML,
        **{"Content-Encoding": "gzip"},
    )
    rss = (
        "<rss><channel>"
        "<item><link>https://evil.example/india/feed-story-9612997</link></item>"
        "<item><link>data:text/html,hello</link></item>"
        "</channel></rss>"
    )
    server.serve("https://feeds.feedburner.com/ndtvkhabar-latest", rss.encode(), XML)
    for url in (NDTV_CRICKET, NDTV_WORLD, NDTV_CAREER):
        server.serve(url, fixture_page(url), HTML)

    run = crawl_site(server, tmp_path, mongo_server, mongo_db.name, "MONITORS_ENABLED=False")
    assert run.returncode == 0, run.stderr[-3000:]

    stored = {doc["url"] for doc in mongo_db.articles.find()}
    assert stored == {NDTV_CRICKET, NDTV_WORLD, NDTV_CAREER}
    assert not [key for key in server.requested if "video" in key or key.startswith("evil.")]
    stats = night_stats(mongo_db, 1)
    # robots.txt 4 (file, other host, ftp, loopback), news sitemap 2, feed 2.
    assert stats["discovery/refused_url"] == 8
    assert stats["discovery/not_article_url"] == 1  # the /videos/ URL
    assert stats["discovery/from_sitemap"] == 3


def broken_copy(page: bytes) -> bytes:
    """The page as a half-published one: head (title, date, JSON-LD) but no text."""
    head = page[: page.index(b"</head>") + len(b"</head>")]
    title = "<h1>भारत</h1>".encode()
    return head + b'<body><div class="sp-ttl-wrp">' + title + b"</div></body></html>"


def test_a_page_dropped_for_a_passing_fault_is_fetched_again_the_next_night(
    server: RecordingServer, tmp_path: Path, mongo_server: str, mongo_db: Any
) -> None:
    server.serve(
        "https://ndtv.in/robots.txt",
        b"User-agent: *\nSitemap: https://ndtv.in/newssitemap\n",
        "text/plain",
    )
    server.serve("https://ndtv.in/newssitemap", urlset(NDTV_CRICKET, NDTV_WORLD, NDTV_CLIP), XML)
    server.serve(NDTV_WORLD, fixture_page(NDTV_WORLD), HTML)
    server.serve(NDTV_CLIP, (SITES_DIR / BHASKAR_VIDEO_PAGE).read_bytes(), HTML)
    server.serve(NDTV_CRICKET, broken_copy(fixture_page(NDTV_CRICKET)), HTML)

    first = crawl_site(server, tmp_path, mongo_server, mongo_db.name, "MONITORS_ENABLED=False")
    assert first.returncode == 0, first.stderr[-3000:]
    assert {doc["url"] for doc in mongo_db.articles.find()} == {NDTV_WORLD}
    skipped = {doc["url"]: doc for doc in mongo_db.skipped_pages.find()}
    assert skipped[NDTV_CRICKET]["reason"] in ("missing_body", "body_too_short")
    assert skipped[NDTV_CRICKET]["permanent"] is False
    assert (skipped[NDTV_CLIP]["reason"], skipped[NDTV_CLIP]["permanent"]) == (
        "not_article_video",
        True,
    )
    assert skipped[NDTV_CLIP]["parser"] == SITES["ndtvindia"].parser_version
    assert skipped[NDTV_CLIP]["expires_at"] > skipped[NDTV_CLIP]["seen_at"]

    # The site serves the whole article by the next night.
    server.serve(NDTV_CRICKET, fixture_page(NDTV_CRICKET), HTML)
    second = crawl_site(server, tmp_path, mongo_server, mongo_db.name, "MONITORS_ENABLED=False")
    assert second.returncode == 0, second.stderr[-3000:]
    assert {doc["url"] for doc in mongo_db.articles.find()} == {NDTV_WORLD, NDTV_CRICKET}
    assert server.asked(NDTV_CRICKET) == 2
    assert server.asked(NDTV_CLIP) == 1  # a video page is not fetched again
    assert server.asked(NDTV_WORLD) == 1  # nor a stored article
    stats = night_stats(mongo_db, 2)
    assert stats["incremental/retried_after_drop"] == 1
    assert stats["incremental/skipped_known"] == 2


# --- a site whose selectors no longer fit ---------------------------------------------------

BROKEN_SELECTOR = """
import sys
from crawler.parsing.publishers.jagran import JagranParser
JagranParser.BODY_SELECTOR = "div.no-such-body-any-more"  # the site was redesigned
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_broken_body_selector_stores_by_fallback_and_fails_parser_drift(
    tmp_path: Path, mongo_server: str, mongo_db: Any
) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            BROKEN_SELECTOR,
            "crawl",
            "jagran",
            "--local-sites",
            "--since",
            "2026-11-01",
            "-s",
            f"MONGO_JOURNAL_PATH={tmp_path / 'pending.jsonl'}",
            "-s",
            "MONITORS_DRIFT_MIN_ARTICLES=3",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MONGO_URI": mongo_server, "MONGO_DATABASE": mongo_db.name},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    wanted = {
        load_expected(path)["url"]
        for path in expected_files()
        if path.parent.name == "jagran"
        and parse_date(load_expected(path)["published_at"]) >= parse_date("2026-11-01")
    }
    stored = {doc["url"]: doc for doc in mongo_db.articles.find()}
    assert set(stored) == wanted  # every article still lands ...
    for doc in stored.values():
        assert len(doc["body"]) >= 200 and "।" in doc["body"]
    # ... and the night fails on drift: exit status 3, one line naming site and share.
    assert run.returncode == 3, run.stderr[-3000:]
    drift = re.search(
        r"jagran: parser_drift: parser drift: (\d+) of (\d+) articles by fallback", run.stderr
    )
    assert drift is not None, run.stderr[-3000:]
    # Every article parsed, stored or not (the older one the listing links), was a fallback.
    fallback, parsed_articles = int(drift.group(1)), int(drift.group(2))
    assert fallback == parsed_articles >= len(wanted)


# --- extraction paths counted for the parser_drift monitor ----------------------------------


def parsed(extraction: dict[str, str], page_type: str = "article") -> ArticleItem:
    item = ArticleItem(url=NDTV_CRICKET, site="ndtvindia", page_type=page_type)
    item.extraction = extraction  # type: ignore[attr-defined]  # the parsers' new field
    return item


def test_each_articles_extraction_paths_and_fallback_are_counted() -> None:
    made = spider()
    made.count_extraction(parsed({"body": "selector", "title": "selector"}))
    made.count_extraction(parsed({"body": "generic", "title": "selector"}))
    made.count_extraction(parsed({"body": "jsonld", "title": "jsonld"}))
    made.count_extraction(parsed({"body": "generic"}, page_type="video"))  # not an article
    assert stat(made, "extraction/articles") == 3
    assert stat(made, "extraction/fallback") == 2
    assert stat(made, "extraction/body/selector") == 1
    assert stat(made, "extraction/body/generic") == 2
    assert stat(made, "extraction/title/selector") == 2


def test_the_generic_spider_counts_paths_but_no_drift() -> None:
    made = spider(GenericSpider, site="https://www.example.in/")
    made.count_extraction(parsed({"body": "generic"}))
    assert stat(made, "extraction/body/generic") == 1
    assert stat(made, "extraction/articles") == 0
    assert stat(made, "extraction/fallback") == 0


def test_a_bad_since_argument_closes_the_spider_with_one_reason() -> None:
    crawler = get_crawler(JagranSpider, {"INCREMENTAL_ENABLED": False})
    spider = JagranSpider.from_crawler(crawler, since="garbage")

    assert "garbage" in spider.argument_error

    async def first_request() -> Any:
        return await anext(spider.start())

    with pytest.raises(CloseSpider) as closed:
        asyncio.run(first_request())
    assert closed.value.reason == "bad_argument"
