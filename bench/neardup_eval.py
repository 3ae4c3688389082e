"""How well near-duplicate detection finds copies of a story, and how fast it is.

    .venv/bin/python bench/neardup_eval.py             # quality, around the chosen setting
    .venv/bin/python bench/neardup_eval.py --full      # quality over the whole sweep
    .venv/bin/python bench/neardup_eval.py --misses    # and the pairs it gets wrong
    .venv/bin/python bench/neardup_eval.py --perf      # and speed/memory at nightly scale

Quality: the documents of tests/fixtures/neardup/corpus.jsonl go through a
DuplicateIndex in crawl order (shuffled, not by date); the clusters it forms are
compared with labels.json. Printed per setting (shingle size, minimum containment,
minimum Jaccard, merge bar), on the tuning part of the set:

* pairwise precision/recall: over all pairs of documents, "same cluster" vs "same story";
* B-cubed precision/recall: per document, the share of its cluster that is its story
  and the share of its story that is in its cluster, averaged;
* stories: the share of stories with copies whose cluster is exactly the story;
* earliest: the share of documents whose duplicate_of names the story's earliest copy.

The setting marked "*" is NearDupParams' default (the DEDUPE_* settings). Then the
same setting on the held-out copies (written after it was chosen), on everything,
and over 20 other crawl orders.

Speed and memory: a week's window of synthetic unrelated articles, tonight's articles
added to it, the same window in datasketch's MinHashLSH for comparison, and saving
and loading the window through a throw-away SecantusDB server.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.ml.neardup import (  # noqa: E402
    DuplicateIndex,
    Fingerprint,
    Fingerprinter,
    NearDupParams,
    similarity,
    text_tokens,
)

CORPUS = ROOT / "tests" / "fixtures" / "neardup" / "corpus.jsonl"
LABELS = ROOT / "tests" / "fixtures" / "neardup" / "labels.json"
TARGET_PRECISION, TARGET_RECALL = 0.95, 0.90


def load_corpus() -> tuple[list[dict[str, Any]], dict[str, str]]:
    with CORPUS.open(encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    story_of = {doc_id: story for story, ids in labels.items() for doc_id in ids}
    return docs, story_of


def fingerprints(docs: list[dict[str, Any]], params: NearDupParams) -> list[Fingerprint]:
    fingerprinter = Fingerprinter(params)
    return [
        fingerprinter.fingerprint(
            doc["url"], doc["site"], datetime.fromisoformat(doc["published_at"]), doc["body"]
        )
        for doc in docs
    ]


def cluster(
    docs: list[dict[str, Any]], params: NearDupParams, fps: list[Fingerprint] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """doc id -> cluster id, and doc id -> duplicate_of (a doc id or "")."""
    index = DuplicateIndex(params)
    id_of_url = {doc["url"]: doc["id"] for doc in docs}
    for fp in fps or fingerprints(docs, params):
        index.add(fp)
    clusters = {doc["id"]: index.entry(doc["url"]).cluster_id for doc in docs}
    earliest = {doc["id"]: id_of_url.get(index.duplicate_of(doc["url"]), "") for doc in docs}
    return clusters, earliest


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {
        tuple(sorted(pair))  # type: ignore[misc]
        for members in groups.values()
        for pair in itertools.combinations(members, 2)
    }


def scores(
    docs: list[dict[str, Any]],
    story_of: dict[str, str],
    clusters: dict[str, str],
    earliest: dict[str, str],
) -> dict[str, float]:
    predicted: dict[str, list[str]] = defaultdict(list)
    truth: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        predicted[clusters[doc["id"]]].append(doc["id"])
        truth[story_of[doc["id"]]].append(doc["id"])
    found, wanted = _pairs(predicted), _pairs(truth)
    hits = len(found & wanted)
    out = {
        "pair_p": hits / len(found) if found else 1.0,
        "pair_r": hits / len(wanted) if wanted else 1.0,
    }
    # B-cubed, per document.
    precision = recall = 0.0
    for doc in docs:
        mine = set(predicted[clusters[doc["id"]]])
        story = set(truth[story_of[doc["id"]]])
        precision += len(mine & story) / len(mine)
        recall += len(mine & story) / len(story)
    out["b3_p"], out["b3_r"] = precision / len(docs), recall / len(docs)
    multi = [set(ids) for ids in truth.values() if len(ids) > 1]
    exact = sum(1 for ids in multi if set(predicted[clusters[next(iter(ids))]]) == ids)
    out["stories"] = exact / len(multi)
    # The true earliest copy: smallest published_at within the story.
    published = {doc["id"]: datetime.fromisoformat(doc["published_at"]) for doc in docs}
    first = {story: min(ids, key=published.__getitem__) for story, ids in truth.items()}
    right = sum(
        1
        for doc in docs
        if earliest[doc["id"]]
        == ("" if first[story_of[doc["id"]]] == doc["id"] else first[story_of[doc["id"]]])
    )
    out["earliest"] = right / len(docs)
    return out


def _row(mark: str, params: NearDupParams, result: dict[str, float]) -> str:
    return (
        f"{mark} {params.shingle_size:>5} {params.min_containment:>7.2f} "
        f"{params.min_jaccard:>7.2f} {params.merge_containment:>5.2f} | "
        f"{result['pair_p']:>6.3f} {result['pair_r']:>6.3f} | "
        f"{result['b3_p']:>6.3f} {result['b3_r']:>6.3f} | {result['stories']:>7.3f} "
        f"{result['earliest']:>8.3f}"
    )


def heldout(docs: list[dict[str, Any]], story_of: dict[str, str]) -> None:
    """The chosen setting on the copies written after it was chosen (holdout.json)."""
    params = NearDupParams()
    clusters, _ = cluster(docs, params)
    fresh = {doc["id"] for doc in docs if doc["set"] == "holdout"}
    found = wanted = hits = 0
    for a, b in itertools.combinations([doc["id"] for doc in docs], 2):
        if a not in fresh and b not in fresh:
            continue
        same_cluster, same_story = clusters[a] == clusters[b], story_of[a] == story_of[b]
        found += same_cluster
        wanted += same_story
        hits += same_cluster and same_story
    whole = scores(docs, story_of, clusters, cluster(docs, params)[1])
    print(
        f"\nheld out: {len(fresh)} copies written after the setting was chosen; pairs with "
        f"one of them: precision {hits / found if found else 1:.3f}, recall "
        f"{hits / wanted if wanted else 1:.3f} ({hits} of {wanted} found, {found - hits} wrong)"
    )
    print(
        f"everything ({len(docs)} documents): pairwise precision {whole['pair_p']:.3f}, "
        f"recall {whole['pair_r']:.3f}; B-cubed {whole['b3_p']:.3f}/{whole['b3_r']:.3f}; "
        f"stories {whole['stories']:.3f}; earliest {whole['earliest']:.3f}"
    )


def orders(docs: list[dict[str, Any]], story_of: dict[str, str], count: int = 20) -> None:
    """Clusters depend on arrival order: the chosen setting over other crawl orders."""
    import random

    params = NearDupParams()
    fps = dict(zip((d["id"] for d in docs), fingerprints(docs, params), strict=True))
    results = []
    for seed in range(count):
        shuffled = list(docs)
        random.Random(seed).shuffle(shuffled)
        clusters = cluster(shuffled, params, [fps[d["id"]] for d in shuffled])
        results.append(scores(shuffled, story_of, *clusters))
    for name, label in (("pair_p", "precision"), ("pair_r", "recall"), ("earliest", "earliest")):
        values = [r[name] for r in results]
        print(
            f"  {label:<9} over {count} crawl orders: min {min(values):.3f}, "
            f"mean {sum(values) / len(values):.3f}, max {max(values):.3f}"
        )


def sweep(docs: list[dict[str, Any]], story_of: dict[str, str], full: bool) -> None:
    default = NearDupParams()
    containments = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
    jaccards = (0.05, 0.1, 0.15, 0.2, 0.25)
    if not full:  # around the chosen setting
        containments = (
            default.min_containment - 0.1,
            default.min_containment,
            default.min_containment + 0.1,
        )
        jaccards = (default.min_jaccard - 0.05, default.min_jaccard, default.min_jaccard + 0.05)
    print(
        f"tuning set: {len(docs)} documents, {len({story_of[d['id']] for d in docs})} stories; "
        f"target: pairwise precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}\n"
    )
    header = (
        f"  {'words':>5} {'contain':>7} {'jaccard':>7} {'merge':>5} | "
        f"{'pair P':>6} {'pair R':>6} | {'B3 P':>6} {'B3 R':>6} | {'stories':>7} {'earliest':>8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    chosen: dict[str, float] = {}
    for size in (2, 3, 4, 5):
        fps = fingerprints(docs, replace(default, shingle_size=size))
        for c in containments:
            for j in jaccards:
                params = replace(
                    default, shingle_size=size, min_containment=round(c, 2), min_jaccard=round(j, 2)
                )
                result = scores(docs, story_of, *cluster(docs, params, fps))
                if params == default:
                    chosen = result
                print(_row("*" if params == default else " ", params, result))
        if size == default.shingle_size:
            for merge in (0.2, 0.4, 1.01):
                params = replace(default, merge_containment=merge)
                print(_row("m", params, scores(docs, story_of, *cluster(docs, params, fps))))
    ok = chosen["pair_p"] >= TARGET_PRECISION and chosen["pair_r"] >= TARGET_RECALL
    print(
        f"\n* chosen: {default.shingle_size}-word shingles, containment >= "
        f"{default.min_containment}, Jaccard >= {default.min_jaccard}, merge >= "
        f"{default.merge_containment}, {default.num_perm} permutations: pairwise precision "
        f"{chosen['pair_p']:.3f}, recall {chosen['pair_r']:.3f} -> "
        f"{'meets' if ok else 'MISSES'} the target"
    )
    print("m: the chosen setting with another merge bar (1.01: clusters never merge)")


def misses(docs: list[dict[str, Any]], story_of: dict[str, str], params: NearDupParams) -> None:
    """The pairs a setting gets wrong, with their estimated similarity."""
    clusters, _ = cluster(docs, params)
    fingerprinter = Fingerprinter(params)
    fps = {d["id"]: fingerprinter.fingerprint(d["url"], d["site"], None, d["body"]) for d in docs}
    print(
        f"\nwrong pairs with {params.shingle_size}-word shingles, containment >= "
        f"{params.min_containment}, Jaccard >= {params.min_jaccard} (jaccard, containment, ops):"
    )
    for a, b in itertools.combinations(sorted(fps), 2):
        same_story = story_of[a] == story_of[b]
        same_cluster = clusters[a] == clusters[b]
        if same_story != same_cluster:
            jaccard, containment = similarity(fps[a], fps[b])
            what = "missed" if same_story else "false "
            ops = {d["id"]: d["ops"] for d in docs}
            print(f"  {what} {jaccard:.2f} {containment:.2f}  {a} {ops[a]}  ~  {b} {ops[b]}")


# --- speed and memory -----------------------------------------------------------------


def synthetic_docs(docs: list[dict[str, Any]], count: int) -> list[tuple[str, datetime, str]]:
    """``count`` unrelated article texts of ~250 words from a word chain over the corpus.

    Consecutive words follow the corpus (so common phrases such as "के मुताबिक" recur
    as in real news), but no sentence is copied: pairs of these texts are about as
    similar as pairs of unrelated real articles (median Jaccard 0, 99th percentile
    ~0.03 for both).
    """
    import random

    rng = random.Random(7)
    following: dict[str, list[str]] = defaultdict(list)
    starts = []
    for doc in docs:
        tokens = text_tokens(doc["body"])
        starts.append(tokens[0])
        for word, after in itertools.pairwise(tokens):
            following[word].append(after)
    start = datetime.fromisoformat("2026-11-14T00:00:00+05:30")
    out = []
    for n in range(count):
        word = rng.choice(starts)
        words = [word]
        while len(words) < 250:
            word = rng.choice(following.get(word) or starts)
            words.append(word)
        out.append((f"https://example.in/a/{n}", start + timedelta(minutes=n), " ".join(words)))
    return out


def _rss() -> int:
    """Resident memory of this process in bytes (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def perf(docs: list[dict[str, Any]], count: int, night: int = 5_000) -> None:
    params = NearDupParams()
    fingerprinter = Fingerprinter(params)
    articles = synthetic_docs(docs, count + night)
    print(f"\nspeed and memory: a window of {count:,} articles, then a night of {night:,} more")

    started = time.perf_counter()
    fps = [fingerprinter.fingerprint(url, "x", when, text) for url, when, text in articles]
    fp_seconds = time.perf_counter() - started
    window, tonight = fps[:count], fps[count:]

    gc.collect()
    before = _rss()
    index = DuplicateIndex(params)
    started = time.perf_counter()
    for fp in window:
        index.add(fp)
    fill_seconds = time.perf_counter() - started
    grown = _rss() - before
    started = time.perf_counter()
    kinds: Counter[str] = Counter(index.add(fp).kind for fp in tonight)
    night_seconds = time.perf_counter() - started
    for fp in tonight:  # back to the window, for the store figures
        index._remove(index.entry(fp.url))

    lsh_memory, lsh_rate, lsh_bands = _lsh_figures(params, window, tonight)

    def line(what: str, value: str) -> None:
        print(f"  {what:<46} {value}")

    line("fingerprint (tokens, shingles, MinHash)", f"{len(fps) / fp_seconds:>9,.0f} articles/s")
    print(f"  {'candidates by':<46} {'scan':>9} {'MinHashLSH':>12}")
    line(
        "  articles/s, tonight into the full window",
        f"{night / night_seconds:>9,.0f} {lsh_rate:>12,.0f}",
    )
    line("  memory of the window (MiB)", f"{grown / 2**20:>9,.1f} {lsh_memory / 2**20:>12,.1f}")
    line(
        "  per article (KiB)", f"{grown / count / 1024:>9,.2f} {lsh_memory / count / 1024:>12,.2f}"
    )
    line("scan: filling the window", f"{count / fill_seconds:>9,.0f} articles/s")
    line("tonight's articles", f"{dict(kinds)} (unrelated texts: all should be new)")
    print(
        f"  (DuplicateIndex scans; MinHashLSH: datasketch at threshold {params.min_jaccard}, "
        f"{lsh_bands[0]} bands x {lsh_bands[1]} rows, query only, its memory as traced)"
    )
    store_perf(index, count)


def _lsh_figures(
    params: NearDupParams, window: list[Fingerprint], tonight: list[Fingerprint]
) -> tuple[int, float, tuple[int, int]]:
    """datasketch MinHashLSH on the same window: (bytes, queries/s, (bands, rows))."""
    from datasketch import LeanMinHash, MinHashLSH

    def lean(fp: Fingerprint) -> LeanMinHash:
        return LeanMinHash(seed=params.seed, hashvalues=fp.minhash, scheme="affine32")

    leans = [lean(fp) for fp in window]
    gc.collect()
    tracemalloc.start()
    lsh = MinHashLSH(threshold=params.min_jaccard, num_perm=params.num_perm)
    for fp, minhash in zip(window, leans, strict=True):
        lsh.insert(fp.url, minhash, check_duplication=False)
    memory, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queries = [lean(fp) for fp in tonight]
    started = time.perf_counter()
    for minhash in queries:
        lsh.query(minhash)
    rate = len(queries) / (time.perf_counter() - started)
    return memory, rate, (lsh.b, lsh.r)


def store_perf(index: DuplicateIndex, count: int) -> None:
    """Saving and loading the window through a real (SecantusDB) MongoDB server,
    with the signature stored as bytes and, for comparison, as an array of ints."""
    import tempfile

    import bson
    from secantus import SecantusDBServer

    from crawler.ml.fingerprints import FingerprintStore, fingerprint_doc
    from crawler.storage.config import connect

    params = index.params
    with tempfile.TemporaryDirectory() as tmp:
        server = SecantusDBServer(port=0, storage_path=str(Path(tmp) / "db"))
        server.start()
        try:
            client = connect(server.uri)
            db = client["bench"]
            store = FingerprintStore(db, "fingerprints")
            store.ensure_indexes()
            docs = [fingerprint_doc(e, "", params.signature) for e in index.entries()]
            started = time.perf_counter()
            for i in range(0, len(docs), 1000):
                store.save(docs[i : i + 1000])
            save_seconds = time.perf_counter() - started
            since = datetime.fromisoformat("2026-11-01T00:00:00+00:00")
            started = time.perf_counter()
            restored = DuplicateIndex(params)
            for fp, cluster_id, duplicate_of, first_seen in store.load(params.signature, since):
                restored.restore(fp, cluster_id, duplicate_of, first_seen)
            load_seconds = time.perf_counter() - started

            as_ints = db["fingerprints_ints"]
            int_docs = [
                {**d, "minhash": [int(v) for v in e.fingerprint.minhash]}
                for d, e in zip(docs, index.entries(), strict=True)
            ]
            for i in range(0, len(int_docs), 1000):
                as_ints.insert_many(int_docs[i : i + 1000])
            started = time.perf_counter()
            loaded_ints = sum(1 for _ in as_ints.find({}, {"_id": 0}))
            ints_seconds = time.perf_counter() - started
            started = time.perf_counter()
            loaded_bytes = sum(1 for _ in db["fingerprints"].find({}, {"_id": 0}))
            bytes_seconds = time.perf_counter() - started
            # BSON size of the documents (SecantusDB has no collStats).
            stats_bytes = sum(len(bson.encode(d)) for d in docs)
            stats_ints = sum(len(bson.encode(d)) for d in int_docs)
            client.close()
        finally:
            server.stop()
    w = 46
    print(f"  {'save the window (bulk upserts of 1,000)':<{w}} {save_seconds:>9.2f} s")
    print(f"  {'load the window into a new index':<{w}} {load_seconds:>9.2f} s")
    print(f"  {'  articles loaded':<{w}} {len(restored):>9,}")
    print(f"  {'signature stored as':<{w}} {'bytes':>9} {'ints':>12}")
    print(f"  {'  reading the documents (s)':<{w}} {bytes_seconds:>9.2f} {ints_seconds:>12.2f}")
    print(f"  {'  documents read':<{w}} {loaded_bytes:>9,} {loaded_ints:>12,}")
    print(f"  {'  BSON size (MiB)':<{w}} {stats_bytes / 2**20:>9.1f} {stats_ints / 2**20:>12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--perf", action="store_true", help="also measure speed and memory")
    parser.add_argument(
        "--full", action="store_true", help="sweep every setting, not only near the chosen one"
    )
    parser.add_argument("--count", type=int, default=35_000, help="articles for --perf")
    parser.add_argument(
        "--misses",
        nargs="?",
        const="",
        metavar="WORDS,CONTAIN,JACCARD",
        help="list the pairs a setting (default: the chosen one) gets wrong",
    )
    args = parser.parse_args()
    docs, story_of = load_corpus()
    tuning = [doc for doc in docs if doc["set"] == "tuning"]
    sweep(tuning, story_of, args.full)
    heldout(docs, story_of)
    orders(docs, story_of)
    if args.misses is not None:
        params = NearDupParams()
        if args.misses:
            size, contain, jaccard = args.misses.split(",")
            params = replace(
                params,
                shingle_size=int(size),
                min_containment=float(contain),
                min_jaccard=float(jaccard),
            )
        misses(docs, story_of, params)  # all documents, held-out copies too
    if args.perf:
        perf(docs, args.count)


if __name__ == "__main__":
    main()
