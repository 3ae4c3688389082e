"""Dainik Bhaskar (www.bhaskar.com). Class names are hashed by its build, so
the selectors hold to tags: every <p> in the <article> is story text, and the
story's photos are the <picture> elements."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class BhaskarParser(ArticleParser):
    name = "bhaskar"
    version = "2024"
    BODY_SELECTOR = "article"
    PARAGRAPH_SELECTOR = "p"
    IMAGE_SELECTOR = "article picture img"


SITE = Site(
    name="bhaskar",
    title="Dainik Bhaskar",
    domains=("www.bhaskar.com", "bhaskar.com"),
    parsers=(BhaskarParser,),
    sitemaps=("https://www.bhaskar.com/robots.txt",),
    feeds=("https://www.bhaskar.com/rss-v1--category-1061.xml",),
    listings=("https://www.bhaskar.com/national/",),
    # Video pages (/videos/) are not articles: not even downloaded.
    article_url=r"bhaskar\.com/(?!videos/).+-\d{6,}\.html$",
    sections={"local": "national", "db-original": "national"},
)
