"""`train --from-db`: learning from the crawl. Which stored articles teach the model
(one per story, section-labelled only), then end to end: the fixture sites crawled
into a throw-away SecantusDB, a model trained from it and installed, `classify`
using it, and the guard refusing a worse one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database

from crawler import PROJECT_ROOT
from crawler.commands.topics import crawled_articles
from crawler.ml.topics import DEFAULT_MODEL_PATH, TopicModel
from crawler.ml.training import Corpus, crawl_corpus, holdout_split
from crawler.storage.config import connect
from tests.helpers import run_crawler
from tests.test_e2e import crawl

# --- which articles teach -------------------------------------------------------------


def stored(n: int, category: str, source: str = "section", **fields: Any) -> dict[str, Any]:
    return {
        "url": f"https://www.example.com/a-{n}.html",
        "title": f"शीर्षक {n}",
        "description": "",
        "body": f"पहला अनुच्छेद {n}।",
        "category": category,
        "category_source": source,
        "published_at": datetime(2026, 11, 1 + n, tzinfo=UTC),
        **fields,
    }


def test_section_labelled_stories_teach_once_each(mongo_db: Database[dict[str, Any]]) -> None:
    mongo_db.articles.insert_many(
        [
            # One agency story on three sites: the earliest copy (1) teaches, once.
            stored(2, "crime", cluster_id="c1", duplicate_of="https://www.example.com/a-1.html"),
            stored(1, "crime", cluster_id="c1"),
            stored(3, "crime", cluster_id="c1", duplicate_of="https://www.example.com/a-1.html"),
            stored(4, "crime"),
            stored(5, "sports", cluster_id="c5"),
            stored(6, "sports"),
            stored(7, "business"),  # one story only: under --min-per-class 2
            stored(8, "health", source="model"),  # the model's own guess: never
            stored(9, "crime", source="model_over_section"),
            stored(10, "other", source="section"),  # not a category
        ]
    )
    corpus, summary = crawl_corpus(crawled_articles(mongo_db.articles), min_per_class=2)
    assert sorted(zip(corpus.labels, corpus.texts, strict=True)) == [
        ("crime", "शीर्षक 1\nपहला अनुच्छेद 1।"),
        ("crime", "शीर्षक 4\nपहला अनुच्छेद 4।"),
        ("sports", "शीर्षक 5\nपहला अनुच्छेद 5।"),
        ("sports", "शीर्षक 6\nपहला अनुच्छेद 6।"),
    ]
    assert summary["stories"] == 5  # 1-3 one story, 4, 5, 6, 7
    assert summary["left_out_under_min_per_class"] == {"business": 1}
    since = datetime(2026, 11, 6, tzinfo=UTC)  # published on or after: 5, 6, 7 and the rest
    recent, _ = crawl_corpus(crawled_articles(mongo_db.articles, since), min_per_class=1)
    assert sorted(recent.labels) == ["business", "sports", "sports"]


def test_holdout_keeps_a_story_on_one_side() -> None:
    corpus = Corpus(
        texts=[f"पाठ {i}" for i in range(40)],
        labels=["crime", "sports"] * 20,
        keys=[f"story-{i // 4}-{i % 2}" for i in range(40)],  # two texts per story, one label
    )
    train, held = holdout_split(corpus)
    assert len(held) == 8 and len(train) == 32
    assert not set(train.keys) & set(held.keys)
    assert sorted(set(held.labels)) == ["crime", "sports"]
    assert holdout_split(corpus)[1].texts == held.texts  # the same split every time


# --- end to end -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled_db(mongo_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture sites crawled into a fresh database, as a night's cron would."""
    database = f"train_{uuid.uuid4().hex[:8]}"
    journal = str(tmp_path_factory.mktemp("journal") / "pending.jsonl")
    run = crawl(mongo_server, database, journal)
    assert run.returncode == 0, run.stderr[-3000:]
    yield database
    with connect(mongo_server) as client:
        client.drop_database(database)


def classify_json(model: Path, lines: list[str]) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "classify", "--json", "--model", str(model)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


HEADLINES = [
    "IPL 2026: धोनी की टीम ने मुंबई को 5 विकेट से हराया",
    "सेंसेक्स 500 अंक चढ़ा, निफ्टी नए रिकॉर्ड पर",
    "पुलिस ने हत्या के आरोपी को गिरफ्तार किया",
]


def test_train_from_db_installs_a_model_that_classify_uses(
    mongo_server: str, crawled_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "topics-crawl.npz"
    shutil.copyfile(DEFAULT_MODEL_PATH, out)  # the current model, to be replaced
    before = out.read_bytes()
    run = run_crawler(
        mongo_server, crawled_db, "train", "--from-db", "--min-per-class", "2", "--out", str(out)
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert out.read_bytes() != before
    model = TopicModel.load(out)
    assert model.meta["held_out"]["corpus"]  # trained without the corpus's held-out part
    assert "CC BY-NC-SA 4.0" in model.meta["license"]  # the corpus was in it
    crawl_source = next(s for s in model.meta["corpora"] if s["path"] == "MongoDB")
    assert crawl_source["examples"] >= 30
    # Both figures printed side by side: the new model and the current one.
    assert "corpus held-out" in run.stdout and "new model" in run.stdout
    assert "current model" in run.stdout
    metrics = json.loads(out.with_name("topics-crawl.metrics.json").read_text())
    assert set(metrics["from_db"]["corpus_held_out"]) >= {"new model"}

    records = classify_json(out, HEADLINES)
    assert [r["label"] for r in records] == ["sports", "business", "crime"]
    # The numbers are the new model's, not the shipped one's.
    shipped = classify_json(DEFAULT_MODEL_PATH, HEADLINES)
    assert [r["top3"] for r in records] != [r["top3"] for r in shipped]


def test_guard_refuses_a_worse_model_and_force_installs_it(
    mongo_server: str, crawled_db: str, tmp_path: Path
) -> None:
    """Trained on the few dozen crawled stories alone, a model is far worse on the
    corpus's held-out headlines than the shipped one: refused, the file untouched."""
    out = tmp_path / "topics-crawl.npz"
    shutil.copyfile(DEFAULT_MODEL_PATH, out)
    before = out.read_bytes()
    args = ["train", "--from-db", "--without-corpus", "--min-per-class", "2", "--out", str(out)]
    refused = run_crawler(mongo_server, crawled_db, *args)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "not installed" in refused.stderr
    assert out.read_bytes() == before

    forced = run_crawler(mongo_server, crawled_db, *args, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    model = TopicModel.load(out)
    # Free of the corpus: its license is not inherited, and it knows only the crawl's
    # categories, which classify then answers with.
    assert model.meta["license"] == "as the training corpora"
    assert all(s["path"] == "MongoDB" for s in model.meta["corpora"])
    crawl_labels = set(model.meta["corpora"][0]["counts"])
    assert set(model.labels) == crawl_labels
    records = classify_json(out, HEADLINES)
    assert {t["label"] for r in records for t in r["top3"]} <= crawl_labels


def test_train_from_db_with_nothing_to_learn(mongo_server: str, tmp_path: Path) -> None:
    run = run_crawler(
        mongo_server, f"empty_{uuid.uuid4().hex[:8]}", "train", "--from-db",
        "--out", str(tmp_path / "m.npz"),
    )  # fmt: skip
    assert run.returncode == 2
    assert "no section-labelled articles" in run.stderr
    assert not (tmp_path / "m.npz").exists()
