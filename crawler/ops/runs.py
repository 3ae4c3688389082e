"""Run records: the readable ``summary`` of one spider's crawl, built from its Scrapy stats.

The store pipeline writes one ``crawl_runs`` document per spider and run; its
``summary`` says what an operator wants to know the morning after: when the
crawl ran and for how long, how it ended, what was requested and answered,
which articles are new, updated, unchanged or dropped (and why), and what went
wrong. Monitors (:mod:`crawler.ops.monitors`) and the report (:mod:`crawler.ops.report`)
read these summaries; records written before summaries existed get one built
from their raw stats by :func:`summary_of`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pymongo import DESCENDING

if TYPE_CHECKING:
    from crawler.storage.store import ArticleStore

_RESPONSE_STATUS = "downloader/response_status_count/"
_ROBOTS_STATUS = "robotstxt/response_status_count/"
_STORE = "pipelines/store/"
_COVERAGE_ITEMS = "pipelines/coverage/items"
_COVERAGE_FIELD = "pipelines/coverage/fields/"
# Failure examples kept in the summary; the full list (up to 100) stays in the raw stats.
MAX_FAILURE_EXAMPLES = 5


def _int(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    # Scrapy's start_time is aware; values read back from MongoDB may be naive UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def responses_by_status(stats: Mapping[str, Any]) -> dict[str, int]:
    """HTTP status (as a string, sorted) -> responses received."""
    found = {
        key[len(_RESPONSE_STATUS) :]: _int(stats, key)
        for key in stats
        if key.startswith(_RESPONSE_STATUS)
    }
    return dict(sorted(found.items()))


def dropped_by_reason(stats: Mapping[str, Any]) -> dict[str, int]:
    """``<stage>/<reason>`` -> items dropped, from every ``pipelines/<stage>/dropped/<reason>``."""
    out: dict[str, int] = {}
    for key in stats:
        parts = key.split("/")
        if len(parts) == 4 and parts[0] == "pipelines" and parts[2] == "dropped":
            out[f"{parts[1]}/{parts[3]}"] = _int(stats, key)
    return dict(sorted(out.items()))


def error_counts(stats: Mapping[str, Any]) -> dict[str, Any]:
    """What went wrong: pages given up, HTTP error answers, download errors, and their rate.

    robots.txt answers are left out of the HTTP errors: a site without one answers 404,
    which is normal. Every failed download attempt counts, retried or not.
    """
    requests = _int(stats, "downloader/request_count")
    http_errors = 0
    for status, count in responses_by_status(stats).items():
        if status.isdigit() and int(status) >= 400:
            http_errors += max(count - _int(stats, _ROBOTS_STATUS + status), 0)
    download_errors = _int(stats, "downloader/exception_count")
    failures = stats.get("spider/failures") or []
    return {
        "failed_pages": _int(stats, "spider/failed_pages"),
        # Pages that downloaded but did not parse, where the spider counts them apart.
        "parse_failures": (
            _int(stats, "spider/parse_failures") if "spider/parse_failures" in stats else None
        ),
        "http_errors": http_errors,
        "download_errors": download_errors,
        "spider_exceptions": _int(stats, "spider_exceptions/count"),
        "error_rate": round((http_errors + download_errors) / requests, 4) if requests else 0.0,
        "examples": [dict(f) for f in failures[:MAX_FAILURE_EXAMPLES] if isinstance(f, dict)],
    }


def coverage(stats: Mapping[str, Any]) -> dict[str, Any] | None:
    """Share of articles with each field, from the coverage pipeline's counts.

    The base of a field's share is the stored articles plus those the validate
    step dropped for lacking that very field, so a parser that stops finding
    titles shows as falling title coverage, not only as drops. None when the
    coverage pipeline did not run.
    """
    if _COVERAGE_ITEMS not in stats:
        return None
    items = _int(stats, _COVERAGE_ITEMS)
    fields: dict[str, float] = {}
    for key in sorted(stats):
        if not key.startswith(_COVERAGE_FIELD):
            continue
        name = key[len(_COVERAGE_FIELD) :]
        base = items + _int(stats, f"pipelines/validate/dropped/missing_{name}")
        fields[name] = round(_int(stats, key) / base, 4) if base else 0.0
    return {"articles": items, "fields": fields}


def extraction_counts(stats: Mapping[str, Any]) -> dict[str, Any] | None:
    """Articles parsed, how many needed a fallback, and field -> path -> count
    (from the spider's ``extraction/...`` stats); None when it counted none."""
    if "extraction/articles" not in stats:
        return None
    paths: dict[str, dict[str, int]] = {}
    for key in sorted(stats):
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "extraction":
            paths.setdefault(parts[1], {})[parts[2]] = _int(stats, key)
    return {
        "articles": _int(stats, "extraction/articles"),
        "fallback": _int(stats, "extraction/fallback"),
        "paths": paths,
    }


def build_summary(
    stats: Mapping[str, Any],
    *,
    site: str,
    finish_reason: str,
    finished_at: datetime,
    started_at: datetime | None = None,
) -> dict[str, Any]:
    """The readable ``summary`` sub-document of a run record, from one spider's stats."""
    started = _utc(stats.get("start_time")) or _utc(started_at)
    finished = _utc(finished_at)
    duration = (finished - started).total_seconds() if started and finished else None
    new, updated, unchanged = (_int(stats, _STORE + n) for n in ("new", "updated", "unchanged"))
    dropped = dropped_by_reason(stats)
    summary: dict[str, Any] = {
        "site": site,
        "started_at": started,
        "finished_at": finished,
        "duration_seconds": round(duration, 1) if duration is not None else None,
        "finish_reason": finish_reason,
        "requests": _int(stats, "downloader/request_count"),
        "responses": responses_by_status(stats),
        "articles": {
            "new": new,
            "updated": updated,
            "unchanged": unchanged,
            "stored": new + updated + unchanged,
            "journaled": _int(stats, _STORE + "journaled"),
            "dropped": dropped,
            "dropped_total": sum(dropped.values()),
            # Known articles the incremental check did not download again.
            "not_refetched": _int(stats, "incremental/skipped_known"),
        },
        "errors": error_counts(stats),
    }
    covered = coverage(stats)
    if covered is not None:
        summary["coverage"] = covered
    extraction = extraction_counts(stats)
    if extraction is not None:
        summary["extraction"] = extraction
    return summary


def summary_of(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A run record's summary; built from its raw stats for records that have none."""
    if isinstance(doc.get("summary"), Mapping):
        return dict(doc["summary"])
    stats = doc.get("stats") or {}
    finished = doc.get("finished_at") or stats.get("finish_time") or doc.get("started_at")
    return build_summary(
        stats,
        site=str(doc.get("spider") or ""),
        finish_reason=str(doc.get("finish_reason") or stats.get("finish_reason") or ""),
        finished_at=finished,
        started_at=doc.get("started_at"),
    )


def previous_summaries(
    store: ArticleStore, site: str, run_id: str, limit: int
) -> list[dict[str, Any]]:
    """Summaries of the site's latest finished runs before ``run_id``, newest first."""
    if limit <= 0:
        return []
    query = {"spider": site, "run_id": {"$ne": run_id}, "finish_reason": "finished"}
    cursor = store.runs.find(query, {"_id": 0}).sort("started_at", DESCENDING).limit(limit)
    return [summary_of(doc) for doc in cursor]


def run_records(store: ArticleStore, run_id: str) -> list[dict[str, Any]]:
    """The ``crawl_runs`` documents of one run (one per spider)."""
    return list(store.runs.find({"run_id": run_id}, {"_id": 0, "stats": 0}).sort("spider"))


def run_document(
    run_id: str,
    site: str,
    reason: str,
    started_at: datetime | None,
    finished_at: datetime | None,
    *,
    stats: Mapping[str, Any] | None = None,
    monitors: list[dict[str, str]] | None = None,
    store: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``crawl_runs`` document of one spider's run. Without ``stats`` it is the
    record written at the start ("running"; readers build a summary from the empty
    stats, see :func:`summary_of`)."""
    doc: dict[str, Any] = {
        "run_id": run_id,
        "spider": site or None,
        "started_at": started_at,
        "finished_at": finished_at,
        "finish_reason": reason,
        # Which process ran it: the next start marks a "running" record of a dead one.
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    if stats is None:
        return doc | {"stats": {}}
    summary = build_summary(
        stats, site=site, finish_reason=reason, finished_at=finished_at, started_at=started_at
    )
    return doc | {
        "summary": mongo_safe(summary),
        "monitors": monitors or [],
        "stats": mongo_safe(dict(stats)),
        "store": dict(store or {}),
    }


def mongo_safe(value: Any) -> Any:
    """``value`` with dict keys MongoDB accepts: no dots, no leading ``$``.

    Dots and dollars become their full-width forms, the usual MongoDB convention.
    Datetimes, numbers and strings stay as they are; other objects become strings.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = str(key).replace(".", "\uff0e")
            if key.startswith("$"):
                key = "\uff04" + key[1:]
            out[key] = mongo_safe(item)
        return out
    if isinstance(value, list | tuple):
        return [mongo_safe(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str | datetime):
        return value
    return str(value)
