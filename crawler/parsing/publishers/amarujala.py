"""Amar Ujala (www.amarujala.com)."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class AmarUjalaParser(ArticleParser):
    name = "amarujala"
    version = "2020"
    # Paragraphs are bare text runs between ad blocks; the hidden
    # .auw_speak_body repeats the text for text-to-speech and is left out.
    BODY_SELECTOR = "section.article-detail div.article-desc"
    EXCLUDE_SELECTORS = (
        ".ad-dt",
        "[class*='ad-mb']",
        ".vigyapan",
        "[id^='div-gpt-ad']",
        ".auw_speak_body",
        ".texttospeech",
    )
    IMAGE_SELECTOR = (
        "section.article-detail div.image img, section.article-detail div.article-desc img"
    )
    AUTHOR_SELECTOR = "section.article-detail .authdesc a span:last-child"
    TAG_SELECTOR = ".tags a"


SITE = Site(
    name="amarujala",
    title="Amar Ujala",
    domains=("www.amarujala.com", "amarujala.com"),
    parsers=(AmarUjalaParser,),
    sitemaps=("https://www.amarujala.com/robots.txt",),
    feeds=("https://www.amarujala.com/rss/breaking-news.xml",),
    listings=("https://www.amarujala.com/india-news",),
    # Links on listing pages: /<section>/[<sub>/]<slug>-<code><8+ digits> (2020) or
    # /<section>/<slug>-<YYYY-MM-DD> (2025, e.g. ...-interesting-facts-2025-09-23).
    article_url=r"amarujala\.com/.+/[^/]+-(?:[a-z]*\d{8,}|\d{4}-\d{2}-\d{2})$",
)
