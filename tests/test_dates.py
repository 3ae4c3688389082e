import re
from datetime import UTC, date, datetime, timedelta

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.text.dates import (
    IST,
    date_from_page,
    find_date,
    first_valid_date,
    not_in_future,
    parse_date,
    parse_duration,
    parse_since,
)
from pipelines.clean import CleanPipeline
from tests.helpers import SITES_DIR, project_settings


def test_iso_with_ist_offset_keeps_the_offset() -> None:
    parsed = parse_date("2020-11-28T13:34:47+05:30")
    assert parsed == datetime(2020, 11, 28, 8, 4, 47, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=5, minutes=30)


def test_naive_date_is_read_as_ist() -> None:
    assert parse_date("2026-11-20T10:00:00") == datetime(2026, 11, 20, 10, 0, tzinfo=IST)


def test_jagran_dateline_text() -> None:
    parsed = parse_date("Publish Date:Sat, 28 Nov 2020 01:34 PM (IST)")
    assert parsed == datetime(2020, 11, 28, 13, 34, tzinfo=IST)


def test_hindi_month_name() -> None:
    parsed = parse_date("21 नवंबर 2026")
    assert (parsed.year, parsed.month, parsed.day) == (2026, 11, 21)


def test_rss_pubdate() -> None:
    parsed = parse_date("Fri, 20 Nov 2026 09:15:00 +0530")
    assert parsed == datetime(2026, 11, 20, 3, 45, tzinfo=UTC)


def test_garbage_is_none() -> None:
    assert parse_date("not a date at all") is None
    assert parse_date("") is None
    assert parse_date(None) is None


def test_since_spans_and_dates() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert parse_since("1d", now) == now - timedelta(days=1)
    assert parse_since("36h", now) == now - timedelta(hours=36)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=IST)


def test_since_rejects_nonsense_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match="expected a span like 1d"):
        parse_since("yesterday-ish")


# --- real-world text forms, relative forms, future dates (the "clean text" issue) --------

# The crawl time the relative forms count back from: 21 Nov 2026, 17:30 in India.
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21 नवंबर 2026", datetime(2026, 11, 21, tzinfo=IST)),
        ("21 नवम्बर 2026", datetime(2026, 11, 21, tzinfo=IST)),
        ("२१ नवंबर २०२६", datetime(2026, 11, 21, tzinfo=IST)),
        ("21 नव. 2026", datetime(2026, 11, 21, tzinfo=IST)),
        ("नवंबर 21, 2026", datetime(2026, 11, 21, tzinfo=IST)),
        ("21 जन 2026", datetime(2026, 1, 21, tzinfo=IST)),  # dateparser alone reads June
        ("14 फ़रवरी 2020", datetime(2020, 2, 14, tzinfo=IST)),
        ("3 अक्तूबर 2025", datetime(2025, 10, 3, tzinfo=IST)),
        ("शनिवार, 21 नवंबर 2026 10:15 AM (IST)", datetime(2026, 11, 21, 10, 15, tzinfo=IST)),
        ("अपडेटेड: Sat, 21 Nov 2026 10:15 AM (IST)", datetime(2026, 11, 21, 10, 15, tzinfo=IST)),
        ("Updated: 21 Nov 2026", datetime(2026, 11, 21, tzinfo=IST)),
        ("Last Updated: November 21, 2026, 10:15 IST", datetime(2026, 11, 21, 10, 15, tzinfo=IST)),
        ("प्रकाशित: 14 फरवरी 2020, 09:42 PM", datetime(2020, 2, 14, 21, 42, tzinfo=IST)),
        ("21 नवंबर 2026 सुबह 10:15", datetime(2026, 11, 21, 10, 15, tzinfo=IST)),
        ("21 नवंबर 2026 शाम 5:30 बजे", datetime(2026, 11, 21, 17, 30, tzinfo=IST)),
        ("21 नवंबर 2026, रात 10:30 बजे", datetime(2026, 11, 21, 22, 30, tzinfo=IST)),
        ("रात 2 बजे, 21 नवंबर 2026", datetime(2026, 11, 21, 2, 0, tzinfo=IST)),
        ("05/11/2026", datetime(2026, 11, 5, tzinfo=IST)),  # day first
        ("05-11-2026", datetime(2026, 11, 5, tzinfo=IST)),
        ("21.11.2026 10:15", datetime(2026, 11, 21, 10, 15, tzinfo=IST)),
        ("Nov 21, 2026 10:15 PM", datetime(2026, 11, 21, 22, 15, tzinfo=IST)),
    ],
)
def test_absolute_date_text(text: str, expected: datetime) -> None:
    parsed = parse_date(text, NOW)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(hours=5, minutes=30)  # the source's offset kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 घंटे पहले", datetime(2026, 11, 21, 9, 0, tzinfo=UTC)),
        ("9 minutes ago", datetime(2026, 11, 21, 11, 51, tzinfo=UTC)),
        ("an hour ago", datetime(2026, 11, 21, 11, 0, tzinfo=UTC)),
        ("एक घंटा पहले", datetime(2026, 11, 21, 11, 0, tzinfo=UTC)),
        ("5 मिनट पहले", datetime(2026, 11, 21, 11, 55, tzinfo=UTC)),
        ("2 दिन पहले", datetime(2026, 11, 19, 12, 0, tzinfo=UTC)),
        ("2 हफ़्ते पहले", datetime(2026, 11, 7, 12, 0, tzinfo=UTC)),
        ("1 month ago", datetime(2026, 10, 21, 12, 0, tzinfo=UTC)),
        ("अभी", NOW),
        # Day words: the day in India (21 Nov), at midnight unless a time is given.
        ("आज", datetime(2026, 11, 21, tzinfo=IST)),
        ("कल", datetime(2026, 11, 20, tzinfo=IST)),  # yesterday, never tomorrow
        ("परसों", datetime(2026, 11, 19, tzinfo=IST)),
        ("कल 10:15 AM", datetime(2026, 11, 20, 10, 15, tzinfo=IST)),
        ("आज सुबह 10:15", datetime(2026, 11, 21, 10, 15, tzinfo=IST)),
        ("Yesterday, 10:15 AM", datetime(2026, 11, 20, 10, 15, tzinfo=IST)),
    ],
)
def test_relative_date_text_counts_back_from_now(text: str, expected: datetime) -> None:
    parsed = parse_date(text, NOW)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(hours=5, minutes=30)


def test_day_word_counts_in_indian_time() -> None:
    # 20:00 UTC on the 21st is already the 22nd in India: "आज" is the 22nd.
    late = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    assert parse_date("आज", late) == datetime(2026, 11, 22, tzinfo=IST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "नई दिल्ली | अपडेटेड: शनिवार, 21 नवंबर 2026 10:15 AM (IST) | राजेश कुमार",
            datetime(2026, 11, 21, 10, 15, tzinfo=IST),
        ),
        (
            "Written by Priya Singh, Updated: 21 Nov 2026, 10:15 am IST",
            datetime(2026, 11, 21, 10, 15, tzinfo=IST),
        ),
        ("राजेश कुमार • 3 घंटे पहले", datetime(2026, 11, 21, 9, 0, tzinfo=UTC)),
        ("बैठक 05/11/2026 को हुई थी", datetime(2026, 11, 5, tzinfo=IST)),
        ("Jan 5, 2026 at 9:30 PM", datetime(2026, 1, 5, 21, 30, tzinfo=IST)),
    ],
)
def test_date_found_inside_longer_text(text: str, expected: datetime) -> None:
    assert find_date(text, NOW) == expected


@pytest.mark.parametrize("text", ["कल बैठक होगी", "सपा ने 50 सीटें जीतीं।", "", "मई में चुनाव होंगे"])
def test_no_date_in_ordinary_text(text: str) -> None:
    assert find_date(text, NOW) is None


# --- future dates ---------------------------------------------------------------------


def test_date_within_the_skew_is_kept_beyond_it_rejected() -> None:
    soon = NOW + timedelta(hours=1)
    assert not_in_future(soon, NOW) == soon
    assert not_in_future(NOW + timedelta(hours=3), NOW) is None
    assert not_in_future(NOW + timedelta(hours=3), NOW, timedelta(hours=4)) is not None


def test_first_valid_date_skips_a_future_candidate() -> None:
    # A JSON-LD date stamped a day ahead, then the meta tag's date.
    candidates = ["2026-11-22T10:00:00+05:30", None, "2026-11-21T09:00:00+05:30"]
    assert first_valid_date(candidates, NOW) == datetime(2026, 11, 21, 9, 0, tzinfo=IST)
    assert first_valid_date(["2026-12-01"], NOW) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2h", timedelta(hours=2)), ("90m", timedelta(minutes=90)), ("1d", timedelta(days=1)),
     ("30", timedelta(seconds=30)), (45, timedelta(seconds=45))],
)  # fmt: skip
def test_skew_setting_spans(value: object, expected: timedelta) -> None:
    assert parse_duration(value) == expected


def test_skew_setting_nonsense_rejected() -> None:
    with pytest.raises(ValueError, match="expected a span like 2h"):
        parse_duration("soon")


def _crawler(**settings: object):
    crawler = get_crawler(settings_dict=project_settings(**settings))
    crawler.stats.open_spider()
    return crawler


def _item(published: datetime | None, modified: datetime | None = None) -> ArticleItem:
    return ArticleItem(
        url="https://www.example.in/a-1.html",
        site="example",
        title="शीर्षक",
        body="सपा की बैठक।",
        published_at=published,
        modified_at=modified,
        fetched_at=NOW,
    )


def test_clean_pipeline_drops_an_article_published_in_the_future() -> None:
    crawler = _crawler()
    with pytest.raises(DropItem, match=r"^future_date: "):
        CleanPipeline.from_crawler(crawler).process_item(_item(NOW + timedelta(hours=3)))
    assert crawler.stats.get_value("pipelines/clean/dropped/future_date") == 1


def test_clean_pipeline_keeps_small_skew_and_clears_a_future_modified_date() -> None:
    crawler = _crawler()
    item = _item(NOW + timedelta(minutes=90), modified=NOW + timedelta(days=2))
    CleanPipeline.from_crawler(crawler).process_item(item)
    assert item.published_at == NOW + timedelta(minutes=90)
    assert item.modified_at is None
    assert crawler.stats.get_value("pipelines/clean/cleared/future_modified_at") == 1


def test_clean_pipeline_skew_is_a_setting() -> None:
    crawler = _crawler(DATES_MAX_FUTURE_SKEW="6h")
    item = _item(NOW + timedelta(hours=3))
    assert CleanPipeline.from_crawler(crawler).process_item(item) is item


# --- htmldate fallback for pages without JSON-LD or meta dates -----------------------------

JAGRAN_2020 = (
    SITES_DIR
    / "www.jagran.com/uttar-pradesh"
    / (
        "allahabad-city-aam-aadmi-party-workers-will-agitate-on-the-issue-of-electricity"
        "-in-prayagraj-21109565.html"
    )
)


def _without_structured_dates(html: str) -> str:
    html = re.sub(r"<script[^>]*ld\+json.*?</script>", "", html, flags=re.S)
    return re.sub(r"<meta[^>]*(?:time|date|Date)[^>]*>", "", html)


def test_date_from_page_without_jsonld_or_meta() -> None:
    # A real Jagran page (published 28 Nov 2020, 13:34 IST) with its JSON-LD and meta
    # dates taken out: the date is still in its markup and text.
    html = _without_structured_dates(JAGRAN_2020.read_text(encoding="utf-8"))
    assert "datePublished" not in html and "published_time" not in html
    found = date_from_page(
        html, "https://www.jagran.com/uttar-pradesh/allahabad-city-21109565.html", NOW
    )
    assert found is not None
    assert found.astimezone(IST).date() == date(2020, 11, 28)


def test_date_from_page_reads_a_dateline() -> None:
    html = (
        "<html><body><article><h1>सपा की बैठक</h1>"
        "<p class='date'>Updated: 21 Nov 2026</p><p>सपा की बैठक कोलकाता में हुई।</p>"
        "</article></body></html>"
    )
    found = date_from_page(html, "", NOW)
    assert found is not None and found.date() == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        (
            "<span class='publish-date'>अपडेटेड: शनिवार, 21 नवंबर 2026 10:15 AM (IST)</span>",
            datetime(2026, 11, 21, 10, 15, tzinfo=IST),
        ),
        ("<span class='Time'>3 घंटे पहले</span>", datetime(2026, 11, 21, 9, 0, tzinfo=UTC)),
    ],
)
def test_date_from_page_reads_a_hindi_dateline(dateline: str, expected: datetime) -> None:
    html = f"<html><body><h1>सपा की बैठक</h1>{dateline}<p>सपा की बैठक हुई।</p></body></html>"
    assert date_from_page(html, "", NOW) == expected


def test_date_from_page_rejects_a_future_date() -> None:
    html = "<html><body><p>Published: 25 Dec 2026</p><p>सपा की बैठक।</p></body></html>"
    assert date_from_page(html, "", NOW) is None


def test_date_from_page_without_any_date() -> None:
    assert date_from_page("<html><body><p>सपा की बैठक।</p></body></html>", "", NOW) is None
