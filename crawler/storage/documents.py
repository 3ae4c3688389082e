"""What the store writes for an article: the fields whose change makes a new version,
the content hash over them, and an incoming document made ready to store (dates
as aware UTC datetimes, the store's own bookkeeping fields removed)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

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
FETCH_FIELDS = ("fetched_at", "listed_modified_at")
_SPACES = re.compile(r"\s+")


def as_datetime(value: Any) -> Any:
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
        return as_datetime(value).isoformat(timespec="seconds")
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
            out[name] = as_datetime(out[name])
    out["content_hash"] = content_hash(out)
    return out
