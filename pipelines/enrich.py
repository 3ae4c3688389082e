"""Places, parties and people named in each article (crawler/ml/entities.py, over the
title, description and body): ``regions`` (states and union territories, canonical
English names), ``places`` (every place named, states included), ``parties`` and
``people``, each in order of first mention. Articles with at least one of each kind
are counted under pipelines/enrich/with/<field>."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.ml.entities import DATA_DIR, EntityMatcher, default_matcher

FIELDS = ("regions", "places", "parties", "people")


class EnrichPipeline:
    def __init__(self, crawler: Crawler | None, matcher: EntityMatcher) -> None:
        self.crawler = crawler
        self.matcher = matcher

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnrichPipeline:
        settings = crawler.settings
        if not settings.getbool("ENRICH_ENABLED"):
            raise NotConfigured("ENRICH_ENABLED is off")
        data_dir = settings.get("ENRICH_DATA_DIR") or str(DATA_DIR)
        # The project's own data files are shared by every crawler in the process.
        same = data_dir == str(DATA_DIR)
        return cls(crawler, default_matcher() if same else EntityMatcher.from_files(data_dir))

    def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        text = "\n".join(adapter.get(name) or "" for name in ("title", "description", "body"))
        entities = self.matcher.find(text)
        for name in FIELDS:
            adapter[name] = getattr(entities, name)
            if self.crawler is not None and adapter[name]:
                self.crawler.stats.inc_value(f"pipelines/enrich/with/{name}")
        return item
