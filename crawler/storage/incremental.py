"""Incremental nightly crawls: an article MongoDB already holds is not
downloaded again unless its sitemap or feed lists it with a newer lastmod than
the one it was fetched under, or it is young enough for the refresh window.

Pages fetched but not stored are remembered in `skipped_pages`, each with its
reason, the parser version that judged it and an expiry (INCREMENTAL_SKIP_DAYS).
Only permanent outcomes (not an article, gone, not Hindi, older than the window)
are skipped like stored articles; a page dropped for what may be a passing
fault (no body found, a parse error, a date in the future) is fetched again on
later nights, at most INCREMENTAL_MAX_RETRIES times, and a new parser version
judges every page afresh. The check reads MongoDB, so it holds across runs and
machines. When MongoDB cannot be reached, everything is fetched: a slower night,
nothing missed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import PyMongoError
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.storage.embedded import EmbeddedMongoError
from crawler.storage.extension import MongoExtension
from crawler.storage.store import ArticleStore
from crawler.text.dates import parse_since

logger = logging.getLogger(__name__)


class KnownArticles:
    def __init__(
        self,
        crawler: Crawler,
        mongo: MongoExtension,
        refresh: timedelta | None,
        skip_for: timedelta,
        max_retries: int,
    ) -> None:
        self.crawler = crawler
        self.mongo = mongo
        self.refresh = refresh
        self.skip_for = skip_for
        self.max_retries = max(int(max_retries), 0)
        self.known: dict[str, datetime | None] = {}
        # Pages dropped on earlier nights for a passing fault: url -> nights tried so far.
        self.retry: dict[str, int] = {}
        # url -> reason of the last decision; a URL is listed by several sources.
        self.decisions: dict[str, str] = {}
        # Pages fetched this run that will not be stored: url -> skipped_pages record.
        self.not_stored: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticles:
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        refresh_span = settings.get("INCREMENTAL_REFRESH") or ""
        now = datetime.now(UTC)
        return cls(
            crawler,
            mongo=MongoExtension.of(crawler),
            refresh=now - parse_since(refresh_span, now) if refresh_span else None,
            skip_for=timedelta(days=settings.getfloat("INCREMENTAL_SKIP_DAYS")),
            max_retries=settings.getint("INCREMENTAL_MAX_RETRIES"),
        )

    def load(self, site: str, since: datetime, parser_version: str = "") -> None:
        """Reads the site's stored articles of the window and its unexpired skipped
        pages (blocking; run it in a thread)."""
        try:
            store = ArticleStore(self.mongo.database())
            skipped = store.skipped_pages(site, datetime.now(UTC), self.skip_for)
            stored = store.known_articles(site, since)
        except (PyMongoError, EmbeddedMongoError) as exc:
            logger.warning(
                "%s: cannot read stored articles (%s); fetching every listed article",
                site,
                self.mongo.config.redact(str(exc)),
            )
            self.known = {}
            return
        self.take_skipped(skipped, parser_version)
        self.known.update(stored)
        logger.info(
            "%s: %d articles of the window already stored, %d pages skipped, %d to retry",
            site,
            len(stored),
            len(self.known) - len(stored),
            len(self.retry),
        )

    def take_skipped(self, records: dict[str, dict[str, Any]], parser_version: str) -> None:
        """Sorts skipped-page records into pages to skip and pages to fetch again."""
        for url, record in records.items():
            judged_by = record.get("parser") or ""
            if parser_version and judged_by and judged_by != parser_version:
                continue  # a new parser may read the page differently: fetch it as new
            # Nights the page was fetched and dropped; the first fetch is no retry.
            attempts = int(record.get("attempts") or 1)
            # Records from before retries existed carry no `permanent`: they were drops
            # of every kind, so they are retried like a passing fault.
            if record.get("permanent") or attempts > self.max_retries:
                self.known[url] = record.get("listed_modified_at")
            else:
                self.retry[url] = attempts

    def should_fetch(
        self, url: str, published: datetime | None, listed_modified: datetime | None
    ) -> bool:
        """Whether to download the article; the reason is counted in stats."""
        reason = self._reason(url, published, listed_modified)
        previous = self.decisions.get(url)
        if reason != previous:  # count each URL once, by its final decision
            if previous is not None:
                self.crawler.stats.inc_value(f"incremental/{previous}", -1)
            self.crawler.stats.inc_value(f"incremental/{reason}")
            self.decisions[url] = reason
        return reason != "skipped_known"

    @property
    def skipped(self) -> list[str]:
        return [url for url, reason in self.decisions.items() if reason == "skipped_known"]

    def remember_not_stored(
        self,
        url: str,
        reason: str,
        listed_modified: datetime | None,
        *,
        permanent: bool = True,
        parser: str = "",
    ) -> None:
        """A page fetched this run that will not be stored: skipped on later nights
        while unexpired if ``permanent``, else fetched again (up to the retry limit)."""
        self.not_stored[url] = {
            "reason": reason,
            "permanent": permanent,
            "attempts": self.retry.get(url, 0) + 1,
            "parser": parser,
            "listed_modified_at": listed_modified,
        }

    def save(self, site: str) -> None:
        """Moves last_seen_at of the skipped articles (still listed, just not fetched)
        and remembers this run's pages that were fetched but not stored."""
        if not self.skipped and not self.not_stored:
            return
        try:
            store = ArticleStore(self.mongo.database())
            if self.skipped:
                store.mark_seen(site, self.skipped)
            if self.not_stored:
                store.remember_skipped_pages(
                    site, self.not_stored, datetime.now(UTC), self.skip_for
                )
        except (PyMongoError, EmbeddedMongoError) as exc:
            logger.warning(
                "cannot mark %d skipped articles as seen: %s",
                len(self.skipped),
                self.mongo.config.redact(str(exc)),
            )

    def _reason(
        self, url: str, published: datetime | None, listed_modified: datetime | None
    ) -> str:
        if url not in self.known:
            return "retried_after_drop" if url in self.retry else "fetched_new"
        if self.refresh and published and published >= datetime.now(UTC) - self.refresh:
            return "fetched_refresh"
        stored_mark = self.known[url]
        if listed_modified and (stored_mark is None or listed_modified > stored_mark):
            return "fetched_changed"
        return "skipped_known"
