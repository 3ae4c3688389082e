"""MongoDB access: URI handling, the article store with versioned upserts, and queries.

One article is one document in ``articles``, keyed by its canonical URL. A
re-crawl of unchanged content only moves ``last_seen_at``; changed content
bumps ``version`` and pushes the previous content onto ``history``. An article
a night lists but does not download (the incremental skip) is recorded in
``sightings`` (one small document per URL), not on the article: rewriting an
article rewrites all its index entries (hundreds of search tokens), which made a
quiet night over 10,000 stored articles take half an hour.
The embedded server lives in :mod:`crawler.embedded`, the offline journal in
:mod:`crawler.journal`; both are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pymongo import ASCENDING, DESCENDING, IndexModel, InsertOne, MongoClient, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from crawler.embedded import EmbeddedMongo, EmbeddedMongoError
from crawler.journal import Journal

__all__ = [
    "ArticleStore",
    "EmbeddedMongo",
    "EmbeddedMongoError",
    "Journal",
    "UpsertCounts",
    "connect",
    "redact_secrets",
    "redact_uri",
    "resolve_mongo_uri",
]

logger = logging.getLogger(__name__)

ARTICLES = "articles"
CRAWL_RUNS = "crawl_runs"
SKIPPED_PAGES = "skipped_pages"
SIGHTINGS = "sightings"
# SecantusDB answers `$in` in time quadratic in the list; keep such lists short.
_IN_CHUNK = 200
DUPLICATE_KEY = 11000

# user:password@ in a mongodb:// or mongodb+srv:// URI. The password part runs to the
# last "@" of the token, so a raw (unencoded) "@" or "/" in it is still hidden.
_URI_PASSWORD = re.compile(
    r"(?P<head>mongodb(?:\+srv)?://[^:@/\s'\"]*):(?P<password>[^\s'\"]*)@", re.IGNORECASE
)


def redact_uri(uri: str) -> str:
    """``uri`` (or any text containing URIs) with every password replaced by ``***``."""
    return _URI_PASSWORD.sub(r"\g<head>:***@", uri)


def redact_secrets(text: str, uri: str) -> str:
    """``text`` with URI passwords and the password of ``uri`` (raw or decoded) hidden.

    Driver error messages may quote the decoded password outside of a URI.
    """
    text = redact_uri(text)
    match = _URI_PASSWORD.search(uri)
    if match and match["password"]:
        for secret in {match["password"], unquote(match["password"])}:
            text = text.replace(secret, "***")
    return text


def connect(uri: str, server_timeout_ms: int = 3000) -> MongoClient[dict[str, Any]]:
    """A client that reads datetimes back as aware UTC datetimes."""
    return MongoClient(uri, tz_aware=True, tzinfo=UTC, serverSelectionTimeoutMS=server_timeout_ms)


def resolve_mongo_uri(mongo_uri: str, embedded_dir: str, embedded_port: int) -> str:
    """``mongo_uri`` if set, else the URI of the embedded server (started or reused)."""
    if mongo_uri.strip():
        return mongo_uri.strip()
    return EmbeddedMongo(Path(embedded_dir), embedded_port).start()


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


# What the site published; a change in any of these makes a new version. Not
# modified_at: many sites bump it on every render, which would make a version per crawl.
HASHED_FIELDS = (
    "title",
    "description",
    "body",
    "authors",
    "published_at",
    "section",
    "tags",
    "images",
    "language",
)
# What a history entry keeps of the replaced version.
HISTORY_FIELDS = (
    *HASHED_FIELDS,
    "modified_at",
    "published_at_local",
    "category",
    "category_source",
)
# Bookkeeping the store owns; never taken from an incoming document.
_STORE_FIELDS = ("_id", "content_hash", "first_seen_at", "last_seen_at", "version", "history")
_DATE_FIELDS = ("published_at", "modified_at", "fetched_at", "listed_modified_at")
# Crawl bookkeeping refreshed on every fetch, even when the content is unchanged:
# the incremental check compares the next sitemap lastmod with listed_modified_at.
_FETCH_FIELDS = ("fetched_at", "listed_modified_at")
_SPACES = re.compile(r"\s+")


def _as_datetime(value: Any) -> Any:
    """Aware UTC datetime for a datetime or ISO string; naive values are taken as UTC."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    return value


def _normalized(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if isinstance(value, list | tuple):
        return [_normalized(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _normalized(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return _as_datetime(value).isoformat(timespec="seconds")
    return value


def content_hash(doc: dict[str, Any]) -> str:
    """sha256 of the normalized content fields (not fetch times or derived fields)."""
    payload = {name: _normalized(doc.get(name)) for name in HASHED_FIELDS}
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def prepare_article(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored form of an article dict: UTC dates, ``published_at_local``, ``content_hash``."""
    out = {k: v for k, v in doc.items() if k not in _STORE_FIELDS}
    if not out.get("url"):
        raise ValueError("article without url")
    published = doc.get("published_at")
    if isinstance(published, str) and published:
        try:
            published = datetime.fromisoformat(published)
        except ValueError:
            published = None
    if isinstance(published, datetime) and published.tzinfo is not None:
        # pymongo stores UTC only; keep the offset the site used.
        out["published_at_local"] = published.isoformat()
    for name in _DATE_FIELDS:
        if name in out:
            out[name] = _as_datetime(out[name])
    out["content_hash"] = content_hash(out)
    return out


class QueryError(ValueError):
    """A query the store refuses: unknown field, or a value that would be an operator."""


# Fields a user may filter on with `where` (exact match; list fields match an element).
FILTER_FIELDS = (
    "site",
    "category",
    "category_source",
    "section",
    "language",
    "authors",
    "tags",
    "regions",
    "places",
    "parties",
    "people",
    "cluster_id",
    "duplicate_of",
    "url",
)
LIST_FIELDS = frozenset({"authors", "tags", "regions", "places", "parties", "people"})
SORT_FIELDS = ("published_at", "first_seen_at", "last_seen_at", "site", "category", "title")


def _plain(name: str, value: object) -> str:
    """A filter value as a plain string; anything starting with '$' is refused, so
    user input never becomes a MongoDB operator."""
    text = unicodedata.normalize("NFC", str(value)).strip()
    if text.startswith("$"):
        raise QueryError(f"{name}: a value may not start with '$' ({text!r})")
    return text


def article_query(
    site: str | None = None,
    category: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    text: str | None = None,
    *,
    where: dict[str, str] | None = None,
    tokens: list[str] | None = None,
) -> dict[str, Any]:
    """The MongoDB filter for the query options; every value is a literal."""
    query: dict[str, Any] = {}
    for name, value in {"site": site, "category": category, **(where or {})}.items():
        if name not in FILTER_FIELDS:
            raise QueryError(f"unknown filter {name!r}; filters: {', '.join(FILTER_FIELDS)}")
        if value:
            query[name] = _plain(name, value)
    date_range: dict[str, datetime] = {}
    if since is not None:
        date_range["$gte"] = _as_datetime(since)
    if until is not None:
        date_range["$lt"] = _as_datetime(until)
    if date_range:
        query["published_at"] = date_range
    if text:
        pattern = re.escape(_plain("text", text))
        query["$or"] = [{"title": {"$regex": pattern}}, {"body": {"$regex": pattern}}]
    if tokens is not None:
        # No token at all (a search of stop-words only) matches nothing, not everything.
        query["search_tokens"] = (
            {"$all": [_plain("search", t) for t in tokens]} if tokens else {"$in": []}
        )
    return query


class ArticleStore:
    """The ``articles`` and ``crawl_runs`` collections of one database."""

    def __init__(self, db: Database[dict[str, Any]]) -> None:
        self.db = db
        self.articles = db[ARTICLES]
        self.runs = db[CRAWL_RUNS]
        self.skipped = db[SKIPPED_PAGES]
        self.sightings = db[SIGHTINGS]

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
        """Insert new articles, version changed ones, touch unchanged ones; one bulk write."""
        return self._upsert(docs, retry_duplicates=True)

    def _upsert(self, docs: list[dict[str, Any]], retry_duplicates: bool) -> UpsertCounts:
        counts = UpsertCounts()
        # Within one batch the last copy of a URL wins; the earlier ones count as unchanged.
        by_url: dict[str, dict[str, Any]] = {}
        originals: dict[str, dict[str, Any]] = {}
        for doc in docs:
            prepared = prepare_article(doc)
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
        for url, doc in by_url.items():
            old = stored.get(url)
            if old is None:
                new_doc = {**doc, "first_seen_at": now, "last_seen_at": now, "version": 1}
                ops.append(InsertOne(new_doc))
                counts.new += 1
            elif old.get("content_hash") == doc["content_hash"]:
                touched = {name: doc[name] for name in _FETCH_FIELDS if doc.get(name)}
                ops.append(UpdateOne({"url": url}, {"$set": {**touched, "last_seen_at": now}}))
                counts.unchanged += 1
            else:
                ops.append(UpdateOne({"url": url}, self._new_version(doc, old, now)))
                counts.updated += 1

        try:
            self.articles.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            # Another writer inserted the same new URL meanwhile: redo those as updates.
            failed = _duplicate_insert_indexes(exc, ops)
            if not retry_duplicates or failed is None:
                raise
            urls = list(by_url)  # ops were built in this order, one per URL
            retry = [originals[urls[i]] for i in failed]
            counts.new -= len(retry)
            logger.debug("Retrying %d articles inserted concurrently", len(retry))
            counts += self._upsert(retry, retry_duplicates=False)
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
        fields = {"_id": 0, "url": 1, "listed_modified_at": 1, "modified_at": 1, "published_at": 1}
        return {
            doc["url"]: doc.get("listed_modified_at")
            or doc.get("modified_at")
            or doc.get("published_at")
            for doc in self.articles.find(query, fields)
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
                    UpdateOne({"_id": url}, {"$set": {"site": site, "last_seen_at": now}}, upsert=True)
                    for url in urls[start : start + chunk]
                ],
                ordered=False,
            )

    def with_last_seen(self, docs: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``docs`` with ``last_seen_at`` moved on to the article's latest sighting."""
        batch: list[dict[str, Any]] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= _IN_CHUNK:
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

    def skipped_pages(self, site: str) -> dict[str, datetime | None]:
        """URL -> listed lastmod of the site's pages fetched before and not stored."""
        fields = {"_id": 0, "url": 1, "listed_modified_at": 1}
        return {
            d["url"]: d.get("listed_modified_at") for d in self.skipped.find({"site": site}, fields)
        }

    def remember_skipped_pages(
        self, site: str, pages: dict[str, tuple[str, datetime | None]]
    ) -> None:
        now = datetime.now(UTC)
        self.skipped.bulk_write(
            [
                UpdateOne(
                    {"url": url},
                    {
                        "$set": {
                            "site": site,
                            "reason": reason,
                            "listed_modified_at": listed,
                            "seen_at": now,
                        }
                    },
                    upsert=True,
                )
                for url, (reason, listed) in pages.items()
            ],
            ordered=False,
        )

    def record_run(self, doc: dict[str, Any]) -> Any:
        """Insert one ``crawl_runs`` document and return its id."""
        return self.runs.insert_one(dict(doc)).inserted_id

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
        cursor = self.articles.find(query, projection or {"history": 0})
        cursor = cursor.sort([(field, direction), ("url", ASCENDING)]).limit(max(int(limit), 0))
        if projection is None or projection.get("last_seen_at"):
            yield from self.with_last_seen(cursor)
        else:
            yield from cursor

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


def _duplicate_insert_indexes(
    exc: BulkWriteError, ops: list[InsertOne[dict[str, Any]] | UpdateOne]
) -> list[int] | None:
    """Indexes of the inserts that failed only on a duplicate key, or None for other errors."""
    details = exc.details or {}
    errors = details.get("writeErrors", [])
    if details.get("writeConcernErrors") or not errors:
        return None
    indexes = [error["index"] for error in errors]
    if any(error.get("code") != DUPLICATE_KEY for error in errors):
        return None
    if not all(isinstance(ops[i], InsertOne) for i in indexes):
        return None
    return indexes
