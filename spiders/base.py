"""The shared spider: discovery from sitemaps (via robots.txt, sitemap index,
Google News sitemap) and RSS/Atom feeds, bounded by a date window and a count;
parsing by the site's parser from the registry.

A site spider is a subclass with `name` set to its registry name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.browser import PLAYWRIGHT_HANDLER, rendered_meta
from crawler.dates import parse_date, parse_since
from crawler.incremental import KnownArticles
from crawler.sites import SITES, Site

logger = logging.getLogger(__name__)

_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)


def _local(tag: object) -> str:
    """An element's tag without its namespace ('{ns}loc' -> 'loc')."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str:
    for node in element.iter():
        if _local(node.tag) in names and node.text and node.text.strip():
            return node.text.strip()
    return ""


class NewsSpider(Spider):
    """Discovers a registered site's articles and parses them."""

    site: Site
    known: KnownArticles | None = None

    def __init__(
        self,
        *args: Any,
        since: str | None = None,
        max_articles: str | int | None = None,
        sections: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.site = self.resolve_site()
        self._since_arg = since
        self._max_arg = max_articles
        # -a sections=politics,cricket: only URLs with one of these path segments.
        self.sections = {s.strip().casefold() for s in sections.split(",") if s.strip()}
        # Sitemaps, news sitemaps and feeds list the same article: request it once.
        self.requested_urls: set[str] = set()

    def resolve_site(self) -> Site:
        if getattr(self, "name", None) not in SITES:
            raise ValueError(f"spider {self.name!r} has no entry in the site registry")
        return SITES[self.name]

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        site = SITES.get(getattr(cls, "name", ""))
        if site is not None and site.uses_browser:
            # Only crawls that render pages start Playwright at all.
            settings.set("LOCAL_SITES_INNER_HANDLER", PLAYWRIGHT_HANDLER, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.since = parse_since(spider._since_arg or settings.get("CRAWL_SINCE"))
        spider.max_articles = int(spider._max_arg or settings.getint("CRAWL_MAX_ARTICLES"))
        spider.max_listing_pages = settings.getint("CRAWL_MAX_LISTING_PAGES")
        try:
            spider.known = KnownArticles.from_crawler(crawler)
        except NotConfigured:
            spider.known = None
        crawler.signals.connect(spider.on_item_dropped, signal=signals.item_dropped)
        logger.info(
            "%s: articles since %s, at most %d",
            spider.name,
            spider.since.isoformat(),
            spider.max_articles,
        )
        return spider

    async def start(self) -> AsyncIterator[Request]:
        if self.known is not None:
            await asyncio.to_thread(self.known.load, self.site.name, self.since)
        for url in self.site.sitemaps:
            callback = self.parse_robots if url.endswith("/robots.txt") else self.parse_sitemap
            yield Request(url, callback=callback, errback=self.on_error)
        for url in self.site.feeds:
            yield Request(url, callback=self.parse_feed, errback=self.on_error)
        for url in self.site.listings:
            if self.in_sections(url):
                yield Request(
                    url, callback=self.parse_listing, errback=self.on_error, cb_kwargs={"page": 1}
                )

    # --- discovery ----------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield Request(url, callback=self.parse_sitemap, errback=self.on_error)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        body = response.body
        if body[:2] == gzip_magic_number:
            body = gunzip(body)
        try:
            root = etree.fromstring(body, parser=_XML_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            self.count("discovery/bad_sitemap")
            logger.warning("%s: not a sitemap, skipped: %s", self.name, response.url)
            return
        kind = _local(root.tag)
        for entry in root:
            loc = _child_text(entry, "loc")
            if not loc:
                continue
            if kind == "sitemapindex":
                lastmod = parse_date(_child_text(entry, "lastmod"))
                if lastmod and lastmod < self.since:
                    self.count("discovery/sitemaps_too_old")
                    continue
                yield Request(loc, callback=self.parse_sitemap, errback=self.on_error)
            elif kind == "urlset":
                published = parse_date(_child_text(entry, "publication_date"))
                modified = parse_date(_child_text(entry, "lastmod"))
                yield from self.article_request(loc, published or modified, modified, "sitemap")

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            root = etree.fromstring(response.body, parser=_XML_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            self.count("discovery/bad_feed")
            logger.warning("%s: not a feed, skipped: %s", self.name, response.url)
            return
        for entry in root.iter():
            if _local(entry.tag) not in ("item", "entry"):
                continue
            link = _child_text(entry, "link")
            if not link:  # Atom puts the link in an attribute
                link = next((n.get("href", "") for n in entry if _local(n.tag) == "link"), "")
            published = parse_date(_child_text(entry, "pubDate", "published", "date"))
            modified = parse_date(_child_text(entry, "updated"))
            if link:
                yield from self.article_request(
                    link.strip(), published or modified, modified, "feed"
                )

    def parse_listing(self, response: Response, page: int) -> Iterator[Request]:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href).split("#")[0]
            yield from self.article_request(url, None, None, "listing")
        next_page = response.css("link[rel=next]::attr(href), a[rel=next]::attr(href)").get()
        if next_page and page < self.max_listing_pages:
            yield Request(
                response.urljoin(next_page),
                callback=self.parse_listing,
                errback=self.on_error,
                cb_kwargs={"page": page + 1},
            )
        elif next_page:
            self.count("discovery/listing_pages_capped")

    def in_sections(self, url: str) -> bool:
        if not self.sections:
            return True
        segments = {unquote(p).casefold() for p in urlsplit(url).path.split("/") if p}
        return bool(segments & self.sections)

    def article_request(
        self, url: str, published: datetime | None, modified: datetime | None, source: str
    ) -> Iterator[Request]:
        if not self.site.is_article_url(url):
            self.count("discovery/not_article_url")
            return
        if not self.in_sections(url):
            self.count("discovery/other_section")
            return
        if url in self.requested_urls:
            return
        if self.outside_window(published, modified):
            self.count("discovery/outside_window")
            return
        # A URL skipped as known is judged again when another source lists it
        # with a newer lastmod.
        if self.known is not None and not self.known.should_fetch(url, published, modified):
            return
        if len(self.requested_urls) >= self.max_articles:
            self.count("discovery/over_limit")
            return
        self.requested_urls.add(url)
        self.count(f"discovery/from_{source}")
        meta = {"discovered_from": source, "listed_modified": modified}
        if self.site.needs_browser(url):
            meta.update(rendered_meta())
        yield Request(url, callback=self.parse_article, errback=self.on_error, meta=meta)

    def outside_window(self, published: datetime | None, modified: datetime | None) -> bool:
        """Published before the window and not modified within it."""
        return bool(
            published and published < self.since and not (modified and modified >= self.since)
        )

    # --- parsing --------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        try:
            item = self.site.parse(response.body, response.url)
        except Exception as exc:  # a malformed page is recorded and skipped, never fatal
            self.count("spider/parse_failures")
            self.record_failure(response.url, f"{type(exc).__name__}: {exc}")
            return
        if self.outside_window(item.published_at, item.modified_at):
            # Listed without a date (a listing or home page link, an undated feed item).
            self.count("discovery/outside_window_by_page_date")
            if self.known is not None:
                self.known.remember_not_stored(
                    response.url, "outside_window", response.meta.get("listed_modified")
                )
            return
        item.fetched_at = datetime.now(UTC)
        item.listed_modified_at = response.meta.get("listed_modified")
        yield item

    def closed(self, reason: str) -> None:
        if self.known is not None:
            self.known.save(self.site.name)

    def on_item_dropped(
        self, item: Any, response: Response, exception: Exception, spider: Spider
    ) -> None:
        """A dropped page (video, no date, ...) is remembered so the next night skips it."""
        if self.known is not None and response is not None:
            reason = str(exception).split(":", 1)[0]
            self.known.remember_not_stored(
                response.url, reason, response.meta.get("listed_modified")
            )

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        response = getattr(failure.value, "response", None)
        status = getattr(response, "status", None)
        reason = f"HTTP {status}" if status else failure.getErrorMessage() or repr(failure.value)
        self.record_failure(url, reason)
        # A page that is gone is not asked for again until a listing says it changed;
        # timeouts and server errors are retried next night.
        if status in (404, 410) and self.known is not None and request is not None:
            self.known.remember_not_stored(
                url, f"http_{status}", request.meta.get("listed_modified")
            )

    def record_failure(self, url: str, reason: str) -> None:
        logger.error("%s: skipped %s: %s", self.name, url, reason)
        self.count("spider/failed_pages")
        failures = self.crawler.stats.get_value("spider/failures", [])
        if len(failures) < 100:  # enough to diagnose, bounded for the run record
            failures.append({"url": url, "reason": reason[:300]})
            self.crawler.stats.set_value("spider/failures", failures)

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)
