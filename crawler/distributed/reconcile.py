"""Near-duplicate clusters of a night several workers stored.

Each worker clusters the articles it processes in its own index (pipelines/dedupe,
loaded from MongoDB when it starts), so two copies of one story taken by two
workers the same night do not see each other. When the night is over, the
discoverer reads every fingerprint of the window from MongoDB, puts back those of
earlier nights in their clusters and places tonight's again, first seen first, in
one index, as a single process would have; articles and fingerprints whose
cluster or earliest copy changed are updated. Cluster ids are stable (the founding
article's), so articles no other copy joined keep theirs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from pymongo.errors import PyMongoError
from scrapy.settings import Settings

from crawler.ml.fingerprints import FingerprintStore, fingerprint_doc
from crawler.ml.neardup import DuplicateIndex, NearDupParams
from crawler.storage.config import MongoConfig

logger = logging.getLogger(__name__)


def reconcile_clusters(settings: Settings, night_started: datetime) -> int | None:
    """Re-place the fingerprints first seen since ``night_started`` in one index;
    the number of articles whose cluster changed, None when it could not run."""
    if not settings.getbool("DEDUPE_PERSIST"):
        return None
    params = NearDupParams.from_settings(settings)
    config = MongoConfig.from_settings(settings)
    window = timedelta(days=settings.getfloat("DEDUPE_WINDOW_DAYS"))
    try:
        client = config.connect()
    except Exception as exc:  # the embedded server could not start: nothing to correct
        logger.warning("near-duplicates not reconciled: %s", exc)
        return None
    try:
        store = FingerprintStore(client[config.database], settings.get("DEDUPE_COLLECTION"))
        loaded = store.load(params.signature, datetime.now(UTC) - window)
        index = DuplicateIndex(params)
        before: dict[str, tuple[str, str]] = {}
        tonight = []
        for fingerprint, cluster_id, duplicate_of, first_seen in loaded:
            before[fingerprint.url] = (cluster_id, duplicate_of)
            seen = (
                first_seen.replace(tzinfo=UTC)
                if first_seen and not first_seen.tzinfo
                else first_seen
            )
            if seen is not None and seen >= night_started:
                tonight.append(fingerprint)
            else:
                index.restore(fingerprint, cluster_id, duplicate_of, first_seen)
        for fingerprint in tonight:  # first seen first, as store.load sorts them
            index.add(fingerprint)
        changes = {}
        for entry in index.entries():
            now = (entry.cluster_id, index.duplicate_of(entry.url))
            if before.get(entry.url) != now:
                changes[entry.url] = now
        if changes:
            store.save(
                fingerprint_doc(index.entry(url), first, params.signature)
                for url, (_, first) in changes.items()
            )
            store.update_articles(changes)
    except PyMongoError as exc:
        logger.warning("near-duplicates not reconciled: %s", config.redact(str(exc)))
        return None
    finally:
        client.close()
    logger.info("near-duplicates of the night reconciled: %d articles changed", len(changes))
    return len(changes)
