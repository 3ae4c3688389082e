"""Business Standard Hindi (hindi.business-standard.com), the Hindi edition only.

Two markups: the table layout of the old PHP site (`//storypage.php?autono=NNN`,
as in the 2020 captures) and the current one (`/<section>/<slug>-id-NNNNNN`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site

# The 2020 template's JSON-LD image when a story has no picture.
_PLACEHOLDER_IMAGES = frozenset({"nopreview.png"})


class BusinessStandardHindiParser2020(ArticleParser):
    """The old table layout: the story is the <td width=600> that also holds the
    headline table (h1, byline/dateline) and bare <div>s or <p>s of text."""

    name = "businessstandardhindi"
    version = "2020"
    BODY_SELECTOR = 'td[colspan="2"][width="600"]'
    # The headline/byline table and the AddThis share toolbar sit in the same cell.
    EXCLUDE_SELECTORS = ("table", ".addthis_inline_share_toolbox")
    TAG_SELECTOR = "a.ctxtRelated"
    # The JSON-LD headline carries the paper's name in front ("बिजनेस स्टैंडर्ड
    # <headline>"); the visible h1 (tried first) carries the headline alone.

    def images(self, selector: Selector, article: dict[str, Any], url: str) -> list[dict[str, str]]:
        # A story without a picture names a "no preview" placeholder in JSON-LD.
        return [
            image
            for image in super().images(selector, article, url)
            if urlsplit(image["url"]).path.rsplit("/", 1)[-1] not in _PLACEHOLDER_IMAGES
        ]

    def language(self, selector: Selector, article: dict[str, Any]) -> str:
        # The old pages declare no language (their Content-Language meta is
        # commented out); everything on this host is Hindi.
        return super().language(selector, article) or "hi"


class BusinessStandardHindiParser2024(ArticleParser):
    name = "businessstandardhindi"
    version = "2024"
    BODY_SELECTOR = "article.article-detail div.article-content"
    PARAGRAPH_SELECTOR = "p, h2, h3"
    # Ad slots ('विज्ञापन') and the 'यह भी पढ़ें' link box inside the story.
    EXCLUDE_SELECTORS = (".ad-wrapper", ".also-read")
    IMAGE_SELECTOR = "article.article-detail figure img"
    TITLE_SELECTOR = "article.article-detail h1"
    AUTHOR_SELECTOR = ".article-meta .author-name a"
    TAG_SELECTOR = ".article-tags a"


SITE = Site(
    name="businessstandardhindi",
    title="Business Standard Hindi",
    # Only the Hindi host: www.business-standard.com is the English paper.
    domains=("hindi.business-standard.com",),
    parsers=(BusinessStandardHindiParser2020, BusinessStandardHindiParser2024),
    sitemaps=("https://hindi.business-standard.com/robots.txt",),
    feeds=("https://hindi.business-standard.com/rss/latest.rss",),
    listings=("https://hindi.business-standard.com/latest-news",),
    article_url=(
        r"^https?://hindi\.business-standard\.com/(?:"
        r"/?storypage\.php\?autono=\d+"  # the old site (canonical links keep the double slash)
        r"|(?!video/|photo/|web-stories/)(?:[a-z0-9-]+/)+[a-z0-9-]+-id-\d+"  # current site
        r")$"
    ),
    sections={
        "अर्थव्यवस्था": "business",
        "कंपनियां": "business",
        "Companies": "business",
    },
)
