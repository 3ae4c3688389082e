from datetime import UTC, datetime, timedelta

import pytest

from crawler.dates import IST, parse_date, parse_since


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
