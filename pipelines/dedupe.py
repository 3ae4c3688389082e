"""One item per canonical URL per run: an article listed in both the news
sitemap and the RSS feed under two URLs that share a canonical is kept once."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        url = ItemAdapter(item)["url"]
        if url in self.seen:
            self.crawler.stats.inc_value("pipelines/dedupe/dropped/same_url")
            raise DropItem(f"already seen in this run: {url}")
        self.seen.add(url)
        return item
