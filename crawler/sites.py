"""The site registry: every site the project has a parser for.

Adding a site: a module crawler/parsing/publishers/<site>.py with its parser and
`SITE = Site(...)` (found there on its own), a thin spider in
spiders/<site>.py, fixture pages in tests/fixtures/sites/<host>/ and expected
output in tests/fixtures/expected/<site>/.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from urllib.parse import urlsplit

import crawler.parsing.publishers as _publishers
from crawler.items import ArticleItem
from crawler.parsing.generic import GenericParser
from crawler.site import (
    CATEGORIES,
    DEFAULT_SECTION_CATEGORIES,
    Site,
    host_matches,
    section_category,
)

__all__ = ["CATEGORIES", "DEFAULT_SECTION_CATEGORIES", "SITES", "Site", "section_category"]

# Every module in crawler/parsing/publishers/ is one site.
PUBLISHERS = tuple(sorted(m.name for m in pkgutil.iter_modules(_publishers.__path__)))

SITES: dict[str, Site] = {
    site.name: site
    for site in (import_module(f"crawler.parsing.publishers.{name}").SITE for name in PUBLISHERS)
}


def default_sites() -> list[str]:
    """What `--all` crawls: every site except the opt-in ones (named explicitly)."""
    return [name for name, site in SITES.items() if not site.opt_in]


def site_for_url(url: str) -> Site | None:
    host = urlsplit(url).hostname or ""
    return next((site for site in SITES.values() if host_matches(host, site.domains)), None)


def parse_page(page: str | bytes, url: str) -> ArticleItem:
    """The article on a page, read by its site's parser (by the URL's domain);
    pages of unregistered sites go through the generic parser."""
    site = site_for_url(url)
    if site is None:
        return GenericParser().parse(page, url, generic_site_name(url))
    return site.parse(page, url)


def generic_site_name(url: str) -> str:
    """The `site` of an article from an unregistered site: its host without www."""
    return (urlsplit(url).hostname or "unknown").removeprefix("www.")
