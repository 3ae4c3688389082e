"""Incremental nightly crawls: an article MongoDB already holds is not
downloaded again unless its sitemap or feed lists it with a newer lastmod than
the one it was fetched under, or it is young enough for the refresh window.

Pages fetched but not stored (videos, pages outside the window found through
undated listings, pages without a date) are remembered in `skipped_pages` and
skipped the same way. The check reads MongoDB, so it holds across runs and
machines. When MongoDB
cannot be reached, everything is fetched: a slower night, nothing missed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from pymongo.errors import PyMongoError
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.dates import parse_since
from crawler.store import ArticleStore, EmbeddedMongoError, connect, redact_uri, resolve_mongo_uri

logger = logging.getLogger(__name__)


class KnownArticles:
    def __init__(
        self,
        crawler: Crawler,
        mongo_uri: str,
        database: str,
        embedded_dir: str,
        embedded_port: int,
        server_timeout_ms: int,
        refresh: timedelta | None,
    ) -> None:
        self.crawler = crawler
        self.mongo_uri = mongo_uri
        self.database = database
        self.embedded_dir = embedded_dir
        self.embedded_port = embedded_port
        self.server_timeout_ms = server_timeout_ms
        self.refresh = refresh
        self.known: dict[str, datetime | None] = {}
        # url -> reason of the last decision; a URL is listed by several sources.
        self.decisions: dict[str, str] = {}
        # Pages fetched this run that will not be stored: url -> (reason, listed lastmod).
        self.not_stored: dict[str, tuple[str, datetime | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticles:
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        refresh_span = settings.get("INCREMENTAL_REFRESH") or ""
        now = datetime.now(UTC)
        return cls(
            crawler,
            mongo_uri=settings.get("MONGO_URI"),
            database=settings.get("MONGO_DATABASE"),
            embedded_dir=settings.get("MONGO_EMBEDDED_DIR"),
            embedded_port=settings.getint("MONGO_EMBEDDED_PORT"),
            server_timeout_ms=settings.getint("MONGO_SERVER_TIMEOUT_MS"),
            refresh=now - parse_since(refresh_span, now) if refresh_span else None,
        )

    def load(self, site: str, since: datetime) -> None:
        """Reads the site's stored articles of the window (blocking; run it in a thread)."""
        try:
            uri = resolve_mongo_uri(self.mongo_uri, self.embedded_dir, self.embedded_port)
            with connect(uri, self.server_timeout_ms) as client:
                store = ArticleStore(client[self.database])
                self.known = {**store.skipped_pages(site), **store.known_articles(site, since)}
        except (PyMongoError, EmbeddedMongoError) as exc:
            logger.warning(
                "%s: cannot read stored articles (%s); fetching every listed article",
                site,
                redact_uri(str(exc)),
            )
            self.known = {}
            return
        logger.info("%s: %d articles of the window already stored", site, len(self.known))

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

    def remember_not_stored(self, url: str, reason: str, listed_modified: datetime | None) -> None:
        self.not_stored[url] = (reason, listed_modified)

    def save(self, site: str) -> None:
        """Moves last_seen_at of the skipped articles (still listed, just not fetched)
        and remembers this run's pages that were fetched but not stored."""
        if not self.skipped and not self.not_stored:
            return
        try:
            uri = resolve_mongo_uri(self.mongo_uri, self.embedded_dir, self.embedded_port)
            with connect(uri, self.server_timeout_ms) as client:
                store = ArticleStore(client[self.database])
                if self.skipped:
                    store.mark_seen(site, self.skipped)
                if self.not_stored:
                    store.remember_skipped_pages(site, self.not_stored)
        except (PyMongoError, EmbeddedMongoError) as exc:
            logger.warning(
                "cannot mark %d skipped articles as seen: %s",
                len(self.skipped),
                redact_uri(str(exc)),
            )

    def _reason(
        self, url: str, published: datetime | None, listed_modified: datetime | None
    ) -> str:
        if url not in self.known:
            return "fetched_new"
        if self.refresh and published and published >= datetime.now(UTC) - self.refresh:
            return "fetched_refresh"
        stored_mark = self.known[url]
        if listed_modified and (stored_mark is None or listed_modified > stored_mark):
            return "fetched_changed"
        return "skipped_known"
