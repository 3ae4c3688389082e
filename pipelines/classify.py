"""The category of each article: the site's section where it maps to one of the
11 categories (crawler/parsing/registry.py), otherwise the topic model (crawler/ml/topics.py) on
the title, description and start of the body; "other" when the model is less sure
than CLASSIFY_MIN_CONFIDENCE.

A generic section (a state, city or desk page: crawler/categories.py
GENERIC_SECTION_CATEGORIES, all mapped to "national") says where a story happened,
not what it is about: there, a model at least CLASSIFY_OVER_SECTION_CONFIDENCE sure
of a specific category (crime, business, sports, ...) wins, with source
"model_over_section". A fraud story on a city page is then crime, not national.

Fields: ``category``, ``category_source`` ("section", "model" or "model_over_section"),
``category_confidence`` (1.0 for a section, the model's probability otherwise) and
``category_top``, the model's three most likely categories ({"label",
"confidence"}) whenever a model is loaded, so a section's category can be checked
against the text. Counted under pipelines/classify/source/<source> and
pipelines/classify/category/<category>.
"""

from __future__ import annotations

import logging
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.categories import GENERIC_SECTION_CATEGORIES, section_category
from crawler.ml.topics import TopicClassifier, document_text
from crawler.parsing.registry import site_for_url

logger = logging.getLogger(__name__)

OTHER = "other"
# Classes no more specific than a state or city page: a story there is not "world news".
NOT_SPECIFIC = frozenset({"international"})


class ClassifyPipeline:
    def __init__(
        self,
        crawler: Crawler | None,
        classifier: TopicClassifier | None = None,
        min_confidence: float = 0.0,
        over_section_confidence: float = 1.01,
    ) -> None:
        """Without a classifier only sections decide (as `extract` runs it); above 1,
        ``over_section_confidence`` lets no model override a section."""
        self.crawler = crawler
        self.classifier = classifier
        self.min_confidence = min_confidence
        self.over_section_confidence = over_section_confidence

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        settings = crawler.settings
        if not settings.getbool("CLASSIFY_ENABLED"):
            raise NotConfigured("CLASSIFY_ENABLED is off")
        path = settings.get("CLASSIFY_MODEL_PATH")
        classifier = None
        if path:  # loaded once per crawl; a missing file stops the crawl at its start
            classifier = TopicClassifier.load(Path(path))
            logger.info("topic model %s loaded from %s", classifier.model.meta.get("version"), path)
        return cls(
            crawler,
            classifier=classifier,
            min_confidence=settings.getfloat("CLASSIFY_MIN_CONFIDENCE"),
            over_section_confidence=settings.getfloat("CLASSIFY_OVER_SECTION_CONFIDENCE"),
        )

    def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        url = adapter["url"]
        site = site_for_url(url)
        overrides = site.sections if site else {}
        category = section_category(adapter.get("section") or "", url, overrides)
        source, confidence, top = ("section", 1.0, []) if category else ("", None, [])
        if self.classifier is not None:
            title = adapter.get("title") or ""
            description = adapter.get("description") or ""
            body = adapter.get("body") or ""
            prediction = self.classifier.predict(
                document_text(title, description, body, self.classifier.model.body_chars),
                context="\n".join((title, description, body)),
            )
            top = prediction.top_dicts(3)
            if not category:
                source, confidence = "model", round(prediction.confidence, 4)
                sure = prediction.confidence >= self.min_confidence
                category = prediction.label if sure else OTHER
            elif self._overrides(category, prediction.label, prediction.confidence):
                source, confidence = "model_over_section", round(prediction.confidence, 4)
                category = prediction.label
        adapter["category"] = category
        adapter["category_source"] = source
        adapter["category_confidence"] = confidence
        adapter["category_top"] = top
        if self.crawler is not None:
            stats = self.crawler.stats
            stats.inc_value(f"pipelines/classify/source/{source or 'none'}")
            stats.inc_value(f"pipelines/classify/category/{category or 'none'}")
        return item

    def _overrides(self, section_category: str, label: str, confidence: float) -> bool:
        """Whether the model's class beats a generic section's category."""
        return (
            section_category in GENERIC_SECTION_CATEGORIES
            and label not in GENERIC_SECTION_CATEGORIES
            and label not in NOT_SPECIFIC
            and confidence >= self.over_section_confidence
        )
