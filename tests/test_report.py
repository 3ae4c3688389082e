"""The HTML report: figures from real run records and articles in MongoDB, the page
opened offline in headless Chromium with its charts drawn, and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo.database import Database

from crawler import PROJECT_ROOT
from crawler import settings as project_defaults
from crawler.fetch.browser import find_chromium
from crawler.ops.report import collect, render, write_report
from crawler.storage.store import ArticleStore

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime.now(UTC)
TODAY = NOW.astimezone(IST).date()
TWO_NIGHTS_AGO, LAST_NIGHT = TODAY - timedelta(days=2), TODAY - timedelta(days=1)
CHART_TITLES = [
    "New articles per site per day",
    "Category mix per site (articles first seen in the span)",
    "Failures per site",
    "Run durations",
]
NO_NEW = "no new articles; 1 of the last 1 runs had some, median 7"


def night(day: date) -> datetime:
    """02:30 IST on that day, as UTC (cron's time on an Indian server)."""
    return datetime.combine(day, time(2, 30), IST).astimezone(UTC)


def run(
    run_id: str,
    site: str,
    day: date,
    new: int,
    seconds: float,
    errors: dict[str, int] | None = None,
    failed: str = "",
) -> dict[str, Any]:
    started = night(day)
    verdict = (
        {"monitor": "new_articles", "status": "failed", "message": failed}
        if failed
        else {"monitor": "new_articles", "status": "passed", "message": f"{new} new"}
    )
    return {
        "run_id": run_id,
        "spider": site,
        "started_at": started,
        "finished_at": started + timedelta(seconds=seconds),
        "finish_reason": "finished",
        "summary": {
            "site": site,
            "started_at": started,
            "duration_seconds": seconds,
            "finish_reason": "finished",
            "articles": {"new": new, "dropped": {}},
            "errors": {"failed_pages": 0, "http_errors": 0, "download_errors": 0} | (errors or {}),
        },
        "monitors": [
            {"monitor": "finish_reason", "status": "passed", "message": "finished"},
            verdict,
        ],
        "stats": {},
    }


def article(url: str, site: str, category: str, first_seen: datetime) -> dict[str, Any]:
    return {"url": url, "site": site, "category": category, "first_seen_at": first_seen}


@pytest.fixture
def store(mongo_db: Database[dict[str, Any]]) -> ArticleStore:
    mongo_db.crawl_runs.insert_many(
        [
            run("old", "jagran", TODAY - timedelta(days=10), 50, 900),  # outside the span
            run("n1", "jagran", TWO_NIGHTS_AGO, 5, 300),
            run("n1", "bhaskar", TWO_NIGHTS_AGO, 7, 420, {"failed_pages": 2, "http_errors": 1}),
            run("n2", "jagran", LAST_NIGHT, 3, 280),
            run(
                "n2",
                "bhaskar",
                LAST_NIGHT,
                0,
                400,
                {"http_errors": 4, "download_errors": 2},
                NO_NEW,
            ),
        ]
    )
    seen = night(LAST_NIGHT)
    mongo_db.articles.insert_many(
        [
            article("https://www.jagran.com/1.html", "jagran", "politics", seen),
            article("https://www.jagran.com/2.html", "jagran", "politics", seen),
            article("https://www.jagran.com/3.html", "jagran", "sports", seen),
            article("https://www.bhaskar.com/1.html", "bhaskar", "business", seen),
            article("https://www.bhaskar.com/2.html", "bhaskar", "business", seen),
            article("https://www.bhaskar.com/3.html", "bhaskar", "business", seen),
            article("https://www.bhaskar.com/4.html", "bhaskar", "", seen),
            article(
                "https://www.bhaskar.com/old.html", "bhaskar", "crime", NOW - timedelta(days=9)
            ),
        ]
    )
    return ArticleStore(mongo_db)


# --- the figures -----------------------------------------------------------------------------


def test_new_articles_are_counted_per_site_per_indian_day(store: ArticleStore) -> None:
    data = collect(store, NOW - timedelta(days=7), "Asia/Kolkata", NOW)
    table = data.new_per_site_per_day()
    assert sorted(table) == ["bhaskar", "jagran"]
    assert len(data.days()) == 8  # seven days back and today
    assert table["jagran"][TWO_NIGHTS_AGO] == 5 and table["jagran"][LAST_NIGHT] == 3
    assert table["bhaskar"][TWO_NIGHTS_AGO] == 7 and table["bhaskar"][LAST_NIGHT] == 0
    assert sum(table["jagran"].values()) == 8  # the run ten days ago is outside


def test_category_mix_counts_articles_first_seen_in_the_span(store: ArticleStore) -> None:
    data = collect(store, NOW - timedelta(days=7), "Asia/Kolkata", NOW)
    assert data.categories == {
        "jagran": {"politics": 2, "sports": 1},
        "bhaskar": {"business": 3, "(none)": 1},
    }


def test_failures_are_summed_per_site(store: ArticleStore) -> None:
    data = collect(store, NOW - timedelta(days=7), "Asia/Kolkata", NOW)
    assert data.failures_per_site() == {
        "bhaskar": {"failed_pages": 2, "http_errors": 5, "download_errors": 2},
        "jagran": {"failed_pages": 0, "http_errors": 0, "download_errors": 0},
    }


def test_a_span_without_runs_says_so_instead_of_drawing(mongo_db: Database) -> None:
    page = render(collect(ArticleStore(mongo_db), NOW - timedelta(days=7), now=NOW))
    assert page.count("No data in this span.") == 4
    assert "No runs in this span." in page
    assert "<img" not in page


# --- the page in a browser ---------------------------------------------------------------------


@pytest.fixture
def browser_page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(),
            args=project_defaults.PLAYWRIGHT_LAUNCH_OPTIONS["args"],
            headless=True,
        )
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


@pytest.mark.browser
def test_report_opens_offline_with_its_charts_drawn(
    store: ArticleStore, tmp_path: Path, browser_page: Any
) -> None:
    out = write_report(store, NOW - timedelta(days=7), tmp_path / "report.html", now=NOW)
    requested: list[str] = []

    def offline(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            requested.append(url)
            route.abort()

    browser_page.route("**/*", offline)
    browser_page.goto(out.as_uri(), wait_until="load")

    assert requested == []  # nothing outside the file
    captions = browser_page.locator("figure figcaption").all_inner_texts()
    assert captions == CHART_TITLES
    charts = browser_page.evaluate(
        """() => [...document.querySelectorAll('figure img')].map(img => {
            const box = img.getBoundingClientRect();
            return {alt: img.alt, complete: img.complete, natural: img.naturalWidth,
                    width: box.width, height: box.height};
        })"""
    )
    assert [chart["alt"] for chart in charts] == CHART_TITLES
    for chart in charts:
        assert chart["complete"] and chart["natural"] > 0, chart
        assert chart["width"] > 200 and chart["height"] > 100, chart


@pytest.mark.browser
def test_report_shows_each_sites_latest_monitor_verdicts(
    store: ArticleStore, tmp_path: Path, browser_page: Any
) -> None:
    out = write_report(store, NOW - timedelta(days=7), tmp_path / "report.html", now=NOW)
    browser_page.goto(out.as_uri())
    header = browser_page.locator("#monitors tr").first.locator("th").all_inner_texts()
    assert header == ["site", "latest run", "finish_reason", "new_articles"]
    bhaskar = browser_page.locator('#monitors tr[data-site="bhaskar"] td')
    assert bhaskar.nth(1).inner_text() == f"{LAST_NIGHT:%Y-%m-%d} 02:30"
    assert bhaskar.nth(3).inner_text() == "✘ failed"
    assert bhaskar.nth(3).get_attribute("title") == NO_NEW
    jagran = browser_page.locator('#monitors tr[data-site="jagran"] td')
    assert jagran.nth(3).inner_text() == "✔ passed"


# --- the command line --------------------------------------------------------------------------


def test_report_command_writes_the_file_where_the_user_is(
    store: ArticleStore, mongo_server: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "report", "--since", "7d", "--out", "nightly.html"],
        cwd=tmp_path,  # a relative --out is relative to here, not to the project root
        env={
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "MONGO_URI": mongo_server,
            "MONGO_DATABASE": store.db.name,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "nightly.html")
    page = (tmp_path / "nightly.html").read_text("utf-8")
    assert page.count('<img id="chart-') == 4
    assert NO_NEW in page
