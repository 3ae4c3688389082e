"""End to end: the real spiders run through Scrapy's engine (the `crawl` command
in a subprocess, as cron runs it) against the fixture sites over loopback HTTP,
into a real SecantusDB; then a second night finds nothing new."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime
from typing import Any

import pytest
from pymongo import MongoClient

from crawler import PROJECT_ROOT
from crawler.dates import parse_date
from crawler.store import connect
from tests.helpers import expected_files, load_expected, nfc

pytestmark = pytest.mark.e2e

# The fixture sites' reproduced articles are dated 2026-11-19..21; the real
# captured pages (2020, 2024) and one older article per site fall outside.
WINDOW_START = "2026-11-01"


def crawl(mongo_uri: str, database: str, journal: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONGO_URI": mongo_uri, "MONGO_DATABASE": database}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            "--all",
            "--local-sites",
            "--since",
            WINDOW_START,
            "--log-level",
            "INFO",
            "-s",
            f"MONGO_JOURNAL_PATH={journal}",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def nightly(mongo_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    database = f"e2e_{uuid.uuid4().hex[:8]}"
    journal = str(tmp_path_factory.mktemp("journal") / "pending.jsonl")
    client: MongoClient[dict[str, Any]] = connect(mongo_server)
    first = crawl(mongo_server, database, journal)
    after_first = list(client[database].articles.find())
    second = crawl(mongo_server, database, journal)
    yield {
        "db": client[database],
        "first": first,
        "second": second,
        "after_first": after_first,
    }
    client.drop_database(database)
    client.close()


def in_window(expected: dict[str, Any]) -> bool:
    return parse_date(expected["published_at"]) >= parse_date(WINDOW_START)


def test_crawl_exits_cleanly_both_nights(nightly: dict[str, Any]) -> None:
    for run in (nightly["first"], nightly["second"]):
        assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.parametrize("path", expected_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_article_in_the_window_is_stored_as_expected(nightly: dict[str, Any], path) -> None:
    expected = load_expected(path)
    doc = nightly["db"].articles.find_one({"url": expected["url"]})
    if not in_window(expected):
        assert doc is None, "an article outside the date window was stored"
        return
    assert doc is not None, f"not stored: {expected['url']}"
    stored = {
        name: doc.get(name)
        for name in ("site", "title", "body", "authors", "section", "tags", "category")
    }
    wanted = {name: expected[name] for name in stored}
    assert nfc(stored) == nfc(wanted)
    published: datetime = doc["published_at"]
    assert published == parse_date(expected["published_at"])  # stored as UTC, same instant
    assert published.utcoffset().total_seconds() == 0


def test_stored_set_is_exactly_the_window(nightly: dict[str, Any]) -> None:
    wanted = {load_expected(p)["url"] for p in expected_files() if in_window(load_expected(p))}
    stored = {doc["url"] for doc in nightly["after_first"]}
    assert stored == wanted


def test_second_night_adds_nothing(nightly: dict[str, Any]) -> None:
    after_second = list(nightly["db"].articles.find())
    assert len(after_second) == len(nightly["after_first"])
    for doc in after_second:
        assert doc["version"] == 1
        assert doc["last_seen_at"] > doc["first_seen_at"]


def test_each_night_leaves_a_run_record(nightly: dict[str, Any]) -> None:
    runs = list(nightly["db"].crawl_runs.find())
    from crawler.sites import SITES

    assert len(runs) == 2 * len(SITES)
    assert {run["spider"] for run in runs} == set(SITES)
