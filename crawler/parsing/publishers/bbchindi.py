"""BBC News Hindi (www.bbc.com/hindi).

www.bbc.com is shared with English BBC News and the other World Service
languages, whose sitemaps its robots.txt lists too: discovery starts at the
Hindi sitemap index and the Hindi home-page feed, and only /hindi/ article URLs
are taken.
"""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import NON_ARTICLE_PATH, Site

# The closing app/social promo every BBC Hindi story carries as a plain
# paragraph: "(बीबीसी हिन्दी के एंड्रॉएड ऐप के लिए आप यहां क्लिक कर सकते हैं. आप हमें
# फ़ेसबुक, ... पर फ़ॉलो भी कर सकते हैं.)". No class marks it.
_APP_PROMO = re.compile(r"^\(?\s*बीबीसी\s+हि(?:न्दी|ंदी)\s+के\s+एंड्रॉ(?:एड|यड)\s+ऐप")
# Simorgh prefixes figcaptions with a visually hidden "इमेज कैप्शन, " label.
_CAPTION_LABEL = re.compile(r"^\s*इमेज\s+कैप्शन\s*,\s*")


class BbcHindiParser(ArticleParser):
    name = "bbchindi"
    version = "2024"
    BODY_SELECTOR = 'main[role="main"]'
    # Headline, byline block, timestamp, 'ये भी पढ़ें' links block, ad slot
    # ('विज्ञापन') and the podcast promo all sit inside <main>.
    EXCLUDE_SELECTORS = (
        "h1",
        'section[aria-labelledby="article-byline"]',
        "time",
        '[data-e2e="article-links-block"]',
        '[data-e2e="advertisement"]',
        'section[aria-labelledby="podcast-promo"]',
    )
    IMAGE_SELECTOR = 'main[role="main"] figure img'
    TITLE_SELECTOR = 'main[role="main"] h1'
    # Live pages carry no JSON-LD keywords: the related-topics list is the fallback.
    TAG_SELECTOR = 'aside[aria-labelledby="related-topics"] li a'

    def body_paragraphs(self, selector: Selector, page: str, url: str) -> list[str]:
        return [p for p in super().body_paragraphs(selector, page, url) if not _APP_PROMO.match(p)]

    def images(self, selector: Selector, article: dict[str, Any], url: str) -> list[dict[str, str]]:
        found = super().images(selector, article, url)
        for image in found:
            image["caption"] = _CAPTION_LABEL.sub("", image["caption"])
        return found


SITE = Site(
    # robots.txt: "No scraping, crawling, or systematic extraction of content" and
    # "No creating datasets from BBC content". Crawl it only with the BBC's permission.
    opt_in=True,
    name="bbchindi",
    title="BBC News Hindi",
    domains=("www.bbc.com",),
    parsers=(BbcHindiParser,),
    sitemaps=("https://www.bbc.com/hindi/sitemap.xml",),
    feeds=("https://www.bbc.com/hindi/rss.xml",),
    listings=("https://www.bbc.com/hindi/international",),
    # Optimo articles /hindi/articles/c<10>o and older CPS stories
    # /hindi/<news section>-<8 digits> (not /hindi/institutional-<id> help pages).
    article_url=(
        r"^https?://www\.bbc\.com/hindi/(?:articles/c[a-zA-Z0-9]{10}o"
        r"|(?:india|international|entertainment|sport|science|social|magazine|vert-[a-z]+)-\d{8})$"
    ),
    # www.bbc.com is every BBC service: sitemaps and feeds may only lead to Hindi
    # pages, and help pages (/hindi/institutional-<id>) and media pages are not stories.
    non_article_url=NON_ARTICLE_PATH + r"|^/(?!hindi/)|^/hindi/(?:institutional|media)-",
    sections={"भारत": "national", "विज्ञान-टेक्नॉलॉजी": "technology"},
)
