"""How fast the topic model classifies, on one core, and how fast `classify` starts.

    .venv/bin/python bench/classify_speed.py
    .venv/bin/python bench/classify_speed.py --rounds 5 --starts 7

The process is pinned to one CPU (and numpy's thread pools to one thread) before
anything is timed. Figures, side by side (target: 2,000 documents per second):

* headlines: the 3,835 headlines of the bundled corpus, one pass with a freshly
  loaded model (every word is new to the per-token cache: the slow case), then
  the median of further passes (the cache warm, as in a long crawl);
* articles: the fixture sites' articles as the pipeline feeds them (title,
  description and the first 600 characters of the body; political actors counted
  in the whole text), cold and warm; and article-length texts made of eight
  distinct corpus headlines each, cold, for a stream whose words keep changing;
* classify start: wall time of `python -m crawler classify` with empty input
  (import, settings, model load), median of several starts; and with one line;
* classify cold, article-length: `python -m crawler classify` (pinned to the same
  core) on 10,000 article-length lines of eight random corpus headlines each (~650
  characters), process start, model load and politics rule included: documents
  over wall time, and over the process's CPU time (what it would be on an idle
  core: on a busy machine other processes share it and wall time says little).

"model" is TopicModel alone; "classifier" adds the politics rule (entity matching,
only for texts the model calls national). "enrich" is the entity matching the enrich
pipeline runs on every article (not under the 2,000 target, shown for the budget).
"""

from __future__ import annotations

import os

# One core, one thread: set before numpy is imported anywhere.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.ml.entities import default_matcher  # noqa: E402
from crawler.ml.topics import (  # noqa: E402
    DEFAULT_MODEL_PATH,
    TopicClassifier,
    TopicModel,
    document_text,
)
from crawler.ml.training import DEFAULT_CORPUS_PATH, load_corpus  # noqa: E402

TARGET_DOCS_PER_SECOND = 2000
TARGET_START_SECONDS = 2.0


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


Predict = Callable[[str, str | None], object]
Doc = tuple[str, str | None]  # (model input, where political actors are counted)


def docs_per_second(predict: Predict, docs: Sequence[Doc]) -> float:
    started = time.perf_counter()
    for text, context in docs:
        predict(text, context)
    return len(docs) / (time.perf_counter() - started)


def cold_and_warm(
    load: Callable[[], Predict], docs: Sequence[Doc], rounds: int
) -> tuple[float, float]:
    predict = load()  # a fresh model: its per-token cache is empty
    cold = docs_per_second(predict, docs)
    warm = statistics.median(docs_per_second(predict, docs) for _ in range(rounds))
    return cold, warm


def fixture_articles() -> list[Doc]:
    docs = []
    for path in sorted((ROOT / "tests" / "fixtures" / "expected").glob("*/*.json")):
        a = json.loads(path.read_text(encoding="utf-8"))
        title, description, body = a["title"], a.get("description") or "", a.get("body") or ""
        docs.append(
            (document_text(title, description, body), "\n".join((title, description, body)))
        )
    return docs


def start_seconds(stdin: bytes, starts: int) -> float:
    times = []
    for _ in range(starts):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "crawler", "classify"],
            input=stdin,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def classify_cold(texts: Sequence[str], count: int, seed: int = 1) -> tuple[float, float]:
    """(docs/s over wall time, docs/s over CPU time) of one `classify` process on
    ``count`` lines of eight random headlines each."""
    import random
    import resource

    rng = random.Random(seed)
    lines = [" ".join(t.replace("\n", " ") for t in rng.sample(texts, 8)) for _ in range(count)]
    stdin = ("\n".join(lines) + "\n").encode("utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "classify"],
        input=stdin,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert result.stdout.count(b"\n") == count
    return count / wall, count / cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="warm passes (median)")
    parser.add_argument("--starts", type=int, default=5, help="classify starts (median)")
    parser.add_argument(
        "--lines", type=int, default=10_000, help="article-length lines for the cold run"
    )
    args = parser.parse_args()
    where = pin_to_one_core()

    headlines = [(t, None) for t in load_corpus(DEFAULT_CORPUS_PATH).texts]
    articles = fixture_articles()
    texts = [t for t, _ in headlines]
    composed = [(" ".join(texts[i : i + 8]), None) for i in range(0, len(texts) - 7, 8)]

    def model() -> Predict:
        loaded = TopicModel.load(DEFAULT_MODEL_PATH)
        return lambda text, _context: loaded.predict(text)

    def classifier() -> Predict:
        return TopicClassifier.load(DEFAULT_MODEL_PATH).predict

    rows: list[tuple[str, str, str]] = []

    def rate(name: str, value: float) -> None:
        ok = "ok" if value >= TARGET_DOCS_PER_SECOND else "BELOW TARGET"
        rows.append((name, f"{value:,.0f} docs/s", ok))

    for kind, load in (("model", model), ("classifier", classifier)):
        cold, warm = cold_and_warm(load, headlines, args.rounds)
        rate(f"headlines ({len(headlines)}), {kind}, cold", cold)
        rate(f"headlines ({len(headlines)}), {kind}, warm", warm)
        cold, warm = cold_and_warm(load, articles, args.rounds)
        avg = sum(len(t) for t, _ in articles) // len(articles)
        rate(f"fixture articles ({len(articles)}, ~{avg} chars in), {kind}, cold", cold)
        rate(f"fixture articles ({len(articles)}, ~{avg} chars in), {kind}, warm", warm)
        avg = sum(len(t) for t, _ in composed) // len(composed)
        cold = docs_per_second(load(), composed)
        rate(f"8-headline texts ({len(composed)}, ~{avg} chars), {kind}, cold", cold)

    matcher = default_matcher()
    contexts = [context or "" for _, context in articles]
    started = time.perf_counter()
    for _ in range(args.rounds):
        for context in contexts:
            matcher.find(context)
    rate(
        f"enrich: entities of whole fixture articles (~{sum(map(len, contexts)) // len(contexts)}"
        " chars)",
        args.rounds * len(contexts) / (time.perf_counter() - started),
    )

    for label, stdin in (("empty input", b""), ("one line", "धोनी ने शतक लगाया\n".encode())):
        seconds = start_seconds(stdin, args.starts)
        ok = "ok" if seconds < TARGET_START_SECONDS else "ABOVE TARGET"
        rows.append((f"classify start, {label} (median of {args.starts})", f"{seconds:.2f} s", ok))

    by_wall, by_cpu = classify_cold(texts, args.lines)
    sample = f"classify cold, {args.lines:,} article-length lines, start included"
    rate(f"{sample}, wall", by_wall)
    rate(f"{sample}, CPU", by_cpu)

    print(
        f"classify speed, one core ({where}); targets: {TARGET_DOCS_PER_SECOND:,} docs/s, "
        f"start under {TARGET_START_SECONDS:.0f} s"
    )
    width = max(len(name) for name, _, _ in rows)
    for name, value, ok in rows:
        print(f"  {name:<{width}}  {value:>14}  {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
