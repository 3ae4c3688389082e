"""The MongoDB layer: versioned upserts, indexes, dates, the journal, the embedded
server and the store pipeline, all against real SecantusDB servers."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from pymongo.errors import AutoReconnect, DuplicateKeyError
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.ops.runs import summary_of
from crawler.storage.config import connect, redact_uri
from crawler.storage.embedded import EmbeddedMongo, EmbeddedMongoError
from crawler.storage.journal import Journal
from crawler.storage.queries import QueryError
from crawler.storage.store import ArticleStore, UpsertCounts
from pipelines.store import MongoStorePipeline

IST = timezone(timedelta(hours=5, minutes=30))
PUBLISHED = datetime(2024, 9, 4, 16, 20, 35, tzinfo=IST)


def article(n: int = 1, **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "url": f"https://www.jagran.com/news/story-{n}.html",
        "site": "jagran",
        "title": f"दिल्ली में भारी बारिश {n}",
        "description": "मौसम विभाग ने चेतावनी जारी की",
        "body": "राजधानी में सुबह से बारिश हो रही है।\n\nयातायात पर असर पड़ा।",
        "authors": ["संवाददाता"],
        "published_at": PUBLISHED,
        "modified_at": None,
        "section": "देश",
        "tags": ["मौसम"],
        "images": [{"url": "https://img.jagran.com/1.jpg", "caption": "बारिश"}],
        "language": "hi",
        "category": "national",
        "category_source": "section",
        "fetched_at": datetime(2024, 9, 5, 1, 0, tzinfo=UTC),
    }
    doc.update(overrides)
    return doc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def store(mongo_db: Database[dict[str, Any]]) -> ArticleStore:
    article_store = ArticleStore(mongo_db)
    article_store.ensure_indexes()
    return article_store


# --- versioned upserts ------------------------------------------------------------


def test_upsert_inserts_a_new_article(store: ArticleStore) -> None:
    assert store.upsert_articles([article()]) == UpsertCounts(new=1)

    doc = store.articles.find_one({"url": article()["url"]})
    assert doc is not None
    assert doc["version"] == 1
    assert doc["first_seen_at"] == doc["last_seen_at"]
    assert len(doc["content_hash"]) == 64
    assert "history" not in doc


def test_unchanged_article_only_moves_last_seen_and_fetch_times(store: ArticleStore) -> None:
    store.upsert_articles([article()])
    before = store.articles.find_one({"url": article()["url"]})
    time.sleep(0.01)  # stored datetimes have millisecond precision

    # A new fetch time is not a content change.
    later_fetch = article(fetched_at=datetime(2024, 9, 6, tzinfo=UTC))
    assert store.upsert_articles([later_fetch]) == UpsertCounts(unchanged=1)

    after = store.articles.find_one({"url": article()["url"]})
    assert before is not None and after is not None
    assert after["last_seen_at"] > before["last_seen_at"]
    assert after["fetched_at"] == datetime(2024, 9, 6, tzinfo=UTC)
    bookkeeping = {"last_seen_at", "fetched_at"}
    assert {k: v for k, v in after.items() if k not in bookkeeping} == {
        k: v for k, v in before.items() if k not in bookkeeping
    }


def test_changed_article_gets_a_new_version_with_history(store: ArticleStore) -> None:
    store.upsert_articles([article()])
    old = store.articles.find_one({"url": article()["url"]})

    changed = article(body="राजधानी में दोपहर तक बारिश जारी रही।")
    assert store.upsert_articles([changed]) == UpsertCounts(updated=1)

    doc = store.articles.find_one({"url": article()["url"]})
    assert old is not None and doc is not None
    assert doc["version"] == 2
    assert doc["body"] == changed["body"]
    assert doc["content_hash"] != old["content_hash"]
    assert doc["first_seen_at"] == old["first_seen_at"]
    [previous] = doc["history"]
    assert previous["body"] == article()["body"]
    assert previous["content_hash"] == old["content_hash"]
    assert previous["version"] == 1
    assert previous["replaced_at"] == doc["last_seen_at"]


def test_whitespace_and_unicode_form_do_not_make_a_new_version(store: ArticleStore) -> None:
    store.upsert_articles([article(title="क़ानून  बदला")])  # precomposed QA (NFC)
    decomposed = article(title="\u0915\u093c\u093e\u0928\u0942\u0928 बदला ")  # KA + nukta
    assert store.upsert_articles([decomposed]) == UpsertCounts(unchanged=1)


def test_one_batch_mixes_new_changed_unchanged_and_repeated(store: ArticleStore) -> None:
    store.upsert_articles([article(1), article(2)])
    batch = [article(1), article(2, title="नया शीर्षक"), article(3), article(3)]
    assert store.upsert_articles(batch) == UpsertCounts(new=1, updated=1, unchanged=2)
    assert store.articles.count_documents({}) == 3


# --- indexes and dates ------------------------------------------------------------


def test_indexes_exist_and_url_is_unique(store: ArticleStore) -> None:
    keys = {tuple(index["key"].items()) for index in store.articles.list_indexes()}
    assert (("url", 1),) in keys
    assert (("site", 1), ("published_at", -1)) in keys
    assert (("category", 1), ("published_at", -1)) in keys
    assert (("content_hash", 1),) in keys
    assert (("search_tokens", 1),) in keys

    store.upsert_articles([article()])
    with pytest.raises(DuplicateKeyError):
        store.articles.insert_one({"url": article()["url"], "site": "jagran"})


def test_dates_are_stored_as_utc_and_keep_the_local_offset(store: ArticleStore) -> None:
    store.upsert_articles([article()])

    doc = store.articles.find_one({"url": article()["url"]})  # a tz_aware client
    assert doc is not None
    assert doc["published_at"] == datetime(2024, 9, 4, 10, 50, 35, tzinfo=UTC)
    assert doc["published_at"].utcoffset() == timedelta(0)
    assert doc["published_at_local"] == "2024-09-04T16:20:35+05:30"


# --- queries ------------------------------------------------------------------------


def test_find_articles_filters_and_sorts_newest_first(store: ArticleStore) -> None:
    store.upsert_articles(
        [
            article(1, published_at=PUBLISHED - timedelta(days=2)),
            article(2, published_at=PUBLISHED),
            article(3, site="amarujala", category="sports", body="क्रिकेट मैच"),
        ]
    )
    found = store.find_articles(site="jagran", since=PUBLISHED - timedelta(days=1))
    assert [doc["url"] for doc in found] == [article(2)["url"]]
    assert [doc["site"] for doc in store.find_articles(text="क्रिकेट")] == ["amarujala"]
    assert [doc["url"] for doc in store.find_articles(category="national", limit=1)] == [
        article(2)["url"]
    ]
    assert store.counts_by_site() == {"jagran": 2, "amarujala": 1}


@pytest.mark.parametrize("text", [".*", "बारिश|क्रिकेट", "("])
def test_find_articles_text_is_a_literal_substring(store: ArticleStore, text: str) -> None:
    store.upsert_articles([article(1), article(2, body="क्रिकेट मैच")])
    assert store.find_articles(text=text) == []


@pytest.mark.parametrize(
    "filters",
    [{"text": "$where"}, {"site": "$ne"}, {"where": {"parties": "$gt"}}, {"tokens": ["$all"]}],
)
def test_values_starting_with_dollar_are_refused(store: ArticleStore, filters: dict) -> None:
    with pytest.raises(QueryError, match="may not start with"):
        store.find_articles(**filters)


def test_unknown_filter_field_is_refused(store: ArticleStore) -> None:
    with pytest.raises(QueryError, match="unknown filter 'body'"):
        store.find_articles(where={"body": "x"})


def test_list_filters_and_counts(store: ArticleStore) -> None:
    store.upsert_articles(
        [article(1, parties=["SP", "BJP"]), article(2, parties=["BJP"]), article(3)]
    )
    assert len(store.find_articles(where={"parties": "BJP"})) == 2
    assert store.counts_by("parties") == {"BJP": 2, "SP": 1}


# --- journal ------------------------------------------------------------------------


def test_journal_round_trips_aware_datetimes(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "pending.jsonl")
    journal.append([article(1), article(2)])

    assert journal.pending() == 2
    [first, _] = journal.read()
    assert first == article(1)
    assert first["published_at"].utcoffset() == timedelta(hours=5, minutes=30)


def test_journal_survives_a_torn_last_line(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "pending.jsonl")
    journal.append([article(1)])
    with journal.path.open("a", encoding="utf-8") as f:
        f.write('{"url": "https://www.jag')  # a crash in the middle of a write
    journal.append([article(2)])

    assert [doc["url"] for doc in journal.read()] == [article(1)["url"], article(2)["url"]]


def test_journal_replay_keeps_the_unwritten_rest(tmp_path: Path, store: ArticleStore) -> None:
    journal = Journal(tmp_path / "pending.jsonl", batch_size=2)
    journal.append([article(n) for n in range(1, 5)])
    batches = []

    def write_until_the_connection_drops(docs: list[dict[str, Any]]) -> Any:
        batches.append(docs)
        if len(batches) == 2:
            raise AutoReconnect("connection closed")  # what pymongo raises then
        return store.upsert_articles(docs)

    with pytest.raises(AutoReconnect):
        journal.replay_with(write_until_the_connection_drops)

    assert store.articles.count_documents({}) == 2
    assert [doc["url"] for doc in journal.read()] == [article(3)["url"], article(4)["url"]]


def test_journal_replay_sets_an_unencodable_document_aside(
    tmp_path: Path, store: ArticleStore
) -> None:
    journal = Journal(tmp_path / "pending.jsonl", batch_size=2)
    unencodable = article(3, tags=[2**70])  # BSON has no 70-bit integers
    journal.append([article(1), article(2), unencodable, article(4)])

    assert journal.replay(store) == 3

    assert store.articles.count_documents({}) == 3
    assert journal.pending() == 0
    [rejected] = journal.rejected()
    assert rejected["doc"]["url"] == unencodable["url"]
    assert rejected["reason"].startswith("invalid: ")


def test_journal_replay_empties_the_journal(tmp_path: Path, store: ArticleStore) -> None:
    journal = Journal(tmp_path / "pending.jsonl", batch_size=2)
    journal.append([article(n) for n in range(1, 6)])

    assert journal.replay(store) == 5
    assert journal.pending() == 0
    assert store.articles.count_documents({}) == 5


# --- redaction ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "mongodb://crawler:secret@db.example.org:27017/hindi_news",
        "mongodb+srv://crawler:secret@cluster0.example.net/?retryWrites=true",
        "MONGODB://crawler:secret@h1:27017,h2:27017/?replicaSet=rs0",
        "mongodb://crawler:se@cret/secret@db.example.org/",  # raw @ and / in the password
        "mongodb://crawler:secret@db:1/ and mongodb://other:secret@db:2/",
        "connection to mongodb://crawler:secret@db:1/ failed",
    ],
)
def test_redact_uri_hides_the_password(uri: str) -> None:
    redacted = redact_uri(uri)
    assert "secret" not in redacted
    assert "cret" not in redacted
    assert "crawler:***@" in redacted


@pytest.mark.parametrize("uri", ["mongodb://127.0.0.1:27217/", "mongodb://reader@db:27017/x"])
def test_redact_uri_leaves_uris_without_password_alone(uri: str) -> None:
    assert redact_uri(uri) == uri


# --- embedded server ----------------------------------------------------------------


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedMongo]:
    server = EmbeddedMongo(tmp_path_factory.mktemp("embedded"), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_embedded_server_answers_and_is_reused(embedded: EmbeddedMongo) -> None:
    status = embedded.status()
    assert status["running"] and status["answering"]

    again = EmbeddedMongo(embedded.data_dir, embedded.port)
    assert again.start() == embedded.uri
    assert again.status()["pid"] == status["pid"]  # no second process


def test_embedded_server_runs_with_the_configured_allocator(embedded: EmbeddedMongo) -> None:
    # What glibc reads at the server's start. Two arenas instead of 8 per core and a
    # fixed mmap threshold kept the server at 344 MB instead of 518 after two nights
    # of 10,000 articles.
    environ = Path(f"/proc/{embedded.status()['pid']}/environ").read_bytes().split(b"\0")
    assert b"MALLOC_ARENA_MAX=2" in environ
    assert b"MALLOC_MMAP_THRESHOLD_=131072" in environ
    assert (embedded.malloc_arenas, embedded.mmap_threshold) == (2, 128 * 1024)


def test_embedded_server_with_glibc_s_own_allocator_ignores_the_starter_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A crawl exports its own threshold; 0 for the server still means glibc's default.
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    server = EmbeddedMongo(tmp_path / "own", free_port(), malloc_arenas=0, mmap_threshold=0)
    server.start()
    try:
        environ = Path(f"/proc/{server.status()['pid']}/environ").read_bytes().split(b"\0")
    finally:
        server.stop()
    allocator = (b"MALLOC_ARENA_MAX=", b"MALLOC_MMAP_THRESHOLD_=")
    assert not any(value.startswith(allocator) for value in environ)


def test_embedded_start_on_a_locked_data_dir_says_so(embedded: EmbeddedMongo) -> None:
    # A server that holds the directory but is not in our pid file (foreign or stale).
    pid_text = embedded.pid_path.read_text()
    embedded.pid_path.unlink()
    try:
        intruder = EmbeddedMongo(embedded.data_dir, free_port())
        with pytest.raises(EmbeddedMongoError, match="locked by another process"):
            intruder.start(timeout=15)
    finally:
        embedded.pid_path.write_text(pid_text)
    assert embedded.status()["answering"]


def test_embedded_start_on_a_busy_port_says_so(embedded: EmbeddedMongo, tmp_path: Path) -> None:
    other = EmbeddedMongo(tmp_path / "other", embedded.port)
    with pytest.raises(EmbeddedMongoError, match=f"Port {embedded.port} .* in use"):
        other.start(timeout=5)
    assert not other.status()["running"]


def make_pipeline(tmp_path: Path, mongo_uri: str, **settings: Any) -> MongoStorePipeline:
    class StoreTestSpider(Spider):
        name = "store_test"

    crawler = get_crawler(
        StoreTestSpider,
        {
            "MONGO_URI": mongo_uri,
            "MONGO_DATABASE": "pipeline_test",
            "MONGO_BATCH_SIZE": 2,
            "MONGO_JOURNAL_PATH": str(tmp_path / "journal" / "pending.jsonl"),
            "MONGO_EMBEDDED_DIR": str(tmp_path / "unused-embedded"),
            "MONGO_EMBEDDED_PORT": 1,
            "MONGO_SERVER_TIMEOUT_MS": 300,
            **settings,
        },
    )
    crawler.spider = crawler._create_spider()
    return MongoStorePipeline.from_crawler(crawler)


async def crawl_items(pipeline: MongoStorePipeline, items: list[ArticleItem]) -> None:
    await pipeline.open_spider()
    for item in items:
        assert await pipeline.process_item(item) is item
    await pipeline.close_spider()


def test_journal_is_replayed_after_the_server_comes_back(
    embedded: EmbeddedMongo, tmp_path: Path
) -> None:
    pipeline = make_pipeline(
        tmp_path, embedded.uri, MONGO_DATABASE="replay_test", MONGO_SERVER_TIMEOUT_MS=2000
    )
    items = [ArticleItem(**article(n)) for n in range(1, 4)]

    async def crawl_through_an_outage() -> None:
        await pipeline.open_spider()
        embedded.stop()
        for item in items:  # the first batch (2 items) fails and goes to the journal
            await pipeline.process_item(item)
        assert pipeline.journal.pending() == 2
        embedded.start()
        await pipeline.close_spider()  # writes the rest, then replays the journal
        await pipeline.spider_closed("finished")

    asyncio.run(crawl_through_an_outage())

    stats = pipeline.crawler.stats
    assert stats.get_value("pipelines/store/journaled") == 2
    assert stats.get_value("pipelines/store/replayed") == 2
    assert pipeline.journal.pending() == 0
    client = connect(embedded.uri)
    try:
        stored = client["replay_test"].articles.find({}, {"url": 1}).sort("url")
        assert [doc["url"] for doc in stored] == [article(n)["url"] for n in range(1, 4)]
    finally:
        client.close()


# --- store pipeline -----------------------------------------------------------------


def test_pipeline_with_unreachable_server_journals_and_hides_the_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    uri = f"mongodb://crawler:secret@127.0.0.1:{free_port()}/"
    pipeline = make_pipeline(tmp_path, uri)
    items = [ArticleItem(**article(n)) for n in range(1, 4)]

    with caplog.at_level(logging.DEBUG):
        asyncio.run(crawl_items(pipeline, items))
        asyncio.run(pipeline.spider_closed("finished"))

    assert pipeline.journal.pending() == 3
    assert pipeline.crawler.stats.get_value("pipelines/store/journaled") == 3
    assert "unreachable" in caplog.text
    assert "3 items wait in the journal" in caplog.text
    assert "secret" not in caplog.text
    assert all("secret" not in str(record.args) for record in caplog.records)


def test_pipeline_stores_items_and_records_the_run(
    tmp_path: Path, mongo_server: str, mongo_db: Database[dict[str, Any]]
) -> None:
    pipeline = make_pipeline(
        tmp_path, mongo_server, MONGO_DATABASE=mongo_db.name, CRAWL_RUN_ID="run-42"
    )
    pipeline.crawler.stats.set_value("odd.key", 1)
    pipeline.crawler.stats.set_value("$dollar", 2)
    items = [ArticleItem(**article(n)) for n in range(1, 4)]  # one full batch and a rest

    asyncio.run(crawl_items(pipeline, items))
    asyncio.run(pipeline.spider_closed("finished"))

    assert mongo_db.articles.count_documents({}) == 3
    run = mongo_db.crawl_runs.find_one({"run_id": "run-42"})
    assert run is not None
    assert run["spider"] == "store_test"
    assert run["finish_reason"] == "finished"
    assert run["store"]["new"] == 3
    assert run["stats"]["pipelines/store/new"] == 3
    assert run["stats"]["odd\uff0ekey"] == 1
    assert run["stats"]["\uff04dollar"] == 2
    assert run["started_at"] <= run["finished_at"]


def test_pipeline_replays_an_existing_journal_at_open(
    tmp_path: Path, mongo_server: str, mongo_db: Database[dict[str, Any]]
) -> None:
    pipeline = make_pipeline(tmp_path, mongo_server, MONGO_DATABASE=mongo_db.name)
    pipeline.journal.append([article(7), article(8)])

    asyncio.run(pipeline.open_spider())
    asyncio.run(pipeline.spider_closed("finished"))

    assert pipeline.crawler.stats.get_value("pipelines/store/replayed") == 2
    assert pipeline.journal.pending() == 0
    assert mongo_db.articles.count_documents({}) == 2


def test_a_sighting_moves_last_seen_without_touching_the_article(store: ArticleStore) -> None:
    store.upsert_articles([article()])
    before = store.articles.find_one({"url": article()["url"]})
    assert before is not None
    time.sleep(0.01)  # stored datetimes have millisecond precision

    store.mark_seen("jagran", [article()["url"], "https://www.jagran.com/not-stored.html"])

    assert store.articles.find_one({"url": article()["url"]}) == before
    [listed] = store.find_articles(site=article()["site"])
    assert listed["last_seen_at"] > before["last_seen_at"]
    assert listed["first_seen_at"] == before["first_seen_at"]


# --- per-document rejects and run records (issue 10) ---------------------------------


def test_an_article_without_url_is_rejected_and_the_rest_written(store: ArticleStore) -> None:
    counts = store.upsert_articles([article(1), article(2, url=""), article(3)])

    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    [(doc, reason)] = counts.rejected
    assert doc["title"] == article(2)["title"]
    assert reason == "invalid: article without url"
    assert store.articles.count_documents({}) == 2


def test_a_document_over_the_size_limit_is_rejected_before_it_is_sent(
    mongo_db: Database[dict[str, Any]],
) -> None:
    store = ArticleStore(mongo_db, max_document_bytes=10_000)
    counts = store.upsert_articles([article(1), article(2, body="क" * 5_000)])  # 15 kB

    assert counts.new == 1
    [(doc, reason)] = counts.rejected
    assert doc["url"] == article(2)["url"]
    assert reason.startswith("too_large: ") and reason.endswith("> MONGO_MAX_DOCUMENT_BYTES 10000")


def test_a_run_recorded_at_open_and_at_close_is_one_record(store: ArticleStore) -> None:
    store.record_run({"run_id": "r1", "spider": "jagran", "finish_reason": "running"})
    store.record_run({"run_id": "r1", "spider": "bhaskar", "finish_reason": "running"})
    store.record_run({"run_id": "r1", "spider": "jagran", "finish_reason": "finished"})

    assert store.runs.count_documents({"run_id": "r1"}) == 2
    records = {d["spider"]: d["finish_reason"] for d in store.runs.find({"run_id": "r1"})}
    assert records == {"jagran": "finished", "bhaskar": "running"}


def test_running_records_of_dead_processes_are_marked_never_closed(store: ArticleStore) -> None:
    for run_id, host, pid in (("dead", "h1", 101), ("alive", "h1", 102), ("other", "h2", 101)):
        store.record_run(
            {"run_id": run_id, "spider": "jagran", "finish_reason": "running", "host": host,
             "pid": pid, "started_at": datetime(2026, 11, 20, tzinfo=UTC)}
        )  # fmt: skip

    marked = store.close_dead_runs("h1", lambda pid: pid == 102)

    assert marked == ["dead"]
    reasons = {d["run_id"]: d["finish_reason"] for d in store.runs.find()}
    assert reasons == {"dead": "never_closed", "alive": "running", "other": "running"}
    [dead] = store.runs.find({"run_id": "dead"})
    assert summary_of(dead)["finish_reason"] == "never_closed"
    assert summary_of(dead)["articles"]["stored"] == 0
