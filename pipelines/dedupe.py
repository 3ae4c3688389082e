"""Duplicates: one item per canonical URL per run, and one cluster per story.

* An article listed in both the news sitemap and the RSS feed under two URLs that
  share a canonical is kept once: the repeat is dropped
  (``pipelines/dedupe/dropped/same_url``).
* The same story on several sites (an agency copy with another headline, a
  dateline, a trimmed tail, a few words changed) is *marked*, never dropped: every
  article gets a ``cluster_id``, and a copy gets ``duplicate_of``, the URL of the
  cluster's earliest copy (smallest ``published_at``; ties: first seen). Exact copies
  (same content hash, or the same normalized text) count under
  ``pipelines/dedupe/exact``, near-duplicates (MinHash over word shingles, see
  :mod:`crawler.ml.neardup`) under ``pipelines/dedupe/near``; ``pipelines/dedupe/clusters``
  is how many stories this spider found in more than one copy.

Signatures live in MongoDB (DEDUPE_COLLECTION); those of the last DEDUPE_WINDOW_DAYS
are loaded when the pipeline opens, so tonight's copy of yesterday's story names
yesterday's article. Without MongoDB, duplicates are found within the run only.

All spiders of one process (``crawl --all``) share one index, so a story is
matched across sites as they are crawled side by side. Sites are crawled in no
particular order: when an earlier-published copy arrives after its later copies
were stored, the stored ones are corrected when the spiders close.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter
from pymongo import MongoClient
from pymongo.errors import PyMongoError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.ml.fingerprints import FingerprintStore, fingerprint_doc
from crawler.ml.neardup import DuplicateIndex, Entry, Fingerprinter, NearDupParams
from crawler.storage.config import MongoConfig
from crawler.storage.documents import content_hash
from crawler.storage.embedded import EmbeddedMongoError

logger = logging.getLogger(__name__)

STATS_PREFIX = "pipelines/dedupe/"


@dataclass(frozen=True)
class MongoTarget:
    """Where fingerprints are kept: the database and the collection. The index is
    the process's, shared by the crawls of every spider, so it keeps a client of its
    own rather than one crawl's (MongoExtension closes that when its crawl ends)."""

    config: MongoConfig
    collection: str


class SharedIndex:
    """The duplicate index of one process and fingerprint collection.

    Every spider of a ``crawl --all`` runs in one process with its own pipelines;
    they share this object so that copies are matched across sites. The first
    pipeline to open loads the window from MongoDB (in a thread, before any spider
    uses the index); the last to close disconnects. After loading, the index is only
    touched on the reactor thread; writes to MongoDB work on copies taken there.
    """

    def __init__(
        self, params: NearDupParams, target: MongoTarget | None, window: timedelta
    ) -> None:
        self.index = DuplicateIndex(params)
        self.target = target
        self.window = window
        self.store: FingerprintStore | None = None
        self.client: MongoClient[dict[str, Any]] | None = None
        self.users: set[object] = set()
        self.loaded = 0  # fingerprints loaded from MongoDB
        self._lock = threading.Lock()
        self._opened = False

    def open(self) -> int:
        """The first call connects and loads; returns how many fingerprints were loaded."""
        with self._lock:
            if not self._opened:
                self._opened = True
                if self.target is not None:
                    self.loaded = self._connect_and_load()
            return self.loaded

    def _connect_and_load(self) -> int:
        target = self.target
        assert target is not None
        config = target.config
        client = None
        try:
            client = config.connect()
            client.admin.command("ping")
            store = FingerprintStore(client[config.database], target.collection)
            store.ensure_indexes()
            since = datetime.now(UTC) - self.window
            loaded = 0
            for fingerprint, cluster_id, duplicate_of, first_seen in store.load(
                self.index.params.signature, since
            ):
                self.index.restore(fingerprint, cluster_id, duplicate_of, first_seen)
                loaded += 1
        except (PyMongoError, EmbeddedMongoError) as exc:
            if client is not None:
                client.close()
            logger.warning(
                "MongoDB at %s is unreachable (%s); duplicates are found within this run only",
                config.address(),
                config.redact(str(exc)),
            )
            return 0
        self.client, self.store = client, store
        logger.info(
            "Duplicate detection: %d fingerprints of the last %g days loaded from %s.%s",
            loaded,
            self.window / timedelta(days=1),
            config.database,
            target.collection,
        )
        return loaded

    def disconnect(self) -> None:
        if self.client is not None:
            self.client.close()
        self.client, self.store = None, None


_SHARED: dict[tuple[Any, ...], SharedIndex] = {}
_SHARED_LOCK = threading.Lock()


def shared_index(
    user: object, params: NearDupParams, target: MongoTarget | None, window: timedelta
) -> SharedIndex:
    """The process's :class:`SharedIndex` for these parameters and collection, with
    ``user`` registered (under the same lock as :func:`release`, so a spider opening
    as the last one closes never gets a disconnected index)."""
    key = (params, target, window)
    with _SHARED_LOCK:
        shared = _SHARED.setdefault(key, SharedIndex(params, target, window))
        shared.users.add(user)
        return shared


def release(shared: SharedIndex, user: object) -> bool:
    """Unregister ``user``; True when it was the last (the caller then disconnects)."""
    with _SHARED_LOCK:
        shared.users.discard(user)
        if shared.users:
            return False
        for key, value in list(_SHARED.items()):
            if value is shared:
                del _SHARED[key]
        return True


@dataclass
class _Writes:
    """What one pipeline writes when it closes, taken on the reactor thread."""

    fingerprints: list[dict[str, Any]] = field(default_factory=list)
    # url -> (cluster_id, duplicate_of) for stored articles whose cluster changed
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)


class DedupePipeline:
    crawler: Crawler

    def __init__(
        self,
        crawler: Crawler | None,
        params: NearDupParams | None = None,
        target: MongoTarget | None = None,
        window_days: float = 7.0,
    ) -> None:
        self.crawler = crawler  # type: ignore[assignment]
        self.params = params or NearDupParams()
        self.target = target  # None: within the run (and process) only
        self.window = timedelta(days=window_days)
        self.fingerprinter = Fingerprinter(self.params)
        self.seen: set[str] = set()
        self.shared: SharedIndex | None = None
        self._private: DuplicateIndex | None = None  # when used without open_spider
        self._clusters: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        settings = crawler.settings
        params = NearDupParams.from_settings(settings)
        target = None
        if settings.getbool("DEDUPE_PERSIST"):
            target = MongoTarget(
                MongoConfig.from_settings(settings), settings.get("DEDUPE_COLLECTION")
            )
        pipeline = cls(crawler, params, target, settings.getfloat("DEDUPE_WINDOW_DAYS"))
        # Stored copies are corrected after the store pipeline has flushed, which
        # close_spider (run in parallel with the store's) does not guarantee.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # --- Scrapy hooks -----------------------------------------------------------------

    async def open_spider(self) -> None:
        for name in ("exact", "near", "clusters"):
            self._stats_set(name, 0)
        self.shared = shared_index(self, self.params, self.target, self.window)
        loaded = await asyncio.to_thread(self.shared.open)
        self._stats_set("loaded", loaded)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter["url"]
        if url in self.seen:
            self._stats_inc("dropped/same_url")
            raise DropItem(f"already seen in this run: {url}")
        self.seen.add(url)

        text = adapter.get("body") or " ".join(
            filter(None, (adapter.get("title"), adapter.get("description")))
        )
        fingerprint = self.fingerprinter.fingerprint(
            url,
            adapter.get("site") or "",
            _aware(adapter.get("published_at")),
            text,
            content_hash(dict(adapter)),
        )
        assignment = self._index().add(fingerprint, owner=self)
        adapter["cluster_id"] = assignment.cluster_id
        adapter["duplicate_of"] = assignment.duplicate_of
        if assignment.kind in ("exact", "near"):
            self._stats_inc(assignment.kind)
            self._clusters.add(assignment.cluster_id)
            self._stats_set("clusters", len(self._clusters))
            logger.debug(
                "%s copy: %s ~ %s (containment %.2f, Jaccard %.2f)",
                assignment.kind.capitalize(),
                url,
                assignment.match,
                assignment.containment,
                assignment.jaccard,
            )
        return item

    async def spider_closed(self, reason: str = "") -> None:
        """Save this spider's fingerprints and correct stored copies whose cluster changed."""
        shared, self.shared = self.shared, None
        if shared is None:
            return
        updated, writes = None, _Writes()
        if shared.store is not None:  # else within the run only: nothing to keep
            writes = self._collect(shared)
            updated = await asyncio.to_thread(self._write, shared, writes)
        if updated is not None:
            for entry in writes.entries:
                entry.written_cluster_id = entry.cluster_id
                entry.written_duplicate_of = shared.index.duplicate_of(entry.url)
                entry.owner = None  # stored: from now on corrected like an earlier run's
            self._stats_set("corrected", updated)
        if release(shared, self):
            await asyncio.to_thread(shared.disconnect)
        spider = getattr(self.crawler, "spider", None)
        logger.info(
            "Duplicates found by %s: %d exact and %d near copies of %d stories",
            spider.name if spider is not None else "this spider",
            self._stats_get("exact"),
            self._stats_get("near"),
            len(self._clusters),
        )

    # --- helpers ----------------------------------------------------------------------

    def _index(self) -> DuplicateIndex:
        if self.shared is not None:
            return self.shared.index
        if self._private is None:  # process_item without open_spider (one-off use)
            self._private = DuplicateIndex(self.params)
        return self._private

    def _collect(self, shared: SharedIndex) -> _Writes:
        """On the reactor thread: what to write, so the threads never read the index."""
        writes = _Writes()
        index, signature = shared.index, self.params.signature
        # Items of spiders still running may not be stored yet: they are theirs to fix.
        still_open = shared.users - {self}
        outdated = {entry.url for entry in index.outdated(still_open)}
        for entry in index.entries():
            mine = entry.owner is self
            if not mine and entry.url not in outdated:
                continue
            duplicate_of = index.duplicate_of(entry.url)
            writes.fingerprints.append(fingerprint_doc(entry, duplicate_of, signature))
            writes.entries.append(entry)
            if entry.url in outdated:
                writes.articles[entry.url] = (entry.cluster_id, duplicate_of)
        return writes

    def _write(self, shared: SharedIndex, writes: _Writes) -> int | None:
        """Fingerprints and corrections to MongoDB; the number of articles corrected,
        or None if nothing could be written."""
        if shared.store is None:
            return None
        try:
            shared.store.save(writes.fingerprints)
            return shared.store.update_articles(writes.articles)
        except PyMongoError as exc:
            logger.warning(
                "Could not save %d fingerprints (%s: %s); this run's stories will not be "
                "matched by later runs",
                len(writes.fingerprints),
                type(exc).__name__,
                shared.target.config.redact(str(exc)) if shared.target else str(exc),
            )
            return None

    def _stats_inc(self, name: str) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(STATS_PREFIX + name)

    def _stats_set(self, name: str, value: int) -> None:
        if self.crawler is not None:
            self.crawler.stats.set_value(STATS_PREFIX + name, value)

    def _stats_get(self, name: str) -> int:
        if self.crawler is None:
            return 0
        return int(self.crawler.stats.get_value(STATS_PREFIX + name, 0))


def _aware(value: Any) -> datetime | None:
    """``published_at`` as an aware datetime (naive values are taken as UTC)."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
