"""Near-duplicate fingerprints in MongoDB, so that a later run finds earlier nights' stories.

:class:`FingerprintStore` keeps one document per article URL: its MinHash signature
and shingle count (see crawler/ml/neardup.py), the cluster it was put in and the
earliest copy it names; it also writes ``cluster_id`` and ``duplicate_of`` onto the
stored articles. :func:`fingerprint_doc` is an index entry's stored form. The
in-memory index and the comparison itself live in crawler/ml/neardup.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import numpy as np
from bson.binary import Binary
from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.database import Database

from crawler.ml.neardup import HASH_DTYPE, Entry, Fingerprint

__all__ = ["FingerprintStore", "fingerprint_doc"]


class FingerprintStore:
    """Signatures and clusters in MongoDB, one document per article URL.

    ``{url, site, published_at, minhash, size, text_hash, content_hash, cluster_id,
    duplicate_of, signature, first_seen_at, seen_at}``; ``minhash`` is the uint32
    hash values as little-endian bytes (a quarter of the size of an array of ints,
    and read back without a per-number decode).
    """

    def __init__(self, db: Database[dict[str, Any]], collection: str, articles: str = "articles"):
        self.collection = db[collection]
        self.articles = db[articles]

    def ensure_indexes(self) -> None:
        self.collection.create_indexes(
            [
                IndexModel([("url", ASCENDING)], name="url_unique", unique=True),
                IndexModel([("published_at", DESCENDING)], name="published_at"),
                IndexModel([("seen_at", DESCENDING)], name="seen_at"),
                IndexModel([("cluster_id", ASCENDING)], name="cluster_id"),
            ]
        )

    def load(
        self, signature: str, since: datetime
    ) -> list[tuple[Fingerprint, str, str, datetime | None]]:
        """(fingerprint, cluster_id, duplicate_of, first_seen_at) of the articles published
        or seen since ``since`` and made with ``signature``, first seen first.

        The earliest copies they name come too, however old: without them a cluster
        whose first copy left the window would elect a newer one.
        """
        query: dict[str, Any] = {
            "signature": signature,
            "$or": [{"published_at": {"$gte": since}}, {"seen_at": {"$gte": since}}],
        }
        docs = list(self.collection.find(query, {"_id": 0}))
        loaded = {doc["url"] for doc in docs}
        anchors = {doc["duplicate_of"] for doc in docs if doc.get("duplicate_of")} - loaded
        if anchors:
            query = {"signature": signature, "url": {"$in": sorted(anchors)}}
            docs.extend(self.collection.find(query, {"_id": 0}))
        epoch = datetime.min.replace(tzinfo=UTC)
        docs.sort(key=lambda doc: (doc.get("first_seen_at") or epoch, doc["url"]))
        return [
            (
                Fingerprint(
                    url=doc["url"],
                    site=doc.get("site", ""),
                    published_at=doc.get("published_at"),
                    minhash=np.frombuffer(doc["minhash"], dtype=HASH_DTYPE),
                    size=int(doc.get("size", 0)),
                    text_hash=doc.get("text_hash", ""),
                    content_hash=doc.get("content_hash", ""),
                ),
                doc["cluster_id"],
                doc.get("duplicate_of", ""),
                doc.get("first_seen_at"),
            )
            for doc in docs
        ]

    def save(self, docs: Iterable[dict[str, Any]]) -> int:
        """Upsert documents made by :func:`fingerprint_doc`; returns how many."""
        now = datetime.now(UTC)
        ops = [
            UpdateOne(
                {"url": doc["url"]},
                {"$set": {**doc, "seen_at": now}, "$setOnInsert": {"first_seen_at": now}},
                upsert=True,
            )
            for doc in docs
        ]
        if ops:
            self.collection.bulk_write(ops, ordered=False)
        return len(ops)

    def update_articles(self, changes: dict[str, tuple[str, str]]) -> int:
        """Set ``cluster_id`` and ``duplicate_of`` on stored articles; returns how many changed.

        ``changes`` maps an article URL to its (cluster_id, duplicate_of). Articles not
        stored (yet) are left alone.
        """
        ops = [
            UpdateOne({"url": url}, {"$set": {"cluster_id": cluster, "duplicate_of": first}})
            for url, (cluster, first) in changes.items()
        ]
        if not ops:
            return 0
        return self.articles.bulk_write(ops, ordered=False).modified_count


def fingerprint_doc(entry: Entry, duplicate_of: str, signature: str) -> dict[str, Any]:
    """The stored form of an entry (without the times the store sets)."""
    fp = entry.fingerprint
    return {
        "url": fp.url,
        "site": fp.site,
        "published_at": fp.published_at.astimezone(UTC) if fp.published_at else None,
        "minhash": Binary(fp.minhash.astype(HASH_DTYPE).tobytes()),
        "size": fp.size,
        "text_hash": fp.text_hash,
        "content_hash": fp.content_hash,
        "cluster_id": entry.cluster_id,
        "duplicate_of": duplicate_of,
        "signature": signature,
    }
