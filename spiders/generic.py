"""Any Hindi news site without a parser of its own:

    scrapy crawl generic -a site=https://www.example.com [-a since=2d] [-a js=1]

Discovery: the sitemaps robots.txt names, the RSS/Atom feeds the home page
links to, and the home page's own links to pages on the same host. Only the
given site's host (and its subdomains) is followed, from sitemaps and feeds too.
Extraction: JSON-LD and meta tags for the fields, trafilatura for the main text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.fetch.browser import PLAYWRIGHT_HANDLER
from crawler.parsing.generic import GenericParser
from crawler.parsing.registry import Site, generic_site_name
from spiders.base import NewsSpider

# A link that looks like an article: a long slug or a numeric id in the last path
# part, after any number of folders (/state/city/<slug>).
_ARTICLE_PATH = (
    r"(?:/[^/?#]*)*/(?:[^/?#]*(?:[a-z0-9]+-){3,}[^/?#]*|[^/?#]*\d{5,}[^/?#]*)/?(?:[?#].*)?$"
)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml")


class GenericSpider(NewsSpider):
    name = "generic"
    # Every article of an unregistered site comes from the generic extractor.
    counts_drift = False

    def __init__(self, *args: Any, site: str = "", js: str = "", **kwargs: Any) -> None:
        if not site.startswith(("http://", "https://")):
            raise ValueError("generic spider: pass the site's home page, -a site=https://...")
        self.home = site
        self.render_js = js.lower() in ("1", "true", "yes")
        super().__init__(*args, **kwargs)

    def resolve_site(self) -> Site:
        parts = urlsplit(self.home)
        root = f"{parts.scheme}://{parts.netloc}"
        host = parts.hostname or ""
        return Site(
            name=generic_site_name(self.home),
            title=host,
            domains=(host,),
            parsers=(GenericParser,),
            sitemaps=(f"{root}/robots.txt",),
            # The host anchors both alternatives of the path pattern.
            article_url=rf"(?i)^https?://{re.escape(host)}(?::\d+)?{_ARTICLE_PATH}",
            needs_js=self.render_js,
        )

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # Whether pages need rendering is only known from -a js=1, after settings
        # are frozen; Playwright's handler still fetches other requests over HTTP.
        settings.set("LOCAL_SITES_INNER_HANDLER", PLAYWRIGHT_HANDLER, priority="spider")

    async def start(self) -> Any:
        async for request in super().start():
            yield request
        yield Request(self.home, callback=self.parse_home, errback=self.on_error)

    def parse_home(self, response: Response) -> Iterator[Request]:
        for feed in response.css("link[rel=alternate]"):
            if feed.attrib.get("type") in _FEED_TYPES and feed.attrib.get("href"):
                url = urljoin(response.url, feed.attrib["href"])
                if self.own_url(url, response.url):
                    yield Request(url, callback=self.parse_feed, errback=self.on_error)
        for href in response.css("a::attr(href)").getall():
            url = urljoin(response.url, href).split("#")[0]
            yield from self.article_request(url, None, None, "home_page")
