"""When an article page says it was published and modified: the JSON-LD dates, the
meta tags, a site's date selector, the dateline below the headline, the page text.

Every parser reads dates this way (crawler/parsing/base.py); a future date is never
taken (it falls through to the next source).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from parsel import Selector

from crawler.parsing import blocks
from crawler.text.dates import (
    date_from_page,
    find_date,
    first_valid_date,
    not_in_future,
    parse_date,
)

# Meta tags that carry dates, in order of trust after JSON-LD.
_PUBLISHED_META = (
    'meta[property="article:published_time"]',
    'meta[property="article:published_date"]',
    'meta[itemprop="datePublished"]',
)
_MODIFIED_META = (
    'meta[property="article:modified_time"]',
    'meta[property="article:modified_date"]',
)


def _first_date(
    selector: Selector, jsonld_value: Any, meta_css: tuple[str, ...]
) -> datetime | None:
    """The JSON-LD date if it parses, else the first meta tag's date that does."""
    candidates = [jsonld_value, *(selector.css(f"{css}::attr(content)").get() for css in meta_css)]
    return next((d for d in map(parse_date, candidates) if d is not None), None)


# Text after the headline, in document order, outside scripts and links (a related
# story's date is a link's text); a line longer than MAX_DATELINE_CHARS is running text.
_AFTER_HEADLINE = (
    "(//h1)[1]/following::text()[normalize-space()]"
    "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::a)]"
)
MAX_DATELINE_CHARS = 200
_MAX_LINES_BELOW_HEADLINE = 60
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def dateline_below_headline(selector: Selector) -> datetime | None:
    """The first written-out date (with its year) in the short lines between the page's
    <h1> and the story's first paragraph: where a byline or dateline stands on any site.
    A date elsewhere (the masthead's clock, which is the capture day, or a related
    story's) is not the article's; relative stamps ('4 दिन पहले') depend on when the page
    was read and are left to the page-wide search."""
    for line in selector.xpath(_AFTER_HEADLINE).getall()[:_MAX_LINES_BELOW_HEADLINE]:
        line = blocks.collapse(line)
        if len(line) > MAX_DATELINE_CHARS:
            return None  # the story has begun without a dateline
        if _YEAR.search(line):
            found = not_in_future(find_date(line))
            if found is not None:
                return found
    return None


def published_with_path(
    selector: Selector, article: dict[str, Any], page: str, url: str, date_selector: str = ""
) -> tuple[datetime | None, str]:
    """(date, path): JSON-LD, meta tags, the site's ``date_selector``, the dateline below
    the headline, the page text."""
    found = first_valid_date([article.get("datePublished")])
    if found is not None:
        return found, "jsonld"
    # A future JSON-LD date falls through to meta.
    found = first_valid_date(
        [selector.css(f"{css}::attr(content)").get() for css in _PUBLISHED_META]
    )
    if found is not None:
        return found, "meta"
    if date_selector:
        text = selector.css(date_selector).xpath("string()").get() or ""
        found = not_in_future(find_date(blocks.collapse(text)))
        if found is not None:
            return found, "selector"
    found = dateline_below_headline(selector)
    if found is not None:
        return found, "page_text"
    if page:
        found = date_from_page(page, url)  # htmldate and datelines in the page text
        if found is not None:
            return found, "page_text"
    return None, "none"


def modified_at(selector: Selector, article: dict[str, Any]) -> datetime | None:
    """The JSON-LD dateModified, else the meta tags' modification date."""
    return _first_date(selector, article.get("dateModified"), _MODIFIED_META)
