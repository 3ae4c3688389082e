"""query, stats and export against a real MongoDB, run as the user runs them."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from crawler.storage.config import connect
from crawler.storage.store import ArticleStore
from tests.helpers import run_crawler

IST = timezone(timedelta(hours=5, minutes=30))


def doc(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "url": f"https://www.jagran.com/politics/story-{n}-1234567.html",
        "site": "jagran",
        "title": f"खबर {n}",
        "description": "",
        "body": f"अनुच्छेद {n}",
        "authors": [],
        "published_at": datetime(2026, 11, 20, 10, n, tzinfo=IST),
        "category": "politics",
        **fields,
    }


@pytest.fixture(scope="module")
def database(mongo_server: str) -> Iterator[str]:
    name = f"cli_{uuid.uuid4().hex[:8]}"
    with connect(mongo_server) as client:
        store = ArticleStore(client[name])
        store.ensure_indexes()
        store.upsert_articles(
            [
                doc(1, regions=["Uttar Pradesh"], parties=["SP", "BJP"], people=["Akhilesh Yadav"]),
                doc(2, regions=["West Bengal"], parties=["TMC"], category="national"),
                doc(
                    3,
                    site="bhaskar",
                    url="https://www.bhaskar.com/x-1234567.html",
                    category="sports",
                ),
            ]
        )
        yield name
        client.drop_database(name)


def test_query_filters_by_party_region_and_person(mongo_server: str, database: str) -> None:
    out = run_crawler(mongo_server, database, "query", "--party", "BJP", "--json")
    assert [json.loads(line)["title"] for line in out.stdout.splitlines()] == ["खबर 1"]
    out = run_crawler(mongo_server, database, "query", "--region", "West Bengal", "--json")
    assert [json.loads(line)["title"] for line in out.stdout.splitlines()] == ["खबर 2"]
    out = run_crawler(
        mongo_server, database, "query", "--person", "Akhilesh Yadav", "--site", "jagran"
    )
    assert "खबर 1" in out.stdout and "(1 article)" in out.stdout


def test_sort_and_limit(mongo_server: str, database: str) -> None:
    out = run_crawler(
        mongo_server,
        database,
        "query",
        "--site",
        "jagran",
        "--sort",
        "published_at",
        "--limit",
        "1",
        "--json",
    )
    assert [json.loads(line)["title"] for line in out.stdout.splitlines()] == ["खबर 1"]


@pytest.mark.parametrize("args", [["--party", "$ne"], ["--where", "site=$gt"]])
def test_operator_values_are_refused(mongo_server: str, database: str, args: list[str]) -> None:
    out = run_crawler(mongo_server, database, "query", *args)
    assert out.returncode == 2
    assert "may not start with '$'" in out.stderr


def test_unknown_field_is_refused(mongo_server: str, database: str) -> None:
    out = run_crawler(mongo_server, database, "query", "--where", "body=x")
    assert out.returncode == 2
    assert "unknown filter 'body'" in out.stderr


def test_stats_counts_by_site_and_category(mongo_server: str, database: str) -> None:
    out = run_crawler(mongo_server, database, "stats")
    assert out.returncode == 0
    assert out.stdout.startswith("3 articles")
    lines = [line.split() for line in out.stdout.splitlines()]
    assert ["jagran", "2"] in lines and ["bhaskar", "1"] in lines
    assert ["sports", "1"] in lines and ["2026-11-20", "3"] in lines


def test_export_jsonl_and_csv(mongo_server: str, database: str, tmp_path) -> None:
    target = tmp_path / "corpus.jsonl"
    out = run_crawler(mongo_server, database, "export", "--site", "jagran", "--out", str(target))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["title"] for row in rows) == ["खबर 1", "खबर 2"]
    out = run_crawler(mongo_server, database, "export", "--format", "csv", "--party", "SP")
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(row["title"], row["parties"]) for row in table] == [("खबर 1", "SP; BJP")]
