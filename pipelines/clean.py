"""Unicode NFC, mojibake, quotes, dashes, whitespace and entities in every text field;
page furniture (bylines, 'ये भी पढ़ें' blocks, Recent Posts lists, share and ad labels)
out of the body; Devanagari digits kept or made ASCII (CLEAN_DIGITS); search tokens;
dates in the future rejected (when given a skew: crawls read DATES_MAX_FUTURE_SKEW).

Counted: furniture under pipelines/clean/removed/<reason>, repaired mojibake under
pipelines/clean/repaired/mojibake (the item also gets the text flag "mojibake_repaired"),
a publication date beyond DATES_MAX_FUTURE_SKEW under pipelines/clean/dropped/future_date
(the item is dropped: an article without a trustworthy date is not stored), a
modification date beyond it under pipelines/clean/cleared/future_modified_at.

Sizes are capped before anything else (a 40 MB JSON-LD articleBody once blocked the
store): a body longer than CLEAN_MAX_BODY_CHARS is cut at a paragraph, a title,
description, section, author, tag or caption longer than CLEAN_MAX_FIELD_CHARS at a
word; each cut is counted under pipelines/clean/truncated/<field> and flagged
"truncated" in text_flags.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.ops.offload import done_in_worker
from crawler.text.dates import not_in_future, parse_duration
from crawler.text.furniture import clean_body
from crawler.text.normalize import clean_line, repair_mojibake, to_ascii_digits
from crawler.text.tokens import article_tokens

logger = logging.getLogger(__name__)

STATS_PREFIX = "pipelines/clean/"
MOJIBAKE_REPAIRED = "mojibake_repaired"
TRUNCATED = "truncated"
DIGIT_MODES = ("keep", "ascii")


class CleanPipeline:
    LINE_FIELDS = ("title", "description", "section")
    LIST_FIELDS = ("authors", "tags")
    # Reads only the item and its settings: may run in the parse worker.
    WORKER_SAFE = True

    def __init__(
        self,
        crawler: Crawler | None,
        form: str,
        digits: str = "keep",
        search_tokens: bool = True,
        max_future_skew: timedelta | None = None,
        max_body_chars: int = 0,
        max_field_chars: int = 0,
    ) -> None:
        if digits not in DIGIT_MODES:
            raise ValueError(f"CLEAN_DIGITS={digits!r}: expected one of {', '.join(DIGIT_MODES)}")
        self.crawler = crawler
        self.form = form
        self.digits = digits
        self.search_tokens = search_tokens
        self.max_future_skew = max_future_skew
        self.max_body_chars = max(int(max_body_chars), 0)  # 0: no cap
        self.max_field_chars = max(int(max_field_chars), 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        settings = crawler.settings
        return cls(
            crawler,
            form=settings.get("CLEAN_UNICODE_FORM"),
            digits=settings.get("CLEAN_DIGITS"),
            search_tokens=settings.getbool("CLEAN_SEARCH_TOKENS"),
            max_future_skew=parse_duration(settings.get("DATES_MAX_FUTURE_SKEW")),
            max_body_chars=settings.getint("CLEAN_MAX_BODY_CHARS"),
            max_field_chars=settings.getint("CLEAN_MAX_FIELD_CHARS"),
        )

    def process_item(self, item: object) -> object:
        if done_in_worker(item, self):
            return item
        adapter = ItemAdapter(item)
        self._check_dates(adapter)
        if self._cap_sizes(adapter):
            adapter["text_flags"] = [*(adapter.get("text_flags") or []), TRUNCATED]
        if self._repair_mojibake(adapter):
            adapter["text_flags"] = [*(adapter.get("text_flags") or []), MOJIBAKE_REPAIRED]
            self._count("repaired/mojibake")

        digits = to_ascii_digits if self.digits == "ascii" else _unchanged
        for name in self.LINE_FIELDS:
            adapter[name] = digits(clean_line(adapter.get(name) or "", self.form))
        for name in self.LIST_FIELDS:
            cleaned = [digits(clean_line(v, self.form)) for v in adapter.get(name) or []]
            adapter[name] = list(dict.fromkeys(v for v in cleaned if v))
        adapter["images"] = [
            {
                "url": image["url"],
                "caption": digits(clean_line(image.get("caption", ""), self.form)),
            }
            for image in adapter.get("images") or []
        ]
        body, removed = clean_body(adapter.get("body") or "", adapter.get("title") or "", self.form)
        adapter["body"] = digits(body)
        for reason in removed:
            self._count(f"removed/{reason}")
        if self.search_tokens:
            adapter["search_tokens"] = article_tokens(
                adapter["title"], adapter["description"], adapter["body"]
            )
        return item

    def _cap_sizes(self, adapter: ItemAdapter) -> bool:
        """Cuts over-long text fields in place (before the costly cleaning); whether any was."""
        cut = False
        body = adapter.get("body") or ""
        if self.max_body_chars and len(body) > self.max_body_chars:
            adapter["body"] = _cut(body, self.max_body_chars, "\n\n")
            self._count("truncated/body")
            cut = True
        if not self.max_field_chars:
            return cut
        limit = self.max_field_chars
        for name in self.LINE_FIELDS:
            value = adapter.get(name) or ""
            if len(value) > limit:
                adapter[name] = _cut(value, limit, " ")
                self._count(f"truncated/{name}")
                cut = True
        for name in self.LIST_FIELDS:
            values = adapter.get(name) or []
            if any(len(v) > limit for v in values):
                adapter[name] = [_cut(v, limit, " ") for v in values]
                self._count(f"truncated/{name}")
                cut = True
        images = adapter.get("images") or []
        if any(len(image.get("caption") or "") > limit for image in images):
            adapter["images"] = [
                {**image, "caption": _cut(image.get("caption") or "", limit, " ")}
                for image in images
            ]
            self._count("truncated/caption")
            cut = True
        return cut

    def _repair_mojibake(self, adapter: ItemAdapter) -> bool:
        """Repairs the raw text fields in place; whether any needed it."""
        repaired = False
        for name in (*self.LINE_FIELDS, "body"):
            value = adapter.get(name) or ""
            fixed = repair_mojibake(value)
            if fixed != value:
                adapter[name] = fixed
                repaired = True
        return repaired

    def _check_dates(self, adapter: ItemAdapter) -> None:
        if self.max_future_skew is None:  # not asked for (one-page extraction)
            return
        # Anchored to when the page was fetched; extract runs have no fetch time.
        now = adapter.get("fetched_at") or datetime.now(UTC)
        url = adapter.get("url")
        published = adapter.get("published_at")
        if published is not None and not_in_future(published, now, self.max_future_skew) is None:
            self._count("dropped/future_date")
            raise DropItem(f"future_date: {url} (published_at {published.isoformat()})")
        modified = adapter.get("modified_at")
        if modified is not None and not_in_future(modified, now, self.max_future_skew) is None:
            logger.debug("Cleared modified_at %s of %s: in the future", modified, url)
            adapter["modified_at"] = None
            self._count("cleared/future_modified_at")

    def _count(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(STATS_PREFIX + key)


def _unchanged(text: str) -> str:
    return text


def _cut(text: str, limit: int, separator: str) -> str:
    """``text`` cut to at most ``limit`` characters, at the last ``separator`` in its
    last fifth when there is one (a whole paragraph or word), else at the limit."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    at = head.rfind(separator)
    return head[:at] if at >= limit * 4 // 5 else head
