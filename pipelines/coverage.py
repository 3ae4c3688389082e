"""Count which fields the stored articles have, for the field-coverage monitor.

Placed just before the store step, it sees every article that is about to be
stored and counts it under ``pipelines/coverage/items`` and each non-empty field
of COVERAGE_FIELDS under ``pipelines/coverage/fields/<field>``. A run summary
turns the counts into shares (:func:`crawler.ops.runs.coverage`).
"""

from __future__ import annotations

from collections.abc import Sequence

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

STATS_PREFIX = "pipelines/coverage/"


class CoveragePipeline:
    def __init__(self, crawler: Crawler, fields: Sequence[str]) -> None:
        self.crawler = crawler
        self.fields = tuple(fields)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CoveragePipeline:
        fields = crawler.settings.getlist("COVERAGE_FIELDS")
        if not fields:
            raise NotConfigured("COVERAGE_FIELDS is empty")
        return cls(crawler, fields)

    def open_spider(self) -> None:
        # Present from the start, so a run that stores nothing still says "0 of 0".
        self.crawler.stats.set_value(STATS_PREFIX + "items", 0)
        for name in self.fields:
            self.crawler.stats.set_value(f"{STATS_PREFIX}fields/{name}", 0)

    def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        stats.inc_value(STATS_PREFIX + "items")
        for name in self.fields:
            value = adapter.get(name)
            # Whitespace-only text is as good as missing.
            if value.strip() if isinstance(value, str) else value:
                stats.inc_value(f"{STATS_PREFIX}fields/{name}")
        return item
