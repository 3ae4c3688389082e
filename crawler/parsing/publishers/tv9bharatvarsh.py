"""TV9 Bharatvarsh (www.tv9hindi.com)."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class Tv9BharatvarshParser(ArticleParser):
    name = "tv9bharatvarsh"
    version = "2021"
    BODY_SELECTOR = "div.LeftCont.content div.ArticleBodyCont"
    # No PARAGRAPH_SELECTOR: the body is walked block by block, so that a
    # paragraph emptied by an excluded span drops out whole. TV9's inline
    # 'ये भी पढ़ें- <headline>' links are paragraphs wrapped in a blue
    # <span style="color: #0000ff;">; the ad box carries a 'विज्ञापन' label.
    EXCLUDE_SELECTORS = ('span[style*="0000ff"]', ".adBox")
    # Lead picture (figure.articleImg) and inline pictures; both are lazy (data-src).
    IMAGE_SELECTOR = "div.ArticleBodyCont figure img"
    TITLE_SELECTOR = "div.LeftCont h1"
    AUTHOR_SELECTOR = "ul.AuthorInfo li.authorName a"
    TAG_SELECTOR = ".tagsList a"


SITE = Site(
    name="tv9bharatvarsh",
    title="TV9 Bharatvarsh",
    domains=("www.tv9hindi.com", "tv9hindi.com"),
    parsers=(Tv9BharatvarshParser,),
    sitemaps=("https://www.tv9hindi.com/robots.txt",),
    feeds=("https://www.tv9hindi.com/feed",),
    listings=("https://www.tv9hindi.com/latest-news",),
    # /<section>/[<sub>/]<slug>-<numeric id>.html
    article_url=(
        r"tv9hindi\.com/(?!videos/|photo-gallery/|web-stories/|amp/)"
        r"(?:[a-z0-9-]+/)+[a-z0-9-]+-\d{6,}\.html$"
    ),
)
