"""inKhabar (www.inkhabar.com), the India News group's Hindi site."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class InKhabarParser(ArticleParser):
    name = "inkhabar"
    version = "2020"
    BODY_SELECTOR = "div.article-body"
    PARAGRAPH_SELECTOR = "p, h2, h3"
    # The ad box has its own <p class="ad-label">विज्ञापन</p>; the
    # 'ये भी पढ़ें' box lists other stories' headlines.
    EXCLUDE_SELECTORS = (".ad-container", ".also-read-box")
    IMAGE_SELECTOR = "#featuredimage img, div.article-body figure img"
    TITLE_SELECTOR = "div.story-title h1"
    AUTHOR_SELECTOR = "ul.story-update-details li.author-name a"
    TAG_SELECTOR = ".story-tags a"


SITE = Site(
    name="inkhabar",
    title="inKhabar",
    domains=("www.inkhabar.com", "inkhabar.com"),
    parsers=(InKhabarParser,),
    sitemaps=("https://www.inkhabar.com/robots.txt",),
    feeds=("https://www.inkhabar.com/feed/",),
    listings=("https://www.inkhabar.com/entertainment/",),
    # /<section>/[<sub>/]<slug>-<numeric id>/
    article_url=(
        r"inkhabar\.com/(?!videos?/|photos?/|web-stories/)"
        r"(?:[a-z0-9-]+/)+[a-z0-9-]+-\d{5,}/?$"
    ),
    # inKhabar's health desk is 'हेल्थ', which the shared map does not know.
    sections={"हेल्थ": "health"},
)
