"""What an article page calls its story: the visible headline when the page's metadata
agree with it, else the JSON-LD headline, og:title or <title>, never with the site's
name glued on. Every parser reads the title this way (crawler/parsing/base.py), with
its own title selector.
"""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector

from crawler.parsing import blocks
from crawler.parsing.blocks import clean_value
from crawler.parsing.bylines import squash
from crawler.parsing.jsonld import ORGANIZATION_TYPES, JsonLd, types_of
from crawler.parsing.judge import (
    ELLIPSIS,
    MIN_DEVANAGARI_SHARE,
    TITLE_PARTS,
    devanagari_share,
    fold_text,
    heading_agrees,
    heading_text,
    strip_title_tag,
)


def title_with_path(
    selector: Selector,
    article: dict[str, Any],
    publishers: set[str],
    hindi: bool,
    title_selector: str,
) -> tuple[str, str]:
    """(headline, path): the visible headline (``title_selector``, else the <h1>) when it
    agrees with the page's metadata, else the JSON-LD headline (the full og:title or <h1>
    when it is cut short or a prefix of one), else og:title, else <title> without site
    name and SEO tail."""
    headline = without_site_name(clean_value(article.get("headline")), publishers)
    og = clean_value(selector.css('meta[property="og:title"]::attr(content)').get()) or clean_value(
        selector.css('meta[name="twitter:title"]::attr(content)').get()
    )
    page_title = clean_value(selector.css("title::text").get())
    references = [r for r in (headline, og, page_title) if r]
    shown: list[tuple[str, str]] = []
    if title_selector:
        path = "h1" if title_selector == "h1" else "selector"
        shown += [(heading_text(n), path) for n in selector.css(title_selector)[:1]]
    if title_selector != "h1":
        shown += [(heading_text(n), "h1") for n in selector.css("h1")[:1]]
    # On a Hindi page, a <title> or og:title in Latin script (an English SEO title, a
    # URL slug) neither confirms nor contradicts a Devanagari headline shown.
    hindi_references = [r for r in references if devanagari_share(r) >= MIN_DEVANAGARI_SHARE]
    for text, path in shown:
        if hindi and devanagari_share(text) >= MIN_DEVANAGARI_SHARE:
            agrees = heading_agrees(text, hindi_references)
        else:
            agrees = heading_agrees(text, references)
        if text and len(text) <= 400 and agrees:
            # The headline with a kicker the page shows above its <h1> ("IND vs SA: ").
            kicker = fold_text(headline)[: -len(fold_text(text))] if headline else ""
            if fold_text(headline).endswith(fold_text(text)) and re.search(r"\S\s*:\s*$", kicker):
                return headline, "jsonld"
            return text, path
    if headline:
        cut = ELLIPSIS.sub("", headline)
        for text, path in [*shown, (og, "meta")]:
            # A headline cut short ('…') or a prefix of the full one.
            if text and len(text) > len(cut) and fold_text(text).startswith(fold_text(cut)):
                return without_site_name(text, publishers), path
        return headline, "jsonld"
    if og:
        return without_site_name(og, publishers), "meta"
    if page_title:
        return strip_title_tag(page_title, publishers, hindi), "title_tag"
    return "", "none"


def without_site_name(title: str, publishers: set[str]) -> str:
    """ "<Site> - <Headline>" or "<Headline> | <Site>" without the site's name."""
    parts = TITLE_PARTS.split(title)
    if len(parts) > 1:
        if squash(parts[-1]) in publishers:
            return blocks.collapse(title[: title.rindex(parts[-1])]).rstrip(" -–—|:")
        if squash(parts[0]) in publishers:
            return blocks.collapse(title[len(parts[0]) :]).lstrip(" -–—|:")
    for name in publishers:  # "बिजनेस स्टैंडर्ड <headline>": the paper's name glued on
        words = title.split()
        for n in range(1, min(4, len(words))):
            if squash(" ".join(words[:n])) == name and len(words) - n >= 3:
                return " ".join(words[n:])
    return title


def publisher_names(selector: Selector, ld: JsonLd, article: dict[str, Any]) -> set[str]:
    """The site's and publisher's names (squashed): never an author, never a title."""
    names: list[Any] = [
        selector.css('meta[property="og:site_name"]::attr(content)').get(),
        selector.css('meta[name="application-name"]::attr(content)').get(),
        (selector.css('meta[name="twitter:site"]::attr(content)').get() or "").lstrip("@"),
    ]
    publisher = article.get("publisher")
    for entry in publisher if isinstance(publisher, list) else [publisher]:
        if isinstance(entry, dict):
            names += [entry.get("name"), entry.get("alternateName")]
    for obj in ld.objects:
        if types_of(obj) & ORGANIZATION_TYPES:
            names += [obj.get("name"), obj.get("alternateName")]
    found = {squash(n) for n in names if isinstance(n, str)}
    return {n for n in found if len(n) >= 3}
