"""Zee News Hindi (zeenews.india.com/hindi).

The host is shared with English Zee News and the other Zee language desks
(/marathi, /bengali, ...): discovery starts at the Hindi sitemap index, and
only /hindi/ article URLs are taken.
"""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import NON_ARTICLE_PATH, Site


class ZeeNewsParser(ArticleParser):
    name = "zeenews"
    version = "2024"
    BODY_SELECTOR = "article.article-section div.article_content"
    # In-body furniture: ad boxes with their 'विज्ञापन' label and the
    # 'Trending Photos' strip; inline 'ये भी पढ़ें:' links are left to cleaning.
    EXCLUDE_SELECTORS = (".ads-box", ".trending-widget", ".sharebar", ".article-tags")
    IMAGE_SELECTOR = (
        "article.article-section div.article_image figure img, "
        "article.article-section div.article_content figure img"
    )
    TITLE_SELECTOR = "h1.article-heading"
    AUTHOR_SELECTOR = ".aaticleauthor_name a"
    TAG_SELECTOR = ".article-tags li a"


SITE = Site(
    name="zeenews",
    title="Zee News Hindi",
    domains=("zeenews.india.com",),
    parsers=(ZeeNewsParser,),
    # robots.txt lists the sitemaps of every Zee desk; the Hindi index and the Hindi
    # news sitemap (named in the real robots.txt) are enough.
    sitemaps=(
        "https://zeenews.india.com/hindi/sitemap.xml",
        "https://zeenews.india.com/hindi/sitemaps/news-sitemap.xml",
    ),
    feeds=("https://zeenews.india.com/hindi/rss/india-national-news.xml",),
    listings=("https://zeenews.india.com/hindi/health",),
    # /hindi/<section>/.../<slug>/<7-digit id>; photo galleries and videos excluded.
    article_url=r"zeenews\.india\.com/hindi/(?!photos/|video/|videos/)(?:[\w-]+/)+\d{6,8}$",
    # The host carries every Zee desk; sitemaps and feeds may only lead to Hindi pages.
    non_article_url=NON_ARTICLE_PATH + r"|^/(?!hindi/)",
    sections={"हेल्थ": "health"},
)
