"""Unicode NFC, whitespace and entities in every text field; page furniture
(bylines, 'ये भी पढ़ें' blocks, Recent Posts lists, share and ad labels) out of
the body. What was removed is counted under pipelines/clean/removed/<reason>."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.hindi import clean_body, clean_line


class CleanPipeline:
    LINE_FIELDS = ("title", "description", "section")
    LIST_FIELDS = ("authors", "tags")

    def __init__(self, crawler: Crawler | None, form: str) -> None:
        self.crawler = crawler
        self.form = form

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler, form=crawler.settings.get("CLEAN_UNICODE_FORM"))

    def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        for name in self.LINE_FIELDS:
            adapter[name] = clean_line(adapter.get(name) or "", self.form)
        for name in self.LIST_FIELDS:
            cleaned = [clean_line(v, self.form) for v in adapter.get(name) or []]
            adapter[name] = list(dict.fromkeys(v for v in cleaned if v))
        adapter["images"] = [
            {"url": image["url"], "caption": clean_line(image.get("caption", ""), self.form)}
            for image in adapter.get("images") or []
        ]
        body, removed = clean_body(adapter.get("body") or "", adapter.get("title") or "", self.form)
        adapter["body"] = body
        if self.crawler is not None:
            for reason in removed:
                self.crawler.stats.inc_value(f"pipelines/clean/removed/{reason}")
        return item
