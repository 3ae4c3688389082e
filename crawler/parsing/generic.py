"""The parser for sites without one of their own: JSON-LD and meta tags for the
fields (as every parser reads them, crawler/parsing/base.py), and for the body the
main-text finder that knows no site (crawler/parsing/maintext.py).
"""

from __future__ import annotations

from typing import ClassVar

from parsel import Selector

from crawler.parsing.base import ArticleParser, generic_paragraphs
from crawler.parsing.jsonld import JsonLd


class GenericParser(ArticleParser):
    name: ClassVar[str] = "generic"
    version: ClassVar[str] = "3"
    BODY_PATH: ClassVar[str] = "generic"
    BODY_SELECTOR: ClassVar[str] = ""
    IMAGE_SELECTOR: ClassVar[str] = "article img, [itemprop='articleBody'] img"

    def body_paragraphs(self, selector: Selector, page: str, url: str) -> list[str]:
        article = JsonLd.from_selector(selector).article
        return generic_paragraphs(selector, page, url, article, reader=self)
