"""Exact and near-duplicate articles: text normalization, MinHash similarity, clusters
with their earliest copy, and the dedupe pipeline over a real MongoDB server."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.ml.fingerprints import FingerprintStore, fingerprint_doc
from crawler.ml.neardup import (
    DuplicateIndex,
    Fingerprint,
    Fingerprinter,
    NearDupParams,
    shingles,
    similarity,
    text_tokens,
)
from crawler.storage.store import ArticleStore
from pipelines.dedupe import DedupePipeline
from pipelines.store import MongoStorePipeline
from tests.helpers import FIXTURES, nfc, project_settings

NEARDUP = FIXTURES / "neardup"
PARAMS = NearDupParams()


@cache
def corpus() -> dict[str, dict[str, Any]]:
    with (NEARDUP / "corpus.jsonl").open(encoding="utf-8") as fh:
        return {doc["id"]: doc for doc in map(json.loads, fh)}


def fingerprint(doc_id: str, url: str | None = None, published: str | None = None) -> Fingerprint:
    doc = corpus()[doc_id]
    return Fingerprinter(PARAMS).fingerprint(
        url or doc["url"],
        doc["site"],
        datetime.fromisoformat(published or doc["published_at"]),
        doc["body"],
    )


# --- normalization -------------------------------------------------------------------


def test_tokens_fold_nukta_candrabindu_digits_and_drop_punctuation() -> None:
    # Decomposed nukta (ख + ़), candrabindu, Devanagari digits with a group separator.
    text = "ख\u093cबर: यहाँ १२,५०० रुपये, ४.२ प्रतिशत! (PTI)"
    assert text_tokens(text) == nfc(["खबर", "यहां", "12500", "रुपये", "42", "प्रतिशत", "pti"])


def test_precomposed_and_decomposed_nukta_give_the_same_tokens() -> None:
    assert text_tokens("\u095b\u093f\u0932\u0947") == text_tokens("\u091c\u093c\u093f\u0932\u0947")
    assert text_tokens("ज़िले") == ["जिले"]


def test_shingles_are_distinct_word_runs() -> None:
    assert shingles(["क", "ख", "ग", "क", "ख", "ग"], 3) == sorted(
        s.encode() for s in ["क ख ग", "ख ग क", "ग क ख"]
    )
    assert shingles(["एक", "दो"], 3) == ["एक दो".encode()]
    assert shingles([], 3) == []


# --- similarity ----------------------------------------------------------------------


def test_a_copy_trimmed_to_its_first_paragraphs_is_contained_in_the_original() -> None:
    original = corpus()["businessstandardhindi/economy-core-sector-october"]
    trimmed = dict(original, body="\n\n".join(original["body"].split("\n\n")[:2]))
    fingerprinter = Fingerprinter(PARAMS)
    a = fingerprinter.fingerprint("https://a.example/1", "a", None, original["body"])
    b = fingerprinter.fingerprint("https://b.example/1", "b", None, trimmed["body"])
    jaccard, containment = similarity(a, b)
    # Two of the six paragraphs: every shingle of the copy is in the original.
    assert containment >= 0.85
    assert jaccard < 0.6


def test_identical_text_is_similarity_one() -> None:
    a = fingerprint("jagran/business-upi-record")
    b = fingerprint("jagran/business-upi-record", url="https://other.example/upi")
    assert similarity(a, b) == (1.0, 1.0)
    assert a.text_hash == b.text_hash


# --- clusters ------------------------------------------------------------------------


def story_ids(story: str) -> list[str]:
    labels = json.loads((NEARDUP / "labels.json").read_text(encoding="utf-8"))
    return labels[story]


def test_an_agency_story_on_five_sites_is_one_cluster_with_the_earliest_copy_first() -> None:
    story = "businessstandardhindi/economy-core-sector-october"
    ids = story_ids(story)
    assert len({corpus()[i]["site"] for i in ids}) >= 5
    index = DuplicateIndex(PARAMS)
    # Newest first: the earliest copy arrives last, as when its site is crawled last.
    for doc_id in sorted(ids, key=lambda i: corpus()[i]["published_at"], reverse=True):
        index.add(fingerprint(doc_id))
    urls = [corpus()[i]["url"] for i in ids]
    assert len({index.entry(url).cluster_id for url in urls}) == 1
    # The original was published at 17:40; every copy came later.
    original = corpus()[story]["url"]
    assert index.duplicate_of(original) == ""
    assert {index.duplicate_of(url) for url in urls if url != original} == {original}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Daily market reports written from one template, a day apart.
        ("bhaskar/business-gold-silver-price", "written/gold-price-21nov"),
        ("written/sensex-close-19nov", "written/sensex-close-20nov"),
        ("written/petrol-price-20nov", "written/petrol-price-21nov"),
        # Two matches of one series; two reports of one event written independently.
        ("bhaskar/cricket-india-women-second-odi", "written/cricket-women-third-odi"),
        ("aajtak/crime-noida-fake-call-centre", "tv9bharatvarsh/crime-noida-fake-call-centre"),
        ("jansatta/education-cbse-date-sheet-2027", "ndtvindia/career-cbse-date-sheet"),
        # A follow-up that repeats a background paragraph of the first report.
        ("aajtak/crime-noida-fake-call-centre", "aajtak/crime-noida-fake-call-centre~v5"),
    ],
)
def test_different_stories_on_one_topic_stay_apart(first: str, second: str) -> None:
    index = DuplicateIndex(PARAMS)
    index.add(fingerprint(first))
    assignment = index.add(fingerprint(second))
    assert assignment.kind == "new"
    assert index.entry(corpus()[first]["url"]).cluster_id != assignment.cluster_id


def test_a_rewritten_copy_is_found() -> None:
    index = DuplicateIndex(PARAMS)
    index.add(fingerprint("bhaskar/jaipur-jewellery-showroom-theft"))
    # Four sentences rewritten, the last paragraph dropped.
    assignment = index.add(fingerprint("bhaskar/jaipur-jewellery-showroom-theft~v3"))
    assert assignment.kind == "near"
    assert assignment.duplicate_of == corpus()["bhaskar/jaipur-jewellery-showroom-theft"]["url"]


def test_equal_dates_make_the_first_seen_the_earliest() -> None:
    index = DuplicateIndex(PARAMS)
    when = "2026-11-20T10:00:00+05:30"
    a = index.add(fingerprint("jagran/business-upi-record", "https://a.example/x", when))
    b = index.add(fingerprint("jagran/business-upi-record~v1", "https://b.example/x", when))
    assert (a.duplicate_of, b.duplicate_of) == ("", "https://a.example/x")


def test_exact_copy_with_other_punctuation_and_nukta_is_exact() -> None:
    index = DuplicateIndex(PARAMS)
    body = corpus()["bbchindi/india-bihar-solar-pumps"]["body"]
    fingerprinter = Fingerprinter(PARAMS)
    index.add(fingerprinter.fingerprint("https://bbc.example/1", "bbchindi", None, body))
    plain = body.replace("\u093c", "").replace(".", "।")
    assignment = index.add(fingerprinter.fingerprint("https://x.example/1", "x", None, plain))
    assert (assignment.kind, assignment.duplicate_of) == ("exact", "https://bbc.example/1")


def test_same_content_hash_is_exact_even_for_a_short_text() -> None:
    index = DuplicateIndex(PARAMS)
    fingerprinter = Fingerprinter(PARAMS)
    index.add(fingerprinter.fingerprint("https://a.example/1", "a", None, "छोटी खबर", "h1"))
    assignment = index.add(
        fingerprinter.fingerprint("https://a.example/2", "a", None, "दूसरी", "h1")
    )
    assert assignment.kind == "exact"


def test_short_texts_match_only_exactly() -> None:
    fingerprinter = Fingerprinter(PARAMS)
    index = DuplicateIndex(PARAMS)
    index.add(fingerprinter.fingerprint("https://a.example/1", "a", None, "सेंसेक्स 610 अंक चढ़ा"))
    assignment = index.add(
        fingerprinter.fingerprint("https://b.example/1", "b", None, "सेंसेक्स 610 अंक चढ़ा, निफ्टी भी")
    )
    assert assignment.kind == "new"


def test_two_clusters_merge_when_an_article_matches_both() -> None:
    trimmed = "bhaskar/national-delhi-grap4~v3"  # two paragraphs and one of its own
    rewritten = "bhaskar/national-delhi-grap4~v4"  # four sentences rewritten
    index = DuplicateIndex(PARAMS)
    index.add(fingerprint(trimmed))
    second = index.add(fingerprint(rewritten))
    assert second.kind == "new"  # the two copies share too little to match directly
    original = index.add(fingerprint("bhaskar/national-delhi-grap4"))
    urls = [corpus()[i]["url"] for i in (trimmed, rewritten, "bhaskar/national-delhi-grap4")]
    assert len({index.entry(url).cluster_id for url in urls}) == 1
    assert original.kind == "near"


def test_a_roundup_does_not_glue_the_stories_it_quotes() -> None:
    fingerprinter = Fingerprinter(PARAMS)
    index = DuplicateIndex(PARAMS)
    quoted = [
        "aajtak/politics-rajya-sabha-bypolls",
        "navbharattimes/world-japan-earthquake",
        "jagran/business-upi-record",
        "abplive/india-fog-trains-late",
        "amarujala/varanasi-dev-deepawali",
    ]
    # Five briefs, each the lead paragraph of a story the roundup quotes word for word.
    briefs = [f"https://brief.example/{doc_id}" for doc_id in quoted]
    for url, doc_id in zip(briefs, quoted, strict=True):
        lead = corpus()[doc_id]["body"].split("\n\n")[0]
        index.add(fingerprinter.fingerprint(url, "brief", None, lead))
    roundup = fingerprint("written/roundup-five-big-stories")
    assert len(index.matches(roundup)) >= 2  # it contains several briefs ...
    index.add(roundup)
    assert len({index.entry(url).cluster_id for url in briefs}) == 5  # ... not one story


def test_a_known_url_keeps_its_cluster_and_a_changed_one_is_placed_again() -> None:
    index = DuplicateIndex(PARAMS)
    index.add(fingerprint("jagran/business-upi-record"))
    copy = index.add(fingerprint("jagran/business-upi-record~v1"))
    again = index.add(fingerprint("jagran/business-upi-record~v1"))
    assert (again.kind, again.cluster_id) == ("known", copy.cluster_id)
    url = corpus()["jagran/business-upi-record~v1"]["url"]
    changed = index.add(fingerprint("jagran/lucknow-digital-arrest-fraud", url=url))
    assert changed.kind == "new"
    assert changed.cluster_id != copy.cluster_id


def test_an_earlier_copy_arriving_late_makes_written_entries_outdated() -> None:
    index = DuplicateIndex(PARAMS)
    late = index.add(fingerprint("jagran/business-upi-record~v3"), owner="spider-a")
    assert late.duplicate_of == ""
    index.add(fingerprint("jagran/business-upi-record"), owner="spider-b")  # 4 h earlier
    copy_url = corpus()["jagran/business-upi-record~v3"]["url"]
    assert index.duplicate_of(copy_url) == corpus()["jagran/business-upi-record"]["url"]
    # Spider a may not have stored its item yet; once it is closed, the entry is due.
    assert index.outdated({"spider-a", "spider-b"}) == []
    assert [entry.url for entry in index.outdated({"spider-b"})] == [copy_url]


# --- fingerprints in MongoDB -----------------------------------------------------------


def test_a_cluster_whose_first_copy_left_the_window_still_names_it(
    mongo_db: Database[dict[str, Any]],
) -> None:
    now = datetime.now(UTC)
    first = fingerprint(
        "jagran/business-upi-record", published=(now - timedelta(days=10)).isoformat()
    )
    copy = fingerprint(
        "jagran/business-upi-record~v1", published=(now - timedelta(days=6)).isoformat()
    )
    index = DuplicateIndex(PARAMS)
    index.add(first)
    index.add(copy)
    store = FingerprintStore(mongo_db, "fingerprints")
    store.ensure_indexes()
    store.save(
        fingerprint_doc(index.entry(fp.url), index.duplicate_of(fp.url), PARAMS.signature)
        for fp in (first, copy)
    )
    long_ago = now - timedelta(days=10)
    mongo_db.fingerprints.update_one(
        {"url": first.url}, {"$set": {"seen_at": long_ago, "first_seen_at": long_ago}}
    )

    restored = DuplicateIndex(PARAMS)
    for row in store.load(PARAMS.signature, now - timedelta(days=7)):
        restored.restore(*row)

    assert restored.duplicate_of(copy.url) == first.url
    assert restored.outdated(set()) == []


def test_fingerprints_of_other_parameters_are_not_loaded(
    mongo_db: Database[dict[str, Any]],
) -> None:
    store = FingerprintStore(mongo_db, "fingerprints")
    index = DuplicateIndex(PARAMS)
    index.add(fingerprint("jagran/business-upi-record"))
    store.save([fingerprint_doc(next(index.entries()), "", "minhash-legacy-p64-s1-w5")])
    assert store.load(PARAMS.signature, datetime.now(UTC) - timedelta(days=7)) == []


# --- the pipeline over MongoDB ----------------------------------------------------------


class DedupeTestSpider(Spider):
    name = "dedupe_test"


def make_crawler(mongo_uri: str, database: str, tmp_path: Path, **settings: Any) -> Crawler:
    crawler = get_crawler(
        DedupeTestSpider,
        project_settings(
            **{
                "MONGO_URI": mongo_uri,
                "MONGO_DATABASE": database,
                "MONGO_SERVER_TIMEOUT_MS": 2000,
                "MONGO_JOURNAL_PATH": str(tmp_path / "journal" / "pending.jsonl"),
                **settings,
            }
        ),
    )
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    return crawler


def item(doc_id: str, published: str | None = None, url: str | None = None) -> ArticleItem:
    doc = corpus()[doc_id]
    return ArticleItem(
        url=url or doc["url"],
        site=doc["site"],
        title=doc["title"],
        body=doc["body"],
        published_at=datetime.fromisoformat(published or doc["published_at"]),
    )


def recent(hours: float) -> str:
    """A publication time ``hours`` ago: inside the window loaded at open."""
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


async def run_night(crawler: Crawler, items: list[ArticleItem], store: bool = True) -> None:
    """One crawl of ``items`` through dedupe (and the store), opened and closed as Scrapy does."""
    dedupe = DedupePipeline.from_crawler(crawler)
    mongo = MongoStorePipeline.from_crawler(crawler) if store else None
    await dedupe.open_spider()
    if mongo is not None:
        await mongo.open_spider()
    for article in items:
        dedupe.process_item(article)
        if mongo is not None:
            await mongo.process_item(article)
    if mongo is not None:
        await mongo.close_spider()
        await mongo.spider_closed("finished")
    await dedupe.spider_closed("finished")


def test_a_story_from_an_earlier_run_is_the_first_copy_in_a_later_run(
    mongo_server: str, mongo_db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    first = item("bhaskar/real-2024-09-03", published=recent(30))
    asyncio.run(run_night(make_crawler(mongo_server, mongo_db.name, tmp_path), [first]))

    crawler = make_crawler(mongo_server, mongo_db.name, tmp_path)
    copy = item("bhaskar/real-2024-09-03~v1", published=recent(28))  # amarujala's copy
    asyncio.run(run_night(crawler, [copy]))

    assert copy.duplicate_of == first.url
    assert copy.cluster_id == first.cluster_id != ""
    assert crawler.stats.get_value("pipelines/dedupe/loaded") == 1
    assert crawler.stats.get_value("pipelines/dedupe/near") == 1
    assert crawler.stats.get_value("pipelines/dedupe/clusters") == 1
    stored = {
        d["url"]: d
        for d in mongo_db.articles.find({}, {"url": 1, "duplicate_of": 1, "cluster_id": 1})
    }
    assert stored[copy.url]["duplicate_of"] == first.url
    assert stored[first.url]["duplicate_of"] == ""
    assert stored[copy.url]["cluster_id"] == stored[first.url]["cluster_id"]
    saved = mongo_db.fingerprints.find_one({"url": copy.url})
    assert saved is not None
    assert (saved["site"], saved["cluster_id"], saved["duplicate_of"]) == (
        "amarujala",
        first.cluster_id,
        first.url,
    )
    assert len(saved["minhash"]) == 4 * PARAMS.num_perm


def test_an_earlier_copy_found_later_corrects_the_stored_articles(
    mongo_server: str, mongo_db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    copy = item("navbharattimes/world-japan-earthquake~v2", published=recent(20))
    asyncio.run(run_night(make_crawler(mongo_server, mongo_db.name, tmp_path), [copy]))
    assert copy.duplicate_of == ""  # alone so far: its own first copy

    original = item("navbharattimes/world-japan-earthquake", published=recent(21))
    crawler = make_crawler(mongo_server, mongo_db.name, tmp_path)
    asyncio.run(run_night(crawler, [original]))

    assert original.duplicate_of == ""
    store = ArticleStore(mongo_db)
    stored = {d["url"]: d for d in store.find_articles(limit=10)}
    assert stored[copy.url]["duplicate_of"] == original.url
    assert stored[copy.url]["cluster_id"] == stored[original.url]["cluster_id"]
    assert mongo_db.fingerprints.find_one({"url": copy.url})["duplicate_of"] == original.url
    assert crawler.stats.get_value("pipelines/dedupe/corrected") == 1


def test_spiders_of_one_process_share_the_index(
    mongo_server: str, mongo_db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    jagran = make_crawler(mongo_server, mongo_db.name, tmp_path, DEDUPE_PERSIST=False)
    amarujala = make_crawler(mongo_server, mongo_db.name, tmp_path, DEDUPE_PERSIST=False)
    first, second = DedupePipeline.from_crawler(jagran), DedupePipeline.from_crawler(amarujala)
    original = item("jagran/lucknow-digital-arrest-fraud")
    copy = item("jagran/lucknow-digital-arrest-fraud~v1")

    async def crawl() -> None:
        await first.open_spider()
        await second.open_spider()
        first.process_item(original)
        second.process_item(copy)
        await first.spider_closed()
        await second.spider_closed()

    asyncio.run(crawl())
    assert copy.duplicate_of == original.url
    assert amarujala.stats.get_value("pipelines/dedupe/near") == 1
    assert jagran.stats.get_value("pipelines/dedupe/near") == 0


def test_a_spider_closing_first_corrects_its_copy_found_earlier_by_another(
    mongo_server: str, mongo_db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    copy_site = make_crawler(mongo_server, mongo_db.name, tmp_path)
    original_site = make_crawler(mongo_server, mongo_db.name, tmp_path)
    copy = item("jansatta/national-railways-fog-safety~v1", published=recent(5))
    original = item("jansatta/national-railways-fog-safety", published=recent(7))

    async def crawl() -> None:
        stages = {}
        for name, crawler in (("copy", copy_site), ("original", original_site)):
            stages[name] = (
                DedupePipeline.from_crawler(crawler),
                MongoStorePipeline.from_crawler(crawler),
            )
            for stage in stages[name]:
                await stage.open_spider()
        for name, article in (("copy", copy), ("original", original)):
            dedupe, store = stages[name]
            await store.process_item(dedupe.process_item(article))
        for name in ("copy", "original"):  # the copy's spider finishes first
            dedupe, store = stages[name]
            await store.close_spider()
            await store.spider_closed("finished")
            await dedupe.spider_closed("finished")

    asyncio.run(crawl())
    assert copy.duplicate_of == ""  # the original was not there yet when it was emitted
    stored = {d["url"]: d for d in ArticleStore(mongo_db).find_articles(limit=10)}
    assert stored[copy.url]["duplicate_of"] == original.url
    assert stored[original.url]["duplicate_of"] == ""


def test_without_mongodb_duplicates_are_found_within_the_run(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    crawler = make_crawler(
        f"mongodb://crawler:secret@127.0.0.1:{port}/",
        "unused",
        tmp_path,
        MONGO_SERVER_TIMEOUT_MS=200,
    )
    original = item("amarujala/varanasi-dev-deepawali")
    copy = item("amarujala/varanasi-dev-deepawali~v1")
    with caplog.at_level(logging.WARNING, logger="pipelines.dedupe"):
        asyncio.run(run_night(crawler, [original, copy], store=False))
    assert copy.duplicate_of == original.url
    assert "within this run only" in caplog.text
    assert "secret" not in caplog.text


def test_a_repeated_url_is_still_dropped_and_counted(tmp_path: Path) -> None:
    crawler = make_crawler("", "unused", tmp_path, DEDUPE_PERSIST=False)
    pipeline = DedupePipeline.from_crawler(crawler)
    pipeline.process_item(item("jagran/business-upi-record"))
    with pytest.raises(DropItem):
        pipeline.process_item(item("jagran/business-upi-record"))
    assert crawler.stats.get_value("pipelines/dedupe/dropped/same_url") == 1
