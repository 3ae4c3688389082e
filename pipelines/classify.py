"""First version of the category: the site's own section, mapped through the
site registry to one of the 11 categories. Articles whose section maps to none
keep an empty category (counted), for the topic model to fill later."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.sites import section_category, site_for_url


class ClassifyPipeline:
    def __init__(self, crawler: Crawler | None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        site = site_for_url(adapter["url"])
        overrides = site.sections if site else {}
        category = section_category(adapter.get("section") or "", adapter["url"], overrides)
        adapter["category"] = category
        adapter["category_source"] = "section" if category else ""
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"pipelines/classify/{category or 'unknown'}")
        return item
