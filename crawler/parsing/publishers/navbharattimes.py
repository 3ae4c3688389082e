"""Navbharat Times (navbharattimes.indiatimes.com), the Times group's Hindi site."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class NavbharatTimesParser(ArticleParser):
    name = "navbharattimes"
    version = "2024"
    # The story text is bare runs separated by <br/><br/> (subheadings are a bold
    # run of their own), so the container's blocks are walked, not <p>s. The
    # 'हाइलाइट्स' bullets and the byline sit above the container.
    BODY_SELECTOR = "div.story-article div.story-content"
    # Embedded 'ये भी पढ़ें' story cards and in-text ad slots.
    EXCLUDE_SELECTORS = (".embedarticle", ".inline-ad", "[id^='div-gpt-ad']")
    IMAGE_SELECTOR = (
        "div.story-article figure.lead-img img, div.story-article div.story-content img"
    )
    TITLE_SELECTOR = "div.story-article h1"
    AUTHOR_SELECTOR = "div.story-article .news_card_source .author a"
    TAG_SELECTOR = "div.story-article .story-tags a"


SITE = Site(
    name="navbharattimes",
    title="Navbharat Times",
    # Only the Hindi host: the rest of indiatimes.com is other sites.
    domains=("navbharattimes.indiatimes.com",),
    parsers=(NavbharatTimesParser,),
    sitemaps=("https://navbharattimes.indiatimes.com/robots.txt",),
    feeds=("https://navbharattimes.indiatimes.com/rssfeedsdefault.cms",),
    listings=("https://navbharattimes.indiatimes.com/world/articlelist/2279801.cms",),
    # /<section>/[<sub>/]<slug>/articleshow/<msid>.cms; video and photo pages
    # use videoshow/photoshow instead of articleshow.
    article_url=r"navbharattimes\.indiatimes\.com/.+/articleshow/\d{6,}\.cms$",
)
