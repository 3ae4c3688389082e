"""Article queries users may ask: the fields they may filter and sort on (from the
item's field metadata) and the MongoDB filter for a query's options, where every
value stays a literal (a value starting with '$' is refused)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from crawler.items import ArticleItem
from crawler.storage.documents import as_datetime


class QueryError(ValueError):
    """A query the store refuses: unknown field, or a value that would be an operator."""


# Fields a user may filter on with `where` (exact match; list fields match an element)
# and sort by, from the item's field metadata; the store's own dates sort too.
FILTER_FIELDS = ArticleItem.fields_with("filter")
LIST_FIELDS = ArticleItem.list_fields() & set(FILTER_FIELDS)
SORT_FIELDS = (*ArticleItem.fields_with("sort"), "first_seen_at", "last_seen_at")
# Bookkeeping the store adds to every article, exported after the item's own fields.
STORE_EXPORT_FIELDS = ("first_seen_at", "last_seen_at", "version")


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
        date_range["$gte"] = as_datetime(since)
    if until is not None:
        date_range["$lt"] = as_datetime(until)
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
