"""Dainik Bhaskar (www.bhaskar.com). Class names are hashed by its build, so
the selectors hold to tags: every <p> in the <article> is story text, and the
story's photos are the <picture> elements."""

from crawler.parsing.base import ArticleParser


class BhaskarParser(ArticleParser):
    name = "bhaskar"
    version = "2024"
    BODY_SELECTOR = "article"
    PARAGRAPH_SELECTOR = "p"
    IMAGE_SELECTOR = "article picture img"
