"""The incremental decision per listed URL (KnownArticles), with real Scrapy stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.incremental import KnownArticles
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
