"""Monitors: each check on hand-made run summaries, the suite from settings, the
verdicts in the store pipeline's run record, and failed_monitors() on real records."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.ops.monitors import (
    ErrorRateMonitor,
    FieldCoverageMonitor,
    FinishReasonMonitor,
    MonitorResult,
    MonitorsExtension,
    MonitorSuite,
    NewArticlesMonitor,
    ParserDriftMonitor,
    ParserFailuresMonitor,
    failed_monitors,
    failure_messages,
)
from crawler.ops.runs import build_summary
from crawler.storage.store import ArticleStore
from pipelines.store import MongoStorePipeline
from tests.helpers import project_settings


def summary(**parts: Any) -> dict[str, Any]:
    """A run summary as crawler.ops.runs.build_summary makes it, with the given parts replaced."""
    base: dict[str, Any] = {
        "site": "jagran",
        "finish_reason": "finished",
        "requests": 100,
        "responses": {"200": 100},
        "articles": {"new": 20, "updated": 0, "unchanged": 0, "dropped": {}, "dropped_total": 0},
        "errors": {
            "failed_pages": 0,
            "parse_failures": None,
            "http_errors": 0,
            "download_errors": 0,
            "error_rate": 0.0,
            "examples": [],
        },
    }
    return base | parts


def with_new(n: int) -> dict[str, Any]:
    return summary(articles={"new": n, "dropped": {}, "dropped_total": 0})


# --- each monitor ---------------------------------------------------------------------------


def test_finish_reason_other_than_finished_fails() -> None:
    assert FinishReasonMonitor().check(summary(), []).status == "passed"
    result = FinishReasonMonitor().check(summary(finish_reason="shutdown"), [])
    assert result.status == "failed"
    assert "'shutdown'" in result.message


def test_no_new_articles_where_the_site_usually_has_some_fails() -> None:
    history = [with_new(12), with_new(0), with_new(9)]  # 2 of 3 runs had some; median 9
    result = NewArticlesMonitor(min_new=1, min_history=3).check(with_new(0), history)
    assert result == MonitorResult(
        "new_articles", "failed", "no new articles; 2 of the last 3 runs had some, median 9"
    )


def test_new_articles_pass_when_there_are_some() -> None:
    history = [with_new(12), with_new(10), with_new(9)]
    assert NewArticlesMonitor(1, 3).check(with_new(4), history).status == "passed"


def test_a_site_that_often_has_nothing_new_does_not_fail() -> None:
    history = [with_new(0), with_new(3), with_new(0), with_new(0)]  # 1 of 4 had some
    assert NewArticlesMonitor(1, 3).check(with_new(0), history).status == "passed"


def test_too_little_history_skips_the_new_articles_check() -> None:
    result = NewArticlesMonitor(1, 3).check(with_new(0), [with_new(12), with_new(11)])
    assert result.status == "skipped"
    assert "2 earlier run(s), 3 needed" in result.message


def test_fewer_than_the_minimum_new_articles_fail() -> None:
    history = [with_new(30)] * 3
    result = NewArticlesMonitor(min_new=5, min_history=3).check(with_new(2), history)
    assert result.status == "failed"
    assert result.message.startswith("only 2 new (at least 5 expected)")


def test_error_rate_above_the_threshold_fails() -> None:
    errors = summary()["errors"] | {"http_errors": 20, "download_errors": 5, "error_rate": 0.25}
    result = ErrorRateMonitor(0.2).check(summary(errors=errors), [])
    assert result.status == "failed"
    assert result.message == (
        "20 HTTP errors and 5 download errors in 100 requests (25%), above 20%"
    )


def test_error_rate_at_the_threshold_passes() -> None:
    errors = summary()["errors"] | {"http_errors": 20, "error_rate": 0.2}
    assert ErrorRateMonitor(0.2).check(summary(errors=errors), []).status == "passed"


def coverage_summary(articles: int, fields: dict[str, float], dropped: dict[str, int]) -> dict:
    return summary(
        articles={"new": articles, "dropped": dropped, "dropped_total": sum(dropped.values())},
        coverage={"articles": articles, "fields": fields},
    )


def test_field_coverage_below_a_threshold_fails_and_names_the_field() -> None:
    monitor = FieldCoverageMonitor({"title": 0.9, "authors": 0.5}, min_articles=5)
    run = coverage_summary(10, {"title": 1.0, "authors": 0.2, "body": 1.0}, {})
    result = monitor.check(run, [])
    assert result.status == "failed"
    assert result.message == "low field coverage: authors 20% < 50%"


def test_field_coverage_counts_articles_dropped_for_the_missing_field() -> None:
    # A broken title selector: nothing stored, everything dropped for missing_title.
    monitor = FieldCoverageMonitor({"title": 0.9}, min_articles=5)
    run = coverage_summary(0, {"title": 0.0}, {"validate/missing_title": 30})
    result = monitor.check(run, [])
    assert result.status == "failed"
    assert "title 0% < 90%" in result.message


def test_field_coverage_with_too_few_articles_is_skipped() -> None:
    monitor = FieldCoverageMonitor({"title": 0.9}, min_articles=5)
    run = coverage_summary(3, {"title": 0.0}, {"validate/not_article_video": 4})
    assert monitor.check(run, []).status == "skipped"


def test_field_coverage_without_coverage_counts_is_skipped() -> None:
    result = FieldCoverageMonitor({"title": 0.9}, 1).check(summary(), [])
    assert result.status == "skipped"
    assert "CoveragePipeline" in result.message


def test_parser_failures_above_the_maximum_fail_with_an_example() -> None:
    errors = summary()["errors"] | {
        "failed_pages": 7,
        "examples": [{"url": "https://www.jagran.com/a.html", "reason": "ValueError: no title"}],
    }
    result = ParserFailuresMonitor(5).check(summary(errors=errors), [])
    assert result.status == "failed"
    assert result.message == (
        "7 page(s) failed, e.g. https://www.jagran.com/a.html: ValueError: no title (at most 5)"
    )


def test_parser_failures_prefer_the_parse_failure_count_when_kept() -> None:
    errors = summary()["errors"] | {"failed_pages": 9, "parse_failures": 1}
    result = ParserFailuresMonitor(5).check(summary(errors=errors), [])
    assert result == MonitorResult("parser_failures", "passed", "1 page(s) did not parse")


def drift(articles: int, fallback: int, **paths: int) -> dict[str, Any]:
    body = {"selector": articles - fallback, **paths} if paths else {}
    return summary(extraction={"articles": articles, "fallback": fallback, "paths": {"body": body}})


def test_parser_drift_fails_when_most_articles_needed_a_fallback() -> None:
    result = ParserDriftMonitor(0.5, 5).check(drift(40, 37, generic=30, jsonld=7), [])
    assert result == MonitorResult(
        "parser_drift",
        "failed",
        "parser drift: 37 of 40 articles by fallback (body: selector 3, generic 30, jsonld 7), "
        "above 50%",
    )
    record = {"spider": "jagran", "monitors": [result.as_dict()]}
    assert failure_messages([record]) == [
        "jagran: parser_drift: parser drift: 37 of 40 articles by fallback "
        "(body: selector 3, generic 30, jsonld 7), above 50%"
    ]


def test_parser_drift_passes_at_the_share_and_below() -> None:
    monitor = ParserDriftMonitor(0.5, 5)
    assert monitor.check(drift(40, 20, generic=20), []).status == "passed"
    assert monitor.check(drift(40, 21, generic=21), []).status == "failed"
    assert monitor.check(drift(40, 0), []) == MonitorResult(
        "parser_drift", "passed", "0 of 40 articles by fallback"
    )


def test_the_run_summary_carries_the_drift_counts_of_the_spiders_stats() -> None:
    stats = {
        "extraction/articles": 40,
        "extraction/fallback": 37,
        "extraction/body/selector": 3,
        "extraction/body/generic": 37,
        "extraction/title/h1": 40,
    }
    built = build_summary(
        stats, site="jagran", finish_reason="finished", finished_at=datetime.now(UTC)
    )
    assert built["extraction"] == {
        "articles": 40,
        "fallback": 37,
        "paths": {"body": {"generic": 37, "selector": 3}, "title": {"h1": 40}},
    }
    result = ParserDriftMonitor(0.5, 5).check(built, [])
    assert result.status == "failed"
    assert result.message.startswith("parser drift: 37 of 40 articles by fallback")
    # A spider that counted nothing (the generic one) leaves the summary without them.
    plain = build_summary({}, site="x", finish_reason="finished", finished_at=datetime.now(UTC))
    assert "extraction" not in plain


def test_parser_drift_is_skipped_without_counts_or_with_too_few_articles() -> None:
    monitor = ParserDriftMonitor(0.5, 5)
    assert monitor.check(summary(), []).status == "skipped"  # e.g. the generic spider
    few = monitor.check(drift(4, 4, generic=4), [])
    assert few.status == "skipped"
    assert "too few to judge" in few.message


# --- the suite -------------------------------------------------------------------------------


def test_suite_reads_its_thresholds_from_settings() -> None:
    crawler = get_crawler(settings_dict=project_settings(MONITORS_MAX_ERROR_RATE=0.05))
    suite = MonitorSuite.from_crawler(crawler)
    names = [monitor.name for monitor in suite.monitors]
    assert names == [
        "finish_reason",
        "new_articles",
        "error_rate",
        "field_coverage",
        "parser_failures",
        "parser_drift",
    ]
    errors = summary()["errors"] | {"http_errors": 6, "error_rate": 0.06}
    verdicts = {r.monitor: r.status for r in suite.run(summary(errors=errors), [])}
    assert verdicts["error_rate"] == "failed"


def test_suite_reads_the_drift_thresholds_from_settings() -> None:
    settings = project_settings(MONITORS_MAX_FALLBACK_SHARE=0.1, MONITORS_DRIFT_MIN_ARTICLES=2)
    suite = MonitorSuite.from_crawler(get_crawler(settings_dict=settings))
    verdicts = {r.monitor: r.status for r in suite.run(drift(3, 1, generic=1), [])}
    assert verdicts["parser_drift"] == "failed"  # 1 of 3 is above 10%; the default 50% passes


def test_suite_is_off_when_disabled() -> None:
    crawler = get_crawler(settings_dict=project_settings(MONITORS_ENABLED=False))
    with pytest.raises(NotConfigured):
        MonitorSuite.from_crawler(crawler)


class _Broken:
    name = "broken"

    def check(self, summary: Any, history: Any) -> MonitorResult:
        raise KeyError("requests")


def test_a_crashing_monitor_fails_without_stopping_the_others() -> None:
    suite = MonitorSuite([_Broken(), FinishReasonMonitor()], history_runs=0)
    results = suite.run(summary(), [])
    assert [(r.monitor, r.status) for r in results] == [
        ("broken", "failed"),
        ("finish_reason", "passed"),
    ]
    assert "monitor crashed" in results[0].message


# --- in the run record and back ----------------------------------------------------------------


def run_record(
    run_id: str, site: str, started_at: datetime, new: int, monitors: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "spider": site,
        "started_at": started_at,
        "finished_at": started_at + timedelta(minutes=5),
        "finish_reason": "finished",
        "summary": with_new(new) | {"site": site},
        "monitors": monitors,
        "stats": {},
    }


def test_failed_monitors_name_the_site_and_reason(mongo_db: Database[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    failed = {"monitor": "new_articles", "status": "failed", "message": "no new articles"}
    passed = {"monitor": "new_articles", "status": "passed", "message": "12 new"}
    mongo_db.crawl_runs.insert_many(
        [
            run_record("run-1", "jagran", now, 0, [failed]),
            run_record("run-1", "bhaskar", now, 12, [passed]),
            run_record("run-0", "amarujala", now, 0, [failed]),  # another run
        ]
    )
    store = ArticleStore(mongo_db)
    assert failed_monitors("run-1", store) == ["jagran: new_articles: no new articles"]
    # A site that was crawled but left no record counts too.
    assert failed_monitors("run-1", store, ["jagran", "bhaskar", "amarujala"]) == [
        "jagran: new_articles: no new articles",
        "amarujala: run_record: no run record for run run-1",
    ]


def test_monitors_judge_at_close_and_the_store_pipeline_records_the_verdicts(
    tmp_path: Path, mongo_server: str, mongo_db: Database[dict[str, Any]]
) -> None:
    class JagranSpider(Spider):
        name = "jagran"

    start = datetime.now(UTC) - timedelta(days=3)
    mongo_db.crawl_runs.insert_many(
        [run_record(f"night-{n}", "jagran", start + timedelta(days=n), 15, []) for n in range(3)]
    )
    crawler = get_crawler(
        JagranSpider,
        project_settings(
            MONGO_URI=mongo_server,
            MONGO_DATABASE=mongo_db.name,
            MONGO_JOURNAL_PATH=str(tmp_path / "pending.jsonl"),
            CRAWL_RUN_ID="night-3",
        ),
    )
    crawler.spider = crawler._create_spider()
    pipeline = MongoStorePipeline.from_crawler(crawler)

    monitors = crawler.get_extension(MonitorsExtension)

    async def night_without_articles() -> None:
        await pipeline.open_spider()
        await pipeline.close_spider()
        monitors.spider_closed(crawler.spider, "finished")  # spider_closed, in handler order
        await pipeline.spider_closed("finished")

    asyncio.run(night_without_articles())

    record = mongo_db.crawl_runs.find_one({"run_id": "night-3"})
    verdicts = {m["monitor"]: m for m in record["monitors"]}
    assert verdicts["new_articles"] == {
        "monitor": "new_articles",
        "status": "failed",
        "message": "no new articles; 3 of the last 3 runs had some, median 15",
    }
    assert verdicts["finish_reason"]["status"] == "passed"
    assert record["summary"]["articles"]["new"] == 0
    assert monitors.failures() == [
        "jagran: new_articles: no new articles; 3 of the last 3 runs had some, median 15"
    ]
    assert failed_monitors("night-3", ArticleStore(mongo_db)) == [
        "jagran: new_articles: no new articles; 3 of the last 3 runs had some, median 15"
    ]
