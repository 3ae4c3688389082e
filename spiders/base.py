"""The shared spider: discovery from sitemaps (via robots.txt, sitemap index,
Google News sitemap, gzipped or not) and RSS/Atom feeds, bounded by a date window
and a count; parsing by the site's parser from the registry.

What a sitemap or feed lists is an article unless its path says it is not (video,
gallery, web story, ...); links on listing and home pages must look like the
site's articles (`Site.article_url`). Discovery documents come from the site, so
only http(s) URLs on the site's own hosts are followed; the rest are refused and
counted (`discovery/refused_url`).

A site spider is a subclass with `name` set to its registry name.
"""

from __future__ import annotations

import asyncio
import io
import logging
import zlib
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from scrapy import Request, Spider, signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.fetch.browser import PLAYWRIGHT_HANDLER, rendered_meta
from crawler.items import NON_ARTICLE_PAGE_TYPES
from crawler.ops.offload import Prepared, WorkerSteps, mark_done
from crawler.ops.workers import WorkerPool
from crawler.parsing.base import is_fallback
from crawler.parsing.registry import SITES, Site
from crawler.storage.incremental import KnownArticles
from crawler.text.dates import parse_date, parse_since

logger = logging.getLogger(__name__)

# Sources whose links are any page of the site, so they must look like an article.
LINK_SOURCES = frozenset({"listing", "home_page"})
# Refused URLs are logged at WARNING this many times per run, then at DEBUG.
_REFUSALS_LOGGED = 10

_ITERPARSE: dict[str, Any] = {
    "events": ("end",),
    "recover": True,
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": True,
}
# The elements of sitemaps (url, sitemap) and feeds (RSS item, Atom entry) that name a page.
_ENTRY_TAGS = frozenset({"url", "sitemap", "item", "entry"})


def _local(tag: object) -> str:
    """An element's tag without its namespace ('{ns}loc' -> 'loc')."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str:
    for node in element.iter():
        if _local(node.tag) in names and node.text and node.text.strip():
            return node.text.strip()
    return ""


def listed_url(meta: Mapping[str, Any], url: str) -> str:
    """The URL discovery listed, before any redirect: the one the next night sees."""
    redirects = meta.get("redirect_urls") or []
    return str(redirects[0]) if redirects else url


class NewsSpider(Spider):
    """Discovers a registered site's articles and parses them."""

    site: Site
    known: KnownArticles | None = None
    argument_error = ""  # a bad -a since= or max_articles=: the spider closes at start
    # Count fallback extractions for the parser_drift monitor: only a site with
    # its own parser can drift; the generic spider is all fallback by design.
    counts_drift = True

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
        self.refused = 0
        self.workers: WorkerPool | None = None
        self.worker_steps: WorkerSteps | None = None

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
        try:
            spider.since = parse_since(spider._since_arg or settings.get("CRAWL_SINCE"))
            spider.max_articles = int(spider._max_arg or settings.getint("CRAWL_MAX_ARTICLES"))
        except ValueError as exc:
            # Raised here it would end in an asyncio traceback; start() closes the
            # spider instead, after this one line.
            logger.error("%s: bad argument: %s", spider.name, exc)
            spider.argument_error = str(exc)
            spider.since, spider.max_articles = datetime.now(UTC), 0
        spider.max_listing_pages = settings.getint("CRAWL_MAX_LISTING_PAGES")
        spider.max_sitemap_bytes = settings.getint("CRAWL_MAX_SITEMAP_BYTES")
        spider.workers = WorkerPool.from_settings(settings)
        spider.worker_steps = WorkerSteps.from_settings(settings) if spider.workers else None
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
        if self.argument_error:
            raise CloseSpider("bad_argument")
        if self.known is not None:
            await asyncio.to_thread(
                self.known.load, self.site.name, self.since, self.site.parser_version
            )
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
        # Every Sitemap line counts, whichever User-agent group it follows: robots.txt
        # sitemaps are not part of any group (RFC 9309, section 2.2.4).
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            if self.own_url(url, response.url):
                yield Request(url, callback=self.parse_sitemap, errback=self.on_error)

    def discovery_body(self, response: Response, kind: str) -> bytes | None:
        """A sitemap's or feed's bytes, gunzipped when it is a .gz file
        (Content-Encoding is undone by Scrapy's HttpCompressionMiddleware)."""
        if not gzip_magic_number(response):
            return response.body
        try:
            return gunzip(response.body, max_size=self.max_sitemap_bytes)
        except ValueError as exc:  # scrapy's _DecompressionMaxSizeExceeded
            self.count(f"discovery/{kind}_too_large")
            logger.warning("%s: %s too large, skipped: %s: %s", self.name, kind, response.url, exc)
        except (OSError, EOFError, zlib.error) as exc:
            self.count(f"discovery/bad_{kind}")
            logger.warning("%s: broken gzip, skipped: %s: %s", self.name, response.url, exc)
        return None

    def discovery_entries(
        self, response: Response, kind: str
    ) -> Iterator[tuple[str, etree._Element]]:
        """(document kind, entry) for each <url>/<sitemap>/<item>/<entry> of a sitemap
        or feed, parsed as a stream: each entry is freed once read, so a 50 MB
        sitemap costs its bytes, not a tree ten times their size."""
        body = self.discovery_body(response, kind)
        if body is None:
            return
        document = ""
        try:
            for _event, element in etree.iterparse(io.BytesIO(body), **_ITERPARSE):
                document = document or _local(element.getroottree().getroot().tag)
                if _local(element.tag) not in _ENTRY_TAGS:
                    continue
                yield document, element
                element.clear()
                while element.getprevious() is not None:  # the entries already read
                    del element.getparent()[0]
        except etree.XMLSyntaxError:
            pass  # recover=True reads what it can; what follows the damage is lost
        if not document:
            self.count(f"discovery/bad_{kind}")
            logger.warning("%s: not a %s, skipped: %s", self.name, kind, response.url)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        for kind, entry in self.discovery_entries(response, "sitemap"):
            if kind in ("rss", "feed", "RDF"):  # robots.txt may name a feed as a sitemap
                yield from self.feed_request(entry)
                continue
            loc = _child_text(entry, "loc")
            if not loc:
                continue
            if kind == "sitemapindex":
                lastmod = parse_date(_child_text(entry, "lastmod"))
                if lastmod and lastmod < self.since:
                    self.count("discovery/sitemaps_too_old")
                    continue
                if self.own_url(loc, response.url):
                    yield Request(loc, callback=self.parse_sitemap, errback=self.on_error)
            elif kind == "urlset":
                published = parse_date(_child_text(entry, "publication_date"))
                modified = parse_date(_child_text(entry, "lastmod"))
                yield from self.article_request(loc, published or modified, modified, "sitemap")

    def parse_feed(self, response: Response) -> Iterator[Request]:
        for _kind, entry in self.discovery_entries(response, "feed"):
            yield from self.feed_request(entry)

    def feed_request(self, entry: etree._Element) -> Iterator[Request]:
        if _local(entry.tag) not in ("item", "entry"):
            return
        link = _child_text(entry, "link")
        if not link:  # Atom puts the link in an attribute
            link = next((n.get("href", "") for n in entry if _local(n.tag) == "link"), "")
        published = parse_date(_child_text(entry, "pubDate", "published", "date"))
        modified = parse_date(_child_text(entry, "updated"))
        if link:
            yield from self.article_request(link.strip(), published or modified, modified, "feed")

    def own_url(self, url: str, found_in: str) -> bool:
        """Whether a URL a discovery document names may be followed; refusals are counted."""
        if self.site.owns_url(url):
            return True
        self.count("discovery/refused_url")
        self.refused += 1
        log = logger.warning if self.refused <= _REFUSALS_LOGGED else logger.debug
        log(
            "%s: refused %.200s (in %s): only http(s) on %s is followed",
            self.name,
            url,
            found_in,
            ", ".join((*self.site.domains, *self.site.hosts)),
        )
        return False

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
        if source in LINK_SOURCES:
            # A page links anywhere (social media, other sites): not a refusal.
            looks_like_article = self.site.owns_url(url) and self.site.is_article_url(url)
        elif not self.own_url(url, source):
            return
        else:
            looks_like_article = self.site.is_listed_article(url)
        if not looks_like_article:
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

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        prepared: Prepared | None = None
        try:
            if self.workers is None:
                item = self.site.parse(response.body, response.url)
            elif self.worker_steps is None or not self.workers.warm:
                # the event loop downloads on while a worker process parses
                item = await self.workers.run(self.site.parse, response.body, response.url)
            else:  # the worker parses and runs the first pipeline steps
                prepared = await self.workers.run(
                    self.worker_steps.prepare,
                    self.site.parse,
                    response.body,
                    response.url,
                    datetime.now(UTC),
                    response.meta.get("listed_modified"),
                )
                item = prepared.item
        except Exception as exc:  # a malformed page is recorded and skipped, never fatal
            self.count("spider/parse_failures")
            self.record_failure(response.url, f"{type(exc).__name__}: {exc}")
            # Maybe a half-served page: fetched again on a later night.
            self.remember_not_stored(response, "parse_error", permanent=False)
            return
        self.count_extraction(item)
        if self.outside_window(item.published_at, item.modified_at):
            # Listed without a date (a listing or home page link, an undated feed item).
            self.count("discovery/outside_window_by_page_date")
            self.remember_not_stored(response, "outside_window", permanent=True)
            return
        if prepared is None:
            item.fetched_at = datetime.now(UTC)
            item.listed_modified_at = response.meta.get("listed_modified")
        else:
            mark_done(prepared, self.crawler.stats)
        yield item

    def count_extraction(self, item: Any) -> None:
        """Which path produced each field (extraction/<field>/<path>) and, per article
        of a site with its own parser, whether it needed a fallback (extraction/fallback)."""
        extraction = getattr(item, "extraction", None)
        if not isinstance(extraction, Mapping) or not extraction:
            return
        for name, path in extraction.items():
            self.count(f"extraction/{name}/{path}")
        page_type = getattr(item, "page_type", "") or "article"
        if self.counts_drift and page_type not in NON_ARTICLE_PAGE_TYPES:
            self.count("extraction/articles")
            if is_fallback(extraction):
                self.count("extraction/fallback")

    def closed(self, reason: str) -> None:
        if self.known is not None:
            self.known.save(self.site.name)

    def on_item_dropped(
        self,
        item: Any,
        response: Response | None,
        exception: Exception,
        spider: Spider | None = None,
    ) -> None:
        """A dropped page is remembered: skipped on later nights when the drop is
        permanent (a video, not Hindi), else fetched again (no body found, ...)."""
        if response is None:
            return
        # A drop without a reason (a duplicate of this run) is retried like a fault.
        reason = getattr(exception, "reason", None) or "unexplained"
        permanent = bool(getattr(exception, "permanent", False))
        self.remember_not_stored(response, reason, permanent=permanent)

    def remember_not_stored(
        self, request: Request | Response, reason: str, *, permanent: bool
    ) -> None:
        """A page fetched (or asked for) and not stored, under the URL discovery listed."""
        if self.known is None:
            return
        self.known.remember_not_stored(
            listed_url(request.meta, request.url),
            reason,
            request.meta.get("listed_modified"),
            permanent=permanent,
            parser=self.site.parser_version,
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
        if status in (404, 410) and request is not None:
            self.remember_not_stored(request, f"http_{status}", permanent=True)

    def record_failure(self, url: str, reason: str) -> None:
        logger.error("%s: skipped %s: %s", self.name, url, reason)
        self.count("spider/failed_pages")
        failures = self.crawler.stats.get_value("spider/failures", [])
        if len(failures) < 100:  # enough to diagnose, bounded for the run record
            failures.append({"url": url, "reason": reason[:300]})
            self.crawler.stats.set_value("spider/failures", failures)

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)
