"""Identify each article's language and drop what a Hindi corpus should not hold.

Every item gets ``detected_language`` and ``language_confidence`` (py3langid over title,
description and body; see crawler/text/language.py). Articles in a language outside
LANGUAGE_ALLOWED (English pages of bilingual sites) are dropped, counted under
pipelines/language/dropped/<lang>, unless the guess is weaker than
LANGUAGE_MIN_CONFIDENCE. Hindi typed in a legacy font (Kruti Dev, Chanakya, ...) is
flagged ``legacy_font`` in ``text_flags`` and, with LANGUAGE_DROP_LEGACY_FONT, dropped
(pipelines/language/dropped/legacy_font) instead of being stored as Latin garbage.
Runs after cleaning, which repairs mojibake that would otherwise look like a legacy font.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.ops.offload import done_in_worker
from crawler.text.language import (
    LEGACY_FONT,
    LanguageIdentifier,
    detect_legacy_font,
    language_identifier,
)
from crawler.text.normalize import repair_mojibake
from crawler.text.textcheck import NOT_DEVANAGARI, text_problem
from pipelines.validate import ArticleDropped

logger = logging.getLogger(__name__)

STATS_PREFIX = "pipelines/language/"


class LanguagePipeline:
    # Reads only the item and its settings: may run in the parse worker.
    WORKER_SAFE = True

    def __init__(
        self,
        crawler: Crawler | None,
        identifier: LanguageIdentifier,
        allowed: Sequence[str],
        drop_legacy_font: bool = True,
        min_confidence: float = 0.0,
        min_devanagari_share: float = 0.0,
    ) -> None:
        self.crawler = crawler
        self.identifier = identifier
        self.allowed = frozenset(allowed)
        self.drop_legacy_font = drop_legacy_font
        self.min_confidence = min_confidence
        self.min_devanagari_share = min_devanagari_share

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LanguagePipeline:
        settings = crawler.settings
        if not settings.getbool("LANGUAGE_ENABLED"):
            raise NotConfigured("LANGUAGE_ENABLED is off")
        return cls(
            crawler,
            language_identifier(settings.getlist("LANGUAGE_CANDIDATES")),
            allowed=settings.getlist("LANGUAGE_ALLOWED"),
            drop_legacy_font=settings.getbool("LANGUAGE_DROP_LEGACY_FONT"),
            min_confidence=settings.getfloat("LANGUAGE_MIN_CONFIDENCE"),
            min_devanagari_share=settings.getfloat("LANGUAGE_MIN_DEVANAGARI_SHARE"),
        )

    def process_item(self, item: object) -> object:
        if done_in_worker(item, self):
            return item
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        # The body decides: a legacy-font page often has a Unicode title from its metadata.
        body = adapter.get("body") or ""
        font = detect_legacy_font(repair_mojibake(body or adapter.get("title") or ""))
        if font is not None:
            adapter["text_flags"] = [*(adapter.get("text_flags") or []), LEGACY_FONT]
            adapter["detected_language"] = ""
            adapter["language_confidence"] = None
            self._count("legacy_font")
            if self.drop_legacy_font:
                self._count(f"dropped/{LEGACY_FONT}")
                raise ArticleDropped(LEGACY_FONT, url, permanent=True, detail=str(font))
            return item

        text = "\n".join(adapter.get(name) or "" for name in ("title", "description", "body"))
        guess = self.identifier.identify(text)
        adapter["detected_language"] = guess.language
        adapter["language_confidence"] = guess.confidence
        if not guess.language:
            return item
        self._count(f"detected/{guess.language}")
        if guess.language in self.allowed or not self.allowed:
            return item
        if guess.confidence is not None and guess.confidence < self.min_confidence:
            # Unsure, yet a Hindi site's text without Devanagari is garbage (a page
            # decoded with the wrong charset), not an article in another language:
            # dropped, and fetched again on a later night.
            if "hi" in self.allowed and self._not_devanagari(adapter.get("body") or ""):
                self._count(f"dropped/{NOT_DEVANAGARI}")
                raise ArticleDropped(NOT_DEVANAGARI, url, permanent=False)
            # Too unsure to throw an article away (short texts, mixed scripts).
            self._count("kept_uncertain")
            logger.debug("Kept %s: %s at only %.2f", url, guess.language, guess.confidence)
            return item
        self._count(f"dropped/{guess.language}")
        raise ArticleDropped(f"language_{guess.language}", url, permanent=True)

    def _not_devanagari(self, body: str) -> bool:
        problem = text_problem(body, min_devanagari_share=self.min_devanagari_share)
        return problem == NOT_DEVANAGARI

    def _count(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(STATS_PREFIX + key)
