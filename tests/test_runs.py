"""Run records: the summary built from stats, earlier runs as history, a real nightly
run through Scrapy's engine over the fixture sites, and the live progress lines."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import PROJECT_ROOT
from crawler.ops.progress import ProgressBoard, ProgressExtension
from crawler.ops.runs import build_summary, previous_summaries, summary_of
from crawler.storage.config import connect
from crawler.storage.store import ArticleStore
from crawler.text.dates import parse_date
from tests.helpers import EXPECTED_DIR, SITES_DIR, load_expected, project_settings

WINDOW_START = "2026-11-01"
START = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)

# Stats as one spider leaves them: robots.txt answered 404 once (normal), one
# article 404 and two 503s on the site itself, one download timeout.
STATS: dict[str, Any] = {
    "start_time": START,
    "downloader/request_count": 40,
    "downloader/exception_count": 1,
    "downloader/response_status_count/200": 35,
    "downloader/response_status_count/404": 2,
    "downloader/response_status_count/503": 2,
    "robotstxt/response_status_count/404": 1,
    "pipelines/store/new": 10,
    "pipelines/store/updated": 2,
    "pipelines/store/unchanged": 5,
    "pipelines/store/journaled": 0,
    "pipelines/validate/dropped/not_article_video": 3,
    "pipelines/validate/dropped/missing_published_at": 1,
    "pipelines/dedupe/dropped/same_url": 2,
    "pipelines/clean/removed/also_read": 4,  # a removal, not a drop
    "incremental/skipped_known": 7,
    "spider/failed_pages": 2,
    "spider/failures": [
        {"url": "https://www.jagran.com/a.html", "reason": "Ignoring non-200 response"},
        {"url": "https://www.jagran.com/b.html", "reason": "TimeoutError"},
    ],
    "pipelines/coverage/items": 17,
    "pipelines/coverage/fields/title": 17,
    "pipelines/coverage/fields/published_at": 17,
    "pipelines/coverage/fields/authors": 9,
}


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    return build_summary(
        STATS, site="jagran", finish_reason="finished", finished_at=START + timedelta(minutes=4)
    )


def test_summary_says_when_and_how_the_run_ended(built: dict[str, Any]) -> None:
    assert built["site"] == "jagran"
    assert built["started_at"] == START
    assert built["finished_at"] == START + timedelta(minutes=4)
    assert built["duration_seconds"] == 240.0
    assert built["finish_reason"] == "finished"


def test_summary_counts_requests_and_responses_by_status(built: dict[str, Any]) -> None:
    assert built["requests"] == 40
    assert built["responses"] == {"200": 35, "404": 2, "503": 2}


def test_summary_counts_articles_and_drops_by_reason(built: dict[str, Any]) -> None:
    assert built["articles"] == {
        "new": 10,
        "updated": 2,
        "unchanged": 5,
        "stored": 17,
        "journaled": 0,
        "dropped": {
            "dedupe/same_url": 2,
            "validate/missing_published_at": 1,
            "validate/not_article_video": 3,
        },
        "dropped_total": 6,
        "not_refetched": 7,
    }


def test_summary_errors_leave_out_robots_txt(built: dict[str, Any]) -> None:
    errors = built["errors"]
    # 404s: 2 answered, 1 of them robots.txt; plus two 503s.
    assert errors["http_errors"] == 3
    assert errors["download_errors"] == 1
    assert errors["error_rate"] == 0.1  # (3 + 1) / 40
    assert errors["failed_pages"] == 2
    assert errors["parse_failures"] is None
    assert [e["url"] for e in errors["examples"]] == [
        "https://www.jagran.com/a.html",
        "https://www.jagran.com/b.html",
    ]


def test_summary_coverage_counts_drops_for_the_missing_field(built: dict[str, Any]) -> None:
    assert built["coverage"] == {
        "articles": 17,
        # published_at: 17 of 17 stored + 1 dropped for lacking it.
        "fields": {"authors": round(9 / 17, 4), "published_at": round(17 / 18, 4), "title": 1.0},
    }


def test_old_records_without_summary_get_one_from_their_stats() -> None:
    doc = {
        "run_id": "r1",
        "spider": "bhaskar",
        "started_at": START,
        "finished_at": START + timedelta(seconds=90),
        "finish_reason": "finished",
        "stats": {"pipelines/store/new": 4, "downloader/request_count": 12},
    }
    made = summary_of(doc)
    assert (made["site"], made["requests"], made["duration_seconds"]) == ("bhaskar", 12, 90.0)
    assert made["articles"]["new"] == 4


def test_previous_summaries_are_the_sites_finished_runs_newest_first(
    mongo_db: Database[dict[str, Any]],
) -> None:
    def record(run_id: str, site: str, hours: int, new: int, reason: str = "finished") -> dict:
        started = START + timedelta(hours=hours)
        return {
            "run_id": run_id,
            "spider": site,
            "started_at": started,
            "finish_reason": reason,
            "summary": {"site": site, "articles": {"new": new}},
        }

    mongo_db.crawl_runs.insert_many(
        [
            record("a", "jagran", 0, 10),
            record("b", "jagran", 24, 11),
            record("c", "jagran", 48, 12, reason="shutdown"),  # killed: not a usual night
            record("d", "jagran", 72, 13),
            record("d", "bhaskar", 72, 99),
            record("e", "jagran", 96, 0),  # the run being judged
        ]
    )
    history = previous_summaries(ArticleStore(mongo_db), "jagran", "e", limit=2)
    assert [s["articles"]["new"] for s in history] == [13, 11]


# --- a real nightly run over the fixture sites --------------------------------------------------

JAGRAN_GONE = (
    "www.jagran.com/uttar-pradesh/lucknow-city-cyber-fraudsters-duped-retired-engineer-of-48"
    "-lakh-in-the-name-of-digital-arrest-24324781.html"
)
PIPELINES_WITH_COVERAGE = (
    '{"pipelines.validate.ValidatePipeline": 100, "pipelines.clean.CleanPipeline": 200, '
    '"pipelines.dedupe.DedupePipeline": 300, "pipelines.classify.ClassifyPipeline": 400, '
    '"pipelines.coverage.CoveragePipeline": 850, "pipelines.store.MongoStorePipeline": 900}'
)


def in_window(site: str) -> list[dict[str, Any]]:
    """The site's expected articles published in the crawl window."""
    return [
        expected
        for path in sorted((EXPECTED_DIR / site).glob("*.json"))
        if parse_date((expected := load_expected(path))["published_at"]) >= parse_date(WINDOW_START)
    ]


@pytest.fixture(scope="module")
def nightly(mongo_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The database after one nightly run of jagran (one listed article gone: 404) and bhaskar."""
    tmp = tmp_path_factory.mktemp("runs")
    sites = tmp / "sites"
    for host in ("www.jagran.com", "rss.jagran.com", "www.bhaskar.com"):
        shutil.copytree(SITES_DIR / host, sites / host)
    (sites / JAGRAN_GONE).unlink()
    database = f"runs_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler",
            "nightly",
            "--sites",
            "jagran,bhaskar",
            "--since",
            WINDOW_START,
            "--local-sites",
            "--log-dir",
            str(tmp / "logs"),
            "--lock-file",
            str(tmp / "nightly.lock"),
            "-s",
            f"LOCAL_SITES_DIR={sites}",
            "-s",
            f"MONGO_JOURNAL_PATH={tmp / 'pending.jsonl'}",
            "-s",
            f"ITEM_PIPELINES={PIPELINES_WITH_COVERAGE}",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MONGO_URI": mongo_server, "MONGO_DATABASE": database},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with connect(mongo_server) as client:
        yield client[database]
        client.drop_database(database)


@pytest.fixture(scope="module")
def nightly_records(nightly: Any) -> dict[str, dict[str, Any]]:
    return {doc["spider"]: doc for doc in nightly.crawl_runs.find()}


def test_nightly_leaves_one_record_per_site_of_one_run(nightly_records: dict) -> None:
    assert set(nightly_records) == {"jagran", "bhaskar"}
    assert len({doc["run_id"] for doc in nightly_records.values()}) == 1
    for doc in nightly_records.values():
        summary = doc["summary"]
        assert summary["finish_reason"] == "finished"
        assert summary["started_at"] < summary["finished_at"]
        assert summary["duration_seconds"] > 0


def test_a_missing_article_shows_as_an_http_error(nightly_records: dict) -> None:
    summary = nightly_records["jagran"]["summary"]
    assert summary["articles"]["new"] == len(in_window("jagran")) - 1
    assert summary["responses"]["404"] == 1
    assert summary["errors"]["http_errors"] == 1
    assert summary["errors"]["failed_pages"] == 1
    assert summary["errors"]["examples"][0]["url"] == f"https://{JAGRAN_GONE}"


def test_drops_and_coverage_agree_with_the_pages_remembered_as_not_stored(
    nightly: Any, nightly_records: dict
) -> None:
    # The spider remembers each page it fetched but did not store, with the drop
    # reason; the summary counts the same drops from the pipelines' stats.
    not_stored = Counter(
        page["reason"]
        for page in nightly.skipped_pages.find({"site": "bhaskar"})
        if page["reason"] != "outside_window"
    )
    assert not_stored  # the fixture site has a malformed page
    summary = nightly_records["bhaskar"]["summary"]
    stored = in_window("bhaskar")
    assert summary["articles"]["new"] == len(stored)
    assert summary["articles"]["dropped"] == {
        f"validate/{reason}": n for reason, n in not_stored.items()
    }
    coverage = summary["coverage"]
    assert coverage["articles"] == len(stored)
    for field in ("title", "published_at"):
        base = len(stored) + not_stored[f"missing_{field}"]
        assert coverage["fields"][field] == round(len(stored) / base, 4)
    with_authors = sum(1 for article in stored if article["authors"])
    assert coverage["fields"]["authors"] == round(with_authors / len(stored), 4)


def test_the_monitors_verdicts_are_in_the_record(nightly_records: dict) -> None:
    monitors = nightly_records["jagran"]["monitors"]
    assert [m["monitor"] for m in monitors] == [
        "finish_reason",
        "new_articles",
        "error_rate",
        "field_coverage",
        "parser_failures",
        "parser_drift",
    ]
    assert {m["status"] for m in monitors} <= {"passed", "skipped"}


# --- live progress ----------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_off_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(settings_dict=project_settings()))


def test_progress_board_keeps_its_lines_below_log_text() -> None:
    screen = _Terminal()
    board = ProgressBoard(screen)
    board.open("jagran", "jagran running 1")
    board.open("bhaskar", "bhaskar running 1")
    start = screen.tell()
    board.write_through("a log line\n")
    # The two status lines are lifted, the log line written, the lines drawn again.
    assert screen.getvalue()[start:] == (
        "\x1b[2A\r\x1b[J" + "a log line\n" + "jagran running 1\nbhaskar running 1\n"
    )
    board.close("jagran", "jagran finished")
    board.close("bhaskar", "bhaskar finished")
    assert screen.getvalue().endswith("\x1b[2A\r\x1b[Jjagran finished\nbhaskar finished\n")
    end = screen.tell()
    board.write_through("after the crawl\n")  # the final lines stay where they are
    assert screen.getvalue()[end:] == "after the crawl\n"


def run_in_terminal(args: list[str], env: dict[str, str], timeout: float = 300) -> tuple[int, str]:
    """Run a command with stdout and stderr on a pseudo-terminal; return status and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        args, stdin=follower, stdout=follower, stderr=follower, cwd=PROJECT_ROOT, env=env
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=10), output.decode("utf-8", "replace")


def test_crawl_on_a_terminal_redraws_a_status_line(mongo_server: str, tmp_path: Path) -> None:
    database = f"progress_{uuid.uuid4().hex[:8]}"
    status, output = run_in_terminal(
        [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            "jagran",
            "--local-sites",
            "--since",
            WINDOW_START,
            "--log-level",
            "WARNING",
            "-s",
            f"MONGO_JOURNAL_PATH={tmp_path / 'pending.jsonl'}",
            "-s",
            'EXTENSIONS={"crawler.ops.progress.ProgressExtension": 500}',
            "-s",
            "PROGRESS_INTERVAL=0.2",
        ],
        {**os.environ, "MONGO_URI": mongo_server, "MONGO_DATABASE": database},
    )
    with connect(mongo_server) as client:
        client.drop_database(database)
    assert status == 0, output[-3000:]
    assert "\x1b[1A\r\x1b[J" in output  # the line is redrawn in place
    states = re.findall(r"jagran +(\w+) +\d+ requests +(\d+) articles stored", output)
    assert len(states) > 2
    assert states[0] == ("starting", "0")
    assert states[-1] == ("finished", str(len(in_window("jagran"))))
