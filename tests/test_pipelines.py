"""validate, clean, dedupe and classify on single items, with real Scrapy stats."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.dates import IST
from crawler.items import ArticleItem
from pipelines.clean import CleanPipeline
from pipelines.dedupe import DedupePipeline
from pipelines.validate import ValidatePipeline
from tests.helpers import project_settings

BODY = "पहला अनुच्छेद। " * 20


def article(**fields: object) -> ArticleItem:
    defaults = {
        "url": "https://www.jagran.com/politics/national-x-1234567.html",
        "site": "jagran",
        "title": "शीर्षक",
        "body": BODY,
        "published_at": datetime(2026, 11, 20, 10, 0, tzinfo=IST),
    }
    return ArticleItem(**{**defaults, **fields})


@pytest.fixture
def crawler():
    crawler = get_crawler(settings_dict=project_settings(VALIDATE_MIN_BODY_CHARS=100))
    crawler.stats.open_spider()
    return crawler


def test_video_page_is_dropped_and_counted(crawler) -> None:
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="not_article_video"):
        pipeline.process_item(article(page_type="video"))
    assert crawler.stats.get_value("pipelines/validate/dropped/not_article_video") == 1


def test_missing_title_and_short_body_are_dropped(crawler) -> None:
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="missing_title"):
        pipeline.process_item(article(title=""))
    with pytest.raises(DropItem, match="missing_published_at"):
        pipeline.process_item(article(published_at=None))
    with pytest.raises(DropItem, match="body_too_short"):
        pipeline.process_item(article(body="छोटा"))
    assert pipeline.process_item(article()) is not None
    assert crawler.stats.get_value("pipelines/validate/passed") == 1


def test_clean_normalizes_fields_and_strips_furniture(crawler) -> None:
    item = article(
        title="  सड़क\u00a0हादसा ",  # decomposed nukta and a no-break space
        authors=["Brijesh  Srivastava", "Brijesh Srivastava"],
        body=BODY.strip() + "\n\nये भी पढ़ें: दूसरी खबर का शीर्षक यहां है",
    )
    CleanPipeline.from_crawler(crawler).process_item(item)
    assert item.title == "सड़क हादसा"
    assert item.authors == ["Brijesh Srivastava"]
    assert item.body == BODY.strip()
    assert crawler.stats.get_value("pipelines/clean/removed/also_read") == 1


def test_dedupe_keeps_one_item_per_url(crawler) -> None:
    pipeline = DedupePipeline.from_crawler(crawler)
    pipeline.process_item(article())
    with pytest.raises(DropItem):
        pipeline.process_item(article())
