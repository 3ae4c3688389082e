"""validate, clean, dedupe and classify on single items, with real Scrapy stats."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.text.dates import IST
from pipelines.clean import CleanPipeline
from pipelines.dedupe import DedupePipeline
from pipelines.language import LanguagePipeline
from pipelines.validate import ArticleDropped, ValidatePipeline
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


@pytest.mark.parametrize("page_type", ["video", "gallery", "home", "listing"])
def test_a_page_that_is_not_an_article_is_a_permanent_drop(crawler, page_type: str) -> None:
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(ArticleDropped) as dropped:
        pipeline.process_item(article(page_type=page_type))
    assert (dropped.value.reason, dropped.value.permanent) == (f"not_article_{page_type}", True)
    assert dropped.value.url == "https://www.jagran.com/politics/national-x-1234567.html"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": ""}, "missing_title"),
        ({"body": ""}, "missing_body"),
        ({"published_at": None}, "missing_published_at"),
        ({"body": "छोटा"}, "body_too_short"),
    ],
)
def test_what_may_be_a_passing_fault_is_not_a_permanent_drop(
    crawler, fields: dict[str, object], reason: str
) -> None:
    with pytest.raises(ArticleDropped) as dropped:
        ValidatePipeline.from_crawler(crawler).process_item(article(**fields))
    assert (dropped.value.reason, dropped.value.permanent) == (reason, False)


def test_a_live_blog_is_kept_as_one_article(crawler) -> None:
    item = article(page_type="live")
    assert ValidatePipeline.from_crawler(crawler).process_item(item) is item


def test_a_body_decoded_with_the_wrong_charset_is_dropped_for_a_retry(crawler) -> None:
    # Bytes that were not UTF-8 come out as U+FFFD; a few stray ones are tolerated.
    garbled = "पहला \ufffd\ufffd\ufffd अनुच्छेद \ufffd\ufffd। " * 20
    with pytest.raises(ArticleDropped) as dropped:
        ValidatePipeline.from_crawler(crawler).process_item(article(body=garbled))
    assert (dropped.value.reason, dropped.value.permanent) == ("replacement_characters", False)
    item = article(body=BODY + "\ufffd")
    assert ValidatePipeline.from_crawler(crawler).process_item(item) is item


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


def test_a_page_not_in_hindi_is_a_permanent_drop(crawler) -> None:
    english = (
        "The state government announced a new scheme for farmers on Tuesday. "
        "Officials said the money would reach bank accounts within a week. " * 5
    )
    item = article(title="Farmers to get new support scheme", body=english)
    with pytest.raises(ArticleDropped) as dropped:
        LanguagePipeline.from_crawler(crawler).process_item(item)
    assert (dropped.value.reason, dropped.value.permanent) == ("language_en", True)
