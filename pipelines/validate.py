"""Drop what is not an article: video and gallery pages, home and listing pages,
pages without the required fields, bodies too short to be a story. Every drop is
counted under pipelines/validate/dropped/<reason>.

Drops raise :class:`ArticleDropped`, which says why (``reason``) and whether the
outcome will hold on a later night (``permanent``): the spider remembers
permanent drops in ``skipped_pages`` and fetches the others again.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import NON_ARTICLE_PAGE_TYPES
from crawler.ops.offload import done_in_worker
from crawler.text.textcheck import REPLACEMENT_CHARACTERS, text_problem

logger = logging.getLogger(__name__)


class ArticleDropped(DropItem):
    """A dropped item with a machine-readable reason.

    ``permanent``: the page will be dropped again however often it is fetched (a
    video page, a page not in Hindi), so it need not be fetched again for a while.
    Anything that may be a passing fault (no body found, a parse error, a date in
    the future) is not permanent and is retried on later nights.
    """

    def __init__(self, reason: str, url: str, *, permanent: bool, detail: str = "") -> None:
        message = f"{reason}: {url}" + (f" ({detail})" if detail else "")
        super().__init__(message)
        self.reason = reason
        self.url = url
        self.permanent = permanent
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in the parse worker (crawler/ops/offload.py) and re-raised here.
        return (_article_dropped, (self.reason, self.url, self.permanent, self.detail))


def _article_dropped(reason: str, url: str, permanent: bool, detail: str) -> ArticleDropped:
    return ArticleDropped(reason, url, permanent=permanent, detail=detail)


class ValidatePipeline:
    NON_ARTICLE_TYPES = NON_ARTICLE_PAGE_TYPES
    # Reads only the item and its settings: may run in the parse worker.
    WORKER_SAFE = True

    def __init__(
        self,
        crawler: Crawler,
        required: list[str],
        min_body_chars: int,
        max_replacement_share: float,
    ) -> None:
        self.crawler = crawler
        self.required = required
        self.min_body_chars = min_body_chars
        self.max_replacement_share = max_replacement_share

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        settings = crawler.settings
        return cls(
            crawler,
            required=settings.getlist("VALIDATE_REQUIRED_FIELDS"),
            min_body_chars=settings.getint("VALIDATE_MIN_BODY_CHARS"),
            max_replacement_share=settings.getfloat("VALIDATE_MAX_REPLACEMENT_SHARE"),
        )

    def process_item(self, item: object) -> object:
        if done_in_worker(item, self):
            return item
        adapter = ItemAdapter(item)
        reason, permanent = self.drop_reason(adapter)
        if reason:
            self.crawler.stats.inc_value(f"pipelines/validate/dropped/{reason}")
            raise ArticleDropped(reason, str(adapter.get("url")), permanent=permanent)
        self.crawler.stats.inc_value("pipelines/validate/passed")
        return item

    def drop_reason(self, adapter: ItemAdapter) -> tuple[str, bool]:
        """(reason, permanent), or ("", False) when the item is an article to keep."""
        page_type = adapter.get("page_type") or "article"
        if page_type in self.NON_ARTICLE_TYPES:
            return f"not_article_{page_type}", True
        # What is missing tonight may be there tomorrow (a half-published page, a
        # selector that missed): retried, not remembered for good.
        for name in self.required:
            if not adapter.get(name):
                return f"missing_{name}", False
        if len(adapter.get("body") or "") < self.min_body_chars:
            return "body_too_short", False
        # A page decoded with the wrong charset: U+FFFD where the letters were.
        problem = text_problem(
            adapter.get("body") or "",
            expect_devanagari=False,
            max_replacement_share=self.max_replacement_share,
        )
        if problem == REPLACEMENT_CHARACTERS:
            return problem, False
        return "", False
