"""An article too big for the store is cut in the clean step, counted and flagged
(issue 10, item 1). Synthetic text; the limits are the project's settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from pipelines.clean import CleanPipeline
from tests.helpers import project_settings

pytestmark = pytest.mark.reliability

PARAGRAPH = "राजधानी में सुबह से बारिश हो रही है और यातायात पर असर पड़ा है।"  # 59 chars


def clean(item: ArticleItem, **settings: object) -> tuple[ArticleItem, dict]:
    class CapSpider(Spider):
        name = "caps"

    crawler = get_crawler(CapSpider, project_settings(**settings))
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    CleanPipeline.from_crawler(crawler).process_item(item)
    return item, crawler.stats.get_stats()


def item(**fields: object) -> ArticleItem:
    values: dict = {
        "url": "https://www.jagran.com/news/huge.html",
        "site": "jagran",
        "title": "दिल्ली में भारी बारिश",
        "body": PARAGRAPH,
        "published_at": datetime(2026, 11, 20, 4, 0, tzinfo=UTC),
        "fetched_at": datetime(2026, 11, 20, 5, 0, tzinfo=UTC),
    }
    return ArticleItem(**(values | fields))


def test_a_huge_body_is_cut_at_a_paragraph_and_counted() -> None:
    # What a page with a 40 MB JSON-LD articleBody gives, scaled down: 20,000 paragraphs.
    huge = "\n\n".join([PARAGRAPH] * 20_000)
    cleaned, stats = clean(item(body=huge), CLEAN_MAX_BODY_CHARS=10_000)

    assert len(cleaned.body) <= 10_000
    assert cleaned.body.endswith("पड़ा है।")  # a whole paragraph, not a cut word
    assert cleaned.body.count(PARAGRAPH) == len(cleaned.body.split("\n\n"))
    assert stats["pipelines/clean/truncated/body"] == 1
    assert "truncated" in cleaned.text_flags


def test_the_default_body_cap_exists_and_keeps_a_real_article_whole() -> None:
    huge = "\n\n".join([PARAGRAPH] * 100_000)  # 6 million characters
    cleaned, stats = clean(item(body=huge))
    assert 0 < len(cleaned.body) <= 200_000

    normal, stats = clean(item(body="\n\n".join([PARAGRAPH] * 100)))
    assert normal.body == "\n\n".join([PARAGRAPH] * 100)
    assert "pipelines/clean/truncated/body" not in stats
    assert "truncated" not in normal.text_flags


def test_a_stuffed_title_description_and_tags_are_cut_and_counted() -> None:
    stuffed = " ".join(["बारिश"] * 2_000)  # 11,999 characters
    cleaned, stats = clean(
        item(description=stuffed, tags=["मौसम", stuffed]), CLEAN_MAX_FIELD_CHARS=500
    )

    assert len(cleaned.description) <= 500
    assert cleaned.description.endswith("बारिश")  # cut at a word
    assert cleaned.tags[0] == "मौसम"
    assert len(cleaned.tags[1]) <= 500
    assert cleaned.title == "दिल्ली में भारी बारिश"
    assert stats["pipelines/clean/truncated/description"] == 1
    assert stats["pipelines/clean/truncated/tags"] == 1
    assert "pipelines/clean/truncated/title" not in stats
