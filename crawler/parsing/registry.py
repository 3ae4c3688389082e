"""The site registry: what a news site is to the project (the ``Site`` record)
and every site the project has a parser for (``SITES``).

Adding a site: a module crawler/parsing/publishers/<site>.py with its parser and
``SITE = Site(...)`` (found there on its own), a thin spider in
spiders/<site>.py, fixture pages in tests/fixtures/sites/<host>/ and expected
output in tests/fixtures/expected/<site>/.
"""

from __future__ import annotations

import pkgutil
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.categories import section_category
from crawler.items import ArticleItem

if TYPE_CHECKING:
    from crawler.parsing.base import ArticleParser

# Path segments of pages that are never articles, whatever lists them: videos, photo
# galleries, web/visual stories, live TV, podcasts, AMP copies, topic and tag pages.
NON_ARTICLE_PATH = (
    r"(?i)^/(?:[^?#]*/)?(?:videos?|video-?gallery|videoshow|photos?|photo-?gallery|photoshow"
    r"|galler(?:y|ies)|web-?stor(?:y|ies)|visual-?stor(?:y|ies)|live-?tv|podcasts?|shorts|amp"
    r"|topics?|tags?)(?:/|$)"
)


# Longer URLs are never taken for articles (and never meet the patterns' regexes).
MAX_URL_CHARS = 2048


def host_matches(host: str, domains: tuple[str, ...]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class Site:
    name: str
    title: str
    domains: tuple[str, ...]
    # Parser versions, oldest first; the newest is tried first (see `parse`).
    parsers: tuple[type[ArticleParser], ...]
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    # Section listing pages; their article links are discovered too, and their
    # rel=next pagination followed up to CRAWL_MAX_LISTING_PAGES.
    listings: tuple[str, ...] = ()
    # A link found on a listing or home page is an article when it matches this.
    article_url: str = r"."
    # A URL from a sitemap or feed is an article unless its path matches this.
    non_article_url: str = NON_ARTICLE_PATH
    # Hosts besides `domains` (and their subdomains) that discovery documents may
    # point at, e.g. a sitemap CDN; anything else they name is refused.
    hosts: tuple[str, ...] = ()
    # Site-specific section names → category; consulted before the defaults.
    sections: Mapping[str, str] = field(default_factory=dict)
    # Left out of `crawl --all`: the site's terms ask crawlers to stay away, so the
    # user names it explicitly after getting permission (e.g. BBC Hindi's robots.txt).
    opt_in: bool = False
    # Render every article in Chromium, or only those whose URL matches js_urls.
    needs_js: bool = False
    js_urls: str = ""

    def is_article_url(self, url: str) -> bool:
        """A link on a listing or home page that looks like one of the site's articles."""
        return len(url) <= MAX_URL_CHARS and bool(re.search(self.article_url, url))

    def is_listed_article(self, url: str) -> bool:
        """A URL a sitemap or feed lists: an article unless its path says otherwise."""
        if len(url) > MAX_URL_CHARS:
            return False
        path = urlsplit(url).path
        return path.strip("/") != "" and not re.search(self.non_article_url, path)

    def owns_url(self, url: str) -> bool:
        """http(s) on the site's own hosts: the only URLs discovery documents may lead to."""
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:  # an unparseable netloc ('http://[::1')
            return False
        return parts.scheme in ("http", "https") and host_matches(
            host, (*self.domains, *self.hosts)
        )

    @property
    def parser_version(self) -> str:
        """The newest parser's name and version, as items carry it (``parser``)."""
        newest = self.parsers[-1] if self.parsers else None
        if newest is None:
            return ""
        return f"{getattr(newest, 'name', newest.__name__)}/v{getattr(newest, 'version', '')}"

    @property
    def uses_browser(self) -> bool:
        return self.needs_js or bool(self.js_urls)

    def needs_browser(self, url: str) -> bool:
        return self.needs_js or bool(self.js_urls and re.search(self.js_urls, url))

    def category_for(self, section: str, url: str) -> str:
        return section_category(section, url, self.sections)

    def parse(self, page: str | bytes, url: str) -> ArticleItem:
        """The article as the newest parser version whose own selectors read it.

        A redesign gets a new parser version beside the old one; old captures
        still parse, because an older version is tried when a newer one's selectors
        find no body. Every version falls back to JSON-LD and the generic extractor;
        when no version's selectors find the body, the newest version's fallback
        reading is the article (its ``extraction`` says so, for parser_drift).
        """
        from crawler.parsing.base import is_fallback

        items = []
        for parser_class in reversed(self.parsers):
            item = parser_class().parse(page, url, self.name)
            if item.title and item.body and not is_fallback(item.extraction):
                return item
            items.append(item)
        assert items, f"site {self.name} has no parser"
        return next((i for i in items if i.title and i.body), items[0])


class SiteRegistry(Mapping[str, Site]):
    """Every module in crawler/parsing/publishers/ is one site, named as its module.

    The names come from the folder alone, so listing or checking sites (argument
    help, ``query --site``) imports no parser; the sites themselves load on first
    lookup (the publisher modules import ``Site`` from here)."""

    @cached_property
    def _names(self) -> tuple[str, ...]:
        folder = Path(__file__).parent / "publishers"
        return tuple(sorted(m.name for m in pkgutil.iter_modules([str(folder)])))

    @cached_property
    def _sites(self) -> dict[str, Site]:
        sites = {}
        for name in self._names:
            site = import_module(f"{__package__}.publishers.{name}").SITE
            if site.name != name:
                raise ValueError(f"publishers/{name}.py registers a site named {site.name!r}")
            sites[name] = site
        return sites

    def __getitem__(self, name: str) -> Site:
        return self._sites[name]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


SITES = SiteRegistry()


def default_sites() -> list[str]:
    """What `--all` crawls: every site except the opt-in ones (named explicitly)."""
    return [name for name, site in SITES.items() if not site.opt_in]


def site_for_url(url: str) -> Site | None:
    host = urlsplit(url).hostname or ""
    return next((site for site in SITES.values() if host_matches(host, site.domains)), None)


def parse_page(page: str | bytes, url: str) -> ArticleItem:
    """The article on a page, read by its site's parser (by the URL's domain);
    pages of unregistered sites go through the generic parser."""
    from crawler.parsing.generic import GenericParser

    site = site_for_url(url)
    if site is None:
        return GenericParser().parse(page, url, generic_site_name(url))
    return site.parse(page, url)


def generic_site_name(url: str) -> str:
    """The `site` of an article from an unregistered site: its host without www."""
    return (urlsplit(url).hostname or "unknown").removeprefix("www.")
