"""MongoDB access: URI handling, the article store with versioned upserts, and queries.

One article is one document in ``articles``, keyed by its canonical URL. A
re-crawl of unchanged content only moves ``last_seen_at``; changed content
bumps ``version`` and pushes the previous content onto ``history``. An article
a night lists but does not download (the incremental skip) is recorded in
``sightings`` (one small document per URL), not on the article: rewriting an
article rewrites all its index entries (hundreds of search tokens), which made a
quiet night over 10,000 stored articles take half an hour.
Where the server is and how to reach it is :mod:`crawler.storage.config`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import bson
from pymongo import (
    ASCENDING,
    DESCENDING,
    IndexModel,
    InsertOne,
    UpdateOne,
    WriteConcern,
)
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from crawler.storage.documents import FETCH_FIELDS, HISTORY_FIELDS, prepare_article
from crawler.storage.planner import CATALOG, IN_CHUNK, QueryPlanner, catalog_write
from crawler.storage.queries import (
    FILTER_FIELDS,
    LIST_FIELDS,
    SORT_FIELDS,
    QueryError,
    article_query,
)

logger = logging.getLogger(__name__)

ARTICLES = "articles"
CRAWL_RUNS = "crawl_runs"
SKIPPED_PAGES = "skipped_pages"
SIGHTINGS = "sightings"
# finish_reason of a run recorded at its start ("running") whose process died before its end.
RUNNING = "running"
NEVER_CLOSED = "never_closed"
DUPLICATE_KEY = 11000
# Write errors that say "not now" (shutdown, step-down, timeout), not "not this
# document": the batch is retried later, never rejected.
TRANSIENT_WRITE_CODES = frozenset(
    {6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436}
)
# Longest reason kept for a rejected document: server messages may quote the document.
_MAX_REASON_CHARS = 300


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # Documents refused for what they are (too large, no url, invalid): (doc, reason).
    rejected: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.rejected + other.rejected,
        )

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


def rejection_reason(code: Any, message: str) -> str:
    """A short reason for a refused document: code and the start of the message only."""
    text = " ".join(str(message).split())
    if len(text) > _MAX_REASON_CHARS:
        text = text[:_MAX_REASON_CHARS] + "…"
    return f"{code}: {text}" if code is not None else text


class ArticleStore:
    """The ``articles`` and ``crawl_runs`` collections of one database.

    With ``journaled``, article and run writes wait for the server's journal
    (``j=True``): SecantusDB acknowledges plain writes before they reach disk, and
    a kill -9 then loses some of them. ``max_document_bytes`` (0: no limit) rejects
    bigger documents before they are sent.
    """

    def __init__(
        self,
        db: Database[dict[str, Any]],
        *,
        journaled: bool = False,
        max_document_bytes: int = 0,
    ) -> None:
        self.db = db
        concern = WriteConcern(w=1, j=True) if journaled else None
        self.articles = db.get_collection(ARTICLES, write_concern=concern)
        self.runs = db.get_collection(CRAWL_RUNS, write_concern=concern)
        self.max_document_bytes = max(int(max_document_bytes), 0)
        self.skipped = db[SKIPPED_PAGES]
        self.sightings = db[SIGHTINGS]
        catalog = db.get_collection(CATALOG, write_concern=concern)
        self.planner = QueryPlanner(self.articles, catalog)

    def ensure_indexes(self) -> None:
        self.articles.create_indexes(
            [
                IndexModel([("url", ASCENDING)], name="url_unique", unique=True),
                IndexModel([("site", ASCENDING), ("published_at", DESCENDING)], name="site_date"),
                IndexModel(
                    [("category", ASCENDING), ("published_at", DESCENDING)], name="category_date"
                ),
                IndexModel([("content_hash", ASCENDING)], name="content_hash"),
                # Multikey over normalized Hindi tokens: search without text indexes.
                IndexModel([("search_tokens", ASCENDING)], name="search_tokens"),
                # All copies of one story across sites.
                IndexModel([("cluster_id", ASCENDING)], name="cluster_id"),
                # Enrichment filters of `query --party/--person/--region/--place`.
                *(
                    IndexModel(
                        [(name, ASCENDING), ("published_at", DESCENDING)], name=f"{name}_date"
                    )
                    for name in ("parties", "people", "regions", "places")
                ),
            ]
        )
        self.skipped.create_index([("url", ASCENDING)], name="url_unique", unique=True)
        rebuilt = self.planner.ensure_catalog()
        if rebuilt:
            logger.info("Rebuilt the article catalog: %d entries", rebuilt)
        # sightings: keyed by URL (_id) alone, so that a quiet night's upserts stay cheap.
        # Monitor history, failed_monitors and the report read runs by site and time.
        self.runs.create_indexes(
            [
                IndexModel(
                    [("spider", ASCENDING), ("started_at", DESCENDING)], name="spider_started"
                ),
                IndexModel([("run_id", ASCENDING)], name="run_id"),
                IndexModel([("started_at", DESCENDING)], name="started"),
            ]
        )

    def upsert_articles(self, docs: list[dict[str, Any]]) -> UpsertCounts:
        """Insert new articles, version changed ones, touch unchanged ones; one bulk write.

        A document refused for what it is (no url, too large, invalid for the
        server) does not fail the batch: the others are written and it comes back
        in ``rejected`` with its reason. Connection errors and write-concern errors
        are raised: the caller journals the batch (replay is idempotent).
        """
        return self._upsert(docs, retry_duplicates=True)

    def _too_large(self, doc: dict[str, Any]) -> str | None:
        """Why ``doc`` cannot be sent (not encodable, over the size limit), or None."""
        try:
            size = len(bson.encode(doc))
        except (bson.errors.BSONError, OverflowError, TypeError) as exc:
            return rejection_reason("invalid", str(exc))
        if self.max_document_bytes and size > self.max_document_bytes:
            return f"too_large: {size} bytes > MONGO_MAX_DOCUMENT_BYTES {self.max_document_bytes}"
        return None

    def _upsert(self, docs: list[dict[str, Any]], retry_duplicates: bool) -> UpsertCounts:
        counts = UpsertCounts()
        # Within one batch the last copy of a URL wins; the earlier ones count as unchanged.
        by_url: dict[str, dict[str, Any]] = {}
        originals: dict[str, dict[str, Any]] = {}
        for doc in docs:
            try:
                prepared = prepare_article(doc)
            except ValueError as exc:
                counts.rejected.append((doc, rejection_reason("invalid", str(exc))))
                continue
            reason = self._too_large(prepared)
            if reason:
                counts.rejected.append((doc, reason))
                continue
            if prepared["url"] in by_url:
                counts.unchanged += 1
            by_url[prepared["url"]] = prepared
            originals[prepared["url"]] = doc
        if not by_url:
            return counts

        projection = {"_id": 0, "url": 1, "content_hash": 1, "version": 1}
        projection.update(dict.fromkeys(HISTORY_FIELDS, 1))
        stored = {
            old["url"]: old
            for old in self.articles.find({"url": {"$in": list(by_url)}}, projection)
        }

        now = datetime.now(UTC)
        ops: list[InsertOne[dict[str, Any]] | UpdateOne] = []
        kinds: list[str] = []  # which count each op added to
        for url, doc in by_url.items():
            old = stored.get(url)
            if old is None:
                new_doc = {**doc, "first_seen_at": now, "last_seen_at": now, "version": 1}
                ops.append(InsertOne(new_doc))
                kinds.append("new")
            elif old.get("content_hash") == doc["content_hash"]:
                touched = {name: doc[name] for name in FETCH_FIELDS if doc.get(name)}
                ops.append(UpdateOne({"url": url}, {"$set": {**touched, "last_seen_at": now}}))
                kinds.append("unchanged")
            else:
                ops.append(UpdateOne({"url": url}, self._new_version(doc, old, now)))
                kinds.append("updated")
        for kind in kinds:
            setattr(counts, kind, getattr(counts, kind) + 1)

        failed: dict[int, tuple[Any, str]] = {}
        urls = list(by_url)  # ops were built in this order, one per URL
        try:
            self.articles.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            failed = _failed_writes(exc)  # raises the error again unless per document
            retry = []
            for index, (code, message) in sorted(failed.items()):
                kind = kinds[index]
                setattr(counts, kind, getattr(counts, kind) - 1)
                original = originals[urls[index]]
                if code == DUPLICATE_KEY and kind == "new" and retry_duplicates:
                    retry.append(original)  # inserted by another writer meanwhile: update it
                else:
                    # Never the document in the log: it may be tens of megabytes.
                    reason = rejection_reason(code, message)
                    logger.warning("MongoDB refused %s: %s", urls[index][:200], reason)
                    counts.rejected.append((original, reason))
            if retry:
                logger.debug("Retrying %d articles inserted concurrently", len(retry))
                counts += self._upsert(retry, retry_duplicates=False)
        writes = (
            catalog_write(by_url[url], changed=kinds[index] != "unchanged")
            for index, url in enumerate(urls)
            if index not in failed
        )
        listed = [write for write in writes if write is not None]
        if listed:
            self.planner.catalog.bulk_write(listed, ordered=False)
        return counts

    @staticmethod
    def _new_version(doc: dict[str, Any], old: dict[str, Any], now: datetime) -> dict[str, Any]:
        previous = {name: old[name] for name in HISTORY_FIELDS if name in old}
        previous.update(
            content_hash=old.get("content_hash"),
            version=old.get("version", 1),
            replaced_at=now,
        )
        update: dict[str, Any] = {
            "$set": {**doc, "last_seen_at": now},
            "$inc": {"version": 1},
            "$push": {"history": previous},
        }
        if "published_at_local" not in doc and "published_at_local" in old:
            update["$unset"] = {"published_at_local": ""}  # would describe the old date
        return update

    def known_articles(self, site: str, since: datetime) -> dict[str, datetime | None]:
        """URL -> the listing's lastmod when last fetched (else the article's own
        modified/published date), for the site's articles published since `since`."""
        query = {"site": site, "published_at": {"$gte": since}}
        dates = {"listed_modified_at": 1, "modified_at": 1, "published_at": 1}
        if self.planner.catalog_ready():
            # The catalog's small documents: the articles' would all be decoded on the
            # server (+88 MB of server memory per 2,000 articles).
            found = self.planner.catalog.find(query, {"_id": 1, **dates})
            urls = ((doc["_id"], doc) for doc in found)
        else:
            urls = ((doc["url"], doc) for doc in self.articles.find(query, {"url": 1, **dates}))
        return {
            url: doc.get("listed_modified_at") or doc.get("modified_at") or doc.get("published_at")
            for url, doc in urls
        }

    def mark_seen(self, site: str, urls: list[str], chunk: int = 1000) -> None:
        """Records that the night's listings still name these stored articles.

        One upsert per URL on ``sightings`` (keyed by URL, no other index): linear
        in the number of URLs and leaves the articles and their indexes alone.
        """
        now = datetime.now(UTC)
        for start in range(0, len(urls), chunk):
            self.sightings.bulk_write(
                [
                    UpdateOne({"_id": url}, {"$set": {"site": site, "last_seen_at": now}}, True)
                    for url in urls[start : start + chunk]
                ],
                ordered=False,
            )

    def with_last_seen(self, docs: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``docs`` with ``last_seen_at`` moved on to the article's latest sighting."""
        batch: list[dict[str, Any]] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= IN_CHUNK:
                yield from self._merge_sightings(batch)
                batch = []
        yield from self._merge_sightings(batch)

    def _merge_sightings(self, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        urls = [doc["url"] for doc in docs if doc.get("url")]
        if not urls:
            return docs
        seen = {s["_id"]: s["last_seen_at"] for s in self.sightings.find({"_id": {"$in": urls}})}
        for doc in docs:
            sighted = seen.get(doc.get("url"))
            if sighted and (not doc.get("last_seen_at") or sighted > doc["last_seen_at"]):
                doc["last_seen_at"] = sighted
        return docs

    def skipped_pages(
        self, site: str, now: datetime, max_age: timedelta
    ) -> dict[str, dict[str, Any]]:
        """URL -> record of the site's pages fetched before and not stored, unexpired.

        A record has ``reason``, ``permanent``, ``attempts``, ``parser`` and
        ``listed_modified_at``. Records written before expiries existed expire
        ``max_age`` after they were seen.
        """
        query = {
            "site": site,
            "$or": [
                {"expires_at": {"$gt": now}},
                {"expires_at": None, "seen_at": {"$gt": now - max_age}},
            ],
        }
        fields = {"_id": 0, "site": 0, "seen_at": 0, "expires_at": 0}
        return {doc.pop("url"): doc for doc in self.skipped.find(query, fields)}

    def remember_skipped_pages(
        self, site: str, pages: dict[str, dict[str, Any]], now: datetime, keep: timedelta
    ) -> None:
        """Records (or refreshes) pages fetched and not stored; each expires after ``keep``.

        ``pages``: URL -> ``reason``, ``permanent``, ``attempts``, ``parser`` and
        ``listed_modified_at``. The site's expired records are deleted.
        """
        if pages:
            self.skipped.bulk_write(
                [
                    UpdateOne(
                        {"url": url},
                        {
                            "$set": {
                                **page,
                                "site": site,
                                "seen_at": now,
                                "expires_at": now + keep,
                            }
                        },
                        upsert=True,
                    )
                    for url, page in pages.items()
                ],
                ordered=False,
            )
        self.skipped.delete_many({"site": site, "expires_at": {"$lte": now}})

    def record_run(self, doc: dict[str, Any]) -> Any:
        """Write one ``crawl_runs`` document, replacing the record of the same run and spider.

        A run is recorded twice: "running" when it opens, in full when it closes.
        """
        key = {"run_id": doc.get("run_id"), "spider": doc.get("spider")}
        result = self.runs.replace_one(key, dict(doc), upsert=True)
        return result.upserted_id

    def record_runs(self, docs: list[dict[str, Any]]) -> UpsertCounts:
        """Write journaled run records in order (a later record of a run replaces an earlier)."""
        counts = UpsertCounts()
        for doc in docs:
            self.record_run(doc)
            counts.new += 1
        return counts

    def close_dead_runs(self, host: str, is_alive: Callable[[int], bool]) -> list[str]:
        """Mark runs recorded as "running" on ``host`` whose process is gone as never closed.

        A killed crawl (kill -9, power loss) never records its end; this is its record.
        Returns the run ids marked.
        """
        marked = []
        query = {"finish_reason": RUNNING, "host": host}
        for doc in self.runs.find(query, {"run_id": 1, "spider": 1, "pid": 1}):
            pid = doc.get("pid")
            if isinstance(pid, int) and is_alive(pid):
                continue
            self.runs.update_one(
                {"_id": doc["_id"], "finish_reason": RUNNING},
                {
                    "$set": {
                        "finish_reason": NEVER_CLOSED,
                        "closed_by_next_run_at": datetime.now(UTC),
                    }
                },
            )
            marked.append(str(doc.get("run_id")))
        return marked

    # --- queries --------------------------------------------------------------------

    def find_articles(self, *args: Any, limit: int = 50, **filters: Any) -> list[dict[str, Any]]:
        """Articles matching all given filters (see iter_articles), newest first."""
        return list(self.iter_articles(*args, limit=limit, **filters))

    def iter_articles(
        self,
        site: str | None = None,
        category: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        limit: int = 0,
        *,
        where: dict[str, str] | None = None,
        tokens: list[str] | None = None,
        sort: str = "-published_at",
        projection: dict[str, int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Articles matching all given filters, streamed, without ``history``; limit 0 means all."""
        query = article_query(site, category, since, until, text, where=where, tokens=tokens)
        field, direction = sort.lstrip("-"), DESCENDING if sort.startswith("-") else ASCENDING
        if field not in SORT_FIELDS:
            raise QueryError(f"cannot sort by {field!r}; use one of {', '.join(SORT_FIELDS)}")
        limit = max(int(limit), 0)
        fields = projection or {"history": 0}
        urls = self.planner.ordered_urls(query, field, direction, limit)
        if urls is not None:
            docs: Iterator[dict[str, Any]] = self.planner.fetch(urls, fields)
        else:
            docs = self.articles.find(query, fields).sort([(field, direction), ("url", ASCENDING)])
            docs = docs.limit(limit)
        if projection is None or projection.get("last_seen_at"):
            yield from self.with_last_seen(docs)
        else:
            yield from docs

    def summary(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Site, category and publication time of every article matching ``query``."""
        return self.planner.summary(query)

    def counts_by(self, field: str, query: dict[str, Any] | None = None) -> dict[str, int]:
        """Article counts per value of `field` (one of FILTER_FIELDS), largest first."""
        if field not in FILTER_FIELDS:
            raise QueryError(f"cannot count by {field!r}")
        pipeline: list[dict[str, Any]] = [{"$match": query or {}}]
        if field in LIST_FIELDS:
            pipeline.append({"$unwind": f"${field}"})
        pipeline += [
            {"$group": {"_id": f"${field}", "count": {"$sum": 1}}},
            {"$sort": {"count": -1, "_id": 1}},
        ]
        return {str(row["_id"]): row["count"] for row in self.articles.aggregate(pipeline)}

    def counts_by_site(self) -> dict[str, int]:
        return self.counts_by("site")

    def count_articles(self) -> int:
        return self.articles.count_documents({})


def _failed_writes(exc: BulkWriteError) -> dict[int, tuple[Any, str]]:
    """Op index -> (code, message) of each document the server refused.

    Raises ``exc`` again when the error is not about single documents: a
    write-concern error (the writes may not be durable) or a write error that
    says "not now" (the server shutting down); the caller then journals the batch.
    """
    details = exc.details or {}
    errors = details.get("writeErrors") or []
    if details.get("writeConcernErrors") or not errors:
        raise exc
    if any(error.get("code") in TRANSIENT_WRITE_CODES for error in errors):
        raise exc
    return {
        int(error["index"]): (error.get("code"), str(error.get("errmsg", ""))) for error in errors
    }
