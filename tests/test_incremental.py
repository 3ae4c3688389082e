"""The incremental decision per listed URL (KnownArticles), with real Scrapy stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.storage.incremental import KnownArticles
from crawler.storage.store import ArticleStore
from tests.helpers import project_settings

STORED_MARK = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
URL = "https://www.jagran.com/a-1234567.html"


def known(**settings: object) -> KnownArticles:
    crawler = get_crawler(settings_dict=project_settings(**settings))
    crawler.stats.open_spider()
    articles = KnownArticles.from_crawler(crawler)
    articles.known = {URL: STORED_MARK}
    return articles


def test_new_url_is_fetched_and_known_one_skipped() -> None:
    articles = known()
    assert articles.should_fetch("https://www.jagran.com/new-7654321.html", None, None)
    assert not articles.should_fetch(URL, None, STORED_MARK)
    assert articles.skipped == [URL]
    stats = articles.crawler.stats
    assert stats.get_value("incremental/fetched_new") == 1
    assert stats.get_value("incremental/skipped_known") == 1


def test_newer_lastmod_from_a_later_source_turns_a_skip_into_a_fetch() -> None:
    articles = known()
    assert not articles.should_fetch(URL, None, None)  # RSS: no lastmod
    assert articles.should_fetch(URL, None, STORED_MARK + timedelta(hours=1))  # news sitemap
    stats = articles.crawler.stats
    assert stats.get_value("incremental/skipped_known") == 0
    assert stats.get_value("incremental/fetched_changed") == 1
    assert articles.skipped == []


def test_refresh_window_refetches_young_articles() -> None:
    articles = known(INCREMENTAL_REFRESH="6h")
    young = datetime.now(UTC) - timedelta(hours=2)
    old = datetime.now(UTC) - timedelta(hours=30)
    assert articles.should_fetch(URL, young, None)
    assert not known(INCREMENTAL_REFRESH="6h").should_fetch(URL, old, None)


def test_switched_off() -> None:
    with pytest.raises(NotConfigured):
        KnownArticles.from_crawler(
            get_crawler(settings_dict=project_settings(INCREMENTAL_ENABLED=False))
        )


# --- pages fetched and not stored: skipped for good, or fetched again ---------------------

PARSER = "jagran/v1"


def record(**fields: object) -> dict[str, object]:
    return {
        "reason": "missing_body",
        "permanent": False,
        "attempts": 1,
        "parser": PARSER,
        "listed_modified_at": None,
        **fields,
    }


def test_a_permanent_drop_is_skipped_and_a_passing_fault_retried() -> None:
    articles = known(INCREMENTAL_MAX_RETRIES=2)
    video, empty = "https://www.jagran.com/videos/v-1234567.html", "https://www.jagran.com/e-1.html"
    articles.take_skipped(
        {video: record(reason="not_article_video", permanent=True), empty: record()}, PARSER
    )
    assert not articles.should_fetch(video, None, None)
    assert articles.should_fetch(empty, None, None)
    stats = articles.crawler.stats
    assert stats.get_value("incremental/retried_after_drop") == 1
    assert stats.get_value("incremental/skipped_known") == 1
    assert stats.get_value("incremental/fetched_new") is None


def test_retries_stop_after_the_limit() -> None:
    articles = known(INCREMENTAL_MAX_RETRIES=2)
    tried = {f"https://www.jagran.com/e-{n}.html": record(attempts=n) for n in (1, 2, 3)}
    articles.take_skipped(tried, PARSER)
    # Dropped on 1 and 2 nights: retried; on 3 (the first fetch and 2 retries): given up.
    assert [articles.should_fetch(url, None, None) for url in tried] == [True, True, False]
    # The next drop of a retried page counts one more night.
    articles.remember_not_stored(
        "https://www.jagran.com/e-2.html", "missing_body", None, permanent=False, parser=PARSER
    )
    assert articles.not_stored["https://www.jagran.com/e-2.html"]["attempts"] == 3


def test_no_retries_means_every_drop_is_skipped() -> None:
    articles = known(INCREMENTAL_MAX_RETRIES=0)
    articles.take_skipped({"https://www.jagran.com/e-1.html": record()}, PARSER)
    assert not articles.should_fetch("https://www.jagran.com/e-1.html", None, None)


def test_a_new_parser_version_judges_skipped_pages_again() -> None:
    articles = known()
    video = "https://www.jagran.com/videos/v-1234567.html"
    articles.take_skipped({video: record(permanent=True, parser="jagran/v1")}, "jagran/v2")
    assert articles.should_fetch(video, None, None)
    assert articles.crawler.stats.get_value("incremental/fetched_new") == 1


def test_skipped_pages_expire_in_the_store(mongo_db) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    now = datetime.now(UTC)
    keep = timedelta(days=30)
    store.remember_skipped_pages(
        "jagran", {"https://www.jagran.com/old.html": record()}, now - timedelta(days=31), keep
    )
    store.remember_skipped_pages(
        "jagran", {"https://www.jagran.com/new.html": record(permanent=True)}, now, keep
    )
    # Written before expiries existed: no expires_at, seen 40 and 10 days ago.
    mongo_db.skipped_pages.insert_many(
        [
            {
                "url": "https://www.jagran.com/legacy-old.html",
                "site": "jagran",
                "reason": "outside_window",
                "seen_at": now - timedelta(days=40),
            },
            {
                "url": "https://www.jagran.com/legacy.html",
                "site": "jagran",
                "reason": "outside_window",
                "seen_at": now - timedelta(days=10),
            },
        ]
    )
    found = store.skipped_pages("jagran", now, keep)
    assert set(found) == {"https://www.jagran.com/new.html", "https://www.jagran.com/legacy.html"}
    assert found["https://www.jagran.com/new.html"] == record(permanent=True)
    assert store.skipped_pages("bhaskar", now, keep) == {}
    # Each write deletes the site's expired records.
    urls = {doc["url"] for doc in mongo_db.skipped_pages.find()}
    assert "https://www.jagran.com/old.html" not in urls


def test_load_and_save_round_trip_through_mongodb(mongo_server: str, mongo_db) -> None:
    settings = {"MONGO_URI": mongo_server, "MONGO_DATABASE": mongo_db.name}
    first = known(**settings)
    first.known = {}
    gone, empty = "https://www.jagran.com/gone-1.html", "https://www.jagran.com/empty-1.html"
    first.remember_not_stored(gone, "http_404", None, permanent=True, parser=PARSER)
    first.remember_not_stored(empty, "missing_body", None, permanent=False, parser=PARSER)
    first.save("jagran")

    second = known(**settings)
    second.known = {}
    second.load("jagran", datetime.now(UTC) - timedelta(days=1), PARSER)
    assert not second.should_fetch(gone, None, None)
    assert second.should_fetch(empty, None, None)
    assert second.crawler.stats.get_value("incremental/retried_after_drop") == 1
