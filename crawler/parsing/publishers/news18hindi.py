"""News18 Hindi (hindi.news18.com)."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class News18HindiParser(ArticleParser):
    name = "news18hindi"
    version = "2024"
    BODY_SELECTOR = "div#article_body"
    # Story paragraphs are numbered p.story_para_N (bold-only ones are subheadings);
    # ad boxes, tag list and byline around them are not. 'ये भी पढ़ें-' story
    # paragraphs go in cleaning.
    PARAGRAPH_SELECTOR = "p[class*='story_para_']"
    EXCLUDE_SELECTORS = (".ad-container", ".tags_wrap")
    IMAGE_SELECTOR = "div.artcl_contents_img figure img, div#article_body figure img"
    TITLE_SELECTOR = "h1.article_heading"
    AUTHOR_SELECTOR = ".artclbyeline-agency a"
    TAG_SELECTOR = ".tags_wrap li a"


SITE = Site(
    name="news18hindi",
    title="News18 Hindi",
    domains=("hindi.news18.com",),
    parsers=(News18HindiParser,),
    sitemaps=("https://hindi.news18.com/robots.txt",),
    feeds=("https://hindi.news18.com/commonfeeds/v1/hin/rss/latest.xml",),
    listings=("https://hindi.news18.com/news/entertainment/",),
    # /news/<section>/.../<slug>-<7-8 digits>.html; photo galleries and videos excluded.
    article_url=r"^https?://hindi\.news18\.com/news/(?!photogallery/|videos?/)[\w/-]+-\d{7,8}\.html$",
)
