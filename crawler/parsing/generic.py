"""The fallback for sites without a parser of their own: JSON-LD and meta tags
for the fields, trafilatura for the main text.

trafilatura is the best-kept open main-text extractor and handles Devanagari
pages well; it is only used where no site selectors exist.
"""

from __future__ import annotations

from typing import ClassVar

import trafilatura
from parsel import Selector

from crawler.parsing.base import ArticleParser


class GenericParser(ArticleParser):
    name: ClassVar[str] = "generic"
    BODY_SELECTOR: ClassVar[str] = ""
    IMAGE_SELECTOR: ClassVar[str] = "article img, [itemprop='articleBody'] img"

    def body_paragraphs(self, selector: Selector, page: str, url: str) -> list[str]:
        text = trafilatura.extract(
            page,
            url=url,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
            deduplicate=False,
        )
        return [line.strip() for line in (text or "").split("\n") if line.strip()]
