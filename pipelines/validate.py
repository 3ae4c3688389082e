"""Drop what is not an article: video and gallery pages, pages without the
required fields, bodies too short to be a story. Every drop is counted under
pipelines/validate/dropped/<reason>."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

logger = logging.getLogger(__name__)


class ValidatePipeline:
    # Page types the parsers recognise as not being articles. A page of unknown
    # type (no JSON-LD) still passes when it has every required field.
    NON_ARTICLE_TYPES = frozenset({"video", "gallery", "live"})

    def __init__(self, crawler: Crawler, required: list[str], min_body_chars: int) -> None:
        self.crawler = crawler
        self.required = required
        self.min_body_chars = min_body_chars

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        settings = crawler.settings
        return cls(
            crawler,
            required=settings.getlist("VALIDATE_REQUIRED_FIELDS"),
            min_body_chars=settings.getint("VALIDATE_MIN_BODY_CHARS"),
        )

    def process_item(self, item: object) -> object:
        reason = self.drop_reason(ItemAdapter(item))
        if reason:
            self.crawler.stats.inc_value(f"pipelines/validate/dropped/{reason}")
            raise DropItem(f"{reason}: {ItemAdapter(item).get('url')}")
        self.crawler.stats.inc_value("pipelines/validate/passed")
        return item

    def drop_reason(self, adapter: ItemAdapter) -> str:
        page_type = adapter.get("page_type") or "article"
        if page_type in self.NON_ARTICLE_TYPES:
            return f"not_article_{page_type}"
        for name in self.required:
            if not adapter.get(name):
                return f"missing_{name}"
        if len(adapter.get("body") or "") < self.min_body_chars:
            return "body_too_short"
        return ""
