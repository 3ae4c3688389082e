"""Aaj Tak (www.aajtak.in), the India Today group's Hindi news site."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class AajTakParser(ArticleParser):
    name = "aajtak"
    version = "2024"
    # The text is the <p>/<h2> run inside .text-formatted; the rest of
    # .story-with-main-sec (WhatsApp box, tags, app promo) is furniture.
    BODY_SELECTOR = "div.story-with-main-sec div.text-formatted"
    # In-text ad slots ('विज्ञापन') and the 'ये भी पढ़ें' link box.
    EXCLUDE_SELECTORS = ("[class*='ads-box']", ".adv-text", ".also-read-sec")
    IMAGE_SELECTOR = "div.main-img img, div.story-with-main-sec div.text-formatted img"
    TITLE_SELECTOR = "div.story-heading h1"
    AUTHOR_SELECTOR = "div.profile-byline a"
    TAG_SELECTOR = "div.story-tags-sec a"


SITE = Site(
    name="aajtak",
    title="Aaj Tak",
    domains=("www.aajtak.in", "aajtak.in"),
    parsers=(AajTakParser,),
    sitemaps=("https://www.aajtak.in/robots.txt",),
    feeds=("https://www.aajtak.in/rssfeeds/?id=home",),
    listings=("https://www.aajtak.in/india/politics",),
    # Stories: /<section>/[<sub>/]story/<slug>-<desk code>-<7 digits>-<YYYY-MM-DD>;
    # videos and photo galleries use /video/ and /photo/ in place of /story/.
    article_url=r"aajtak\.in/.+/story/[^/]+-\d{6,}-\d{4}-\d{2}-\d{2}$",
)
