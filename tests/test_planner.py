"""Listings, searches and stats through crawler/storage/planner.py give what the
plain query on the articles gives (the server's own filter and sort are the
reference), on a real SecantusDB server; a drifted catalog is not trusted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from crawler.storage.queries import article_query
from crawler.storage.store import ArticleStore
from tests.test_store import article

START = datetime(2026, 11, 1, tzinfo=UTC)
SITES = ("jagran", "bhaskar", "aajtak")
CATEGORIES = ("crime", "sports", "national")


def stored(n: int) -> dict[str, Any]:
    """Article n: sites, categories and dates cycle (some share a date; one has none);
    every third mentions बाढ़, every article बारिश."""
    flood = " गांव में बाढ़ आई।" if n % 3 == 0 else ""
    return article(
        n,
        site=SITES[n % 3],
        category=CATEGORIES[n % 5 % 3],
        published_at=None if n == 7 else START + timedelta(hours=n // 2),
        body=f"राजधानी में सुबह से बारिश हो रही है।{flood}\n\nयातायात पर असर पड़ा {n}।",
        search_tokens=["बारिश", "राजधानी", *(["बाढ़"] if flood else [])],
    )


@pytest.fixture
def store(mongo_db: Database[dict[str, Any]]) -> ArticleStore:
    article_store = ArticleStore(mongo_db)
    article_store.ensure_indexes()
    article_store.upsert_articles([stored(n) for n in range(450)])
    return article_store


def reference(store: ArticleStore, query: dict[str, Any], field: str, direction: int) -> list:
    found = store.articles.find(query, {"url": 1}).sort([(field, direction), ("url", ASCENDING)])
    return [doc["url"] for doc in found]


@pytest.mark.parametrize(
    "filters",
    [
        {"site": "jagran"},
        {"category": "crime", "since": START + timedelta(hours=50)},
        {},
        {"tokens": ["बाढ़"]},  # 150 articles: one chunk of candidates
        {"tokens": ["बारिश"], "site": "bhaskar"},  # 450 candidates: three chunks
        {"tokens": ["बाढ़", "राजधानी"], "category": "sports"},
    ],
)
@pytest.mark.parametrize("sort", ["-published_at", "published_at", "title"])
def test_listing_is_what_the_articles_collection_says(
    store: ArticleStore, filters: dict[str, Any], sort: str
) -> None:
    assert store.planner.catalog_ready()
    query = article_query(**filters)
    direction = DESCENDING if sort.startswith("-") else ASCENDING
    expected = reference(store, query, sort.lstrip("-"), direction)
    assert expected  # every case matches something
    for limit in (0, 7):
        got = [doc["url"] for doc in store.iter_articles(**filters, sort=sort, limit=limit)]
        assert got == (expected[:limit] if limit else expected)


def test_stats_summary_is_what_the_articles_collection_says(store: ArticleStore) -> None:
    def rows(docs: Any) -> list[tuple[str, str, str]]:
        return sorted((d["site"], d["category"], str(d.get("published_at"))) for d in docs)

    for filters in ({}, {"site": "aajtak"}, {"tokens": ["बाढ़"]}):
        query = article_query(**filters)
        expected = rows(store.articles.find(query))
        assert len(expected) >= 50
        assert rows(store.summary(query)) == expected


def test_a_drifted_catalog_is_not_trusted_and_is_rebuilt(store: ArticleStore) -> None:
    # Written around the store, as a crash between the two writes would leave it.
    store.articles.insert_one(stored(1000))
    assert not store.planner.catalog_ready()
    urls = [doc["url"] for doc in store.iter_articles(site="bhaskar")]
    assert stored(1000)["url"] in urls
    store.ensure_indexes()
    assert store.planner.catalog_ready()
    assert stored(1000)["url"] in [doc["url"] for doc in store.iter_articles(site="bhaskar")]


def test_known_articles_from_the_catalog_follow_an_unchanged_refetch(
    store: ArticleStore,
) -> None:
    lastmod = START + timedelta(days=30)
    again = stored(10)
    again["listed_modified_at"] = lastmod  # the same article, listed with a new lastmod
    counts = store.upsert_articles([again])
    assert counts.unchanged == 1
    since = START + timedelta(hours=3)
    from_catalog = store.known_articles("bhaskar", since)
    store.planner.catalog.delete_one({"_id": stored(0)["url"]})  # drifted: articles decide
    assert not store.planner.catalog_ready()
    from_articles = store.known_articles("bhaskar", since)
    assert from_catalog == from_articles
    assert from_catalog[again["url"]] == lastmod
    # bhaskar: n % 3 == 1 (150 articles), less n=1 and n=4 (before hour 3) and n=7 (no date)
    assert len(from_catalog) == 147
