"""What a quiet night (nothing new, every listed article already stored) costs the database.

    .venv/bin/python bench/quiet_night.py              # 2,000 and 10,000 stored articles
    .venv/bin/python bench/quiet_night.py --sizes 5000

A throw-away embedded server is filled with N articles shaped like real ones (body,
~250 search tokens, enrichment lists: every index the store creates), then the two
database steps of a night whose listings name all N are timed, side by side:

* read: the incremental check loads the site's stored URLs of the window;
* sightings: the skipped articles are recorded as seen (`ArticleStore.mark_seen`);
* old way: what main did before, `update_many({url: {$in: all}})` on the articles,
  which rewrites every index entry of every article; run on at most --old-max
  articles and stopped after --old-timeout seconds (10,000 did not end in 29 min).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.storage.config import connect
from crawler.storage.embedded import EmbeddedMongo
from crawler.storage.store import ArticleStore

WORDS = [f"शब्द{i}" for i in range(20_000)]


def article(i: int, published: datetime) -> dict:
    rng = random.Random(i)
    return {
        "url": f"https://www.jagran.com/news/national-story-slug-{i:08d}.html",
        "site": "jagran",
        "title": f"शीर्षक {i}",
        "body": " ".join(rng.sample(WORDS, 600)),
        "published_at": published,
        "category": "national",
        "search_tokens": rng.sample(WORDS, 250),
        "regions": ["Uttar Pradesh"],
        "places": ["Lucknow"],
        "parties": ["BJP"],
        "people": [],
        "cluster_id": f"c{i}",
    }


def fill(store: ArticleStore, n: int) -> list[str]:
    published = datetime.now(UTC) - timedelta(hours=6)
    docs = [article(i, published) for i in range(n)]
    for start in range(0, n, 500):
        store.upsert_articles(docs[start : start + 500])
    return [doc["url"] for doc in docs]


def timed(fn, timeout: float | None = None) -> str:
    done: list[float] = []

    def run() -> None:
        start = time.perf_counter()
        fn()
        done.append(time.perf_counter() - start)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    return f"{done[0]:8.2f} s" if done else f"> {timeout:.0f} s (stopped)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,10000", help="stored articles, comma-separated")
    parser.add_argument("--old-max", type=int, default=2000, help="largest N for the old way")
    parser.add_argument("--old-timeout", type=float, default=120)
    args = parser.parse_args()
    print(f"{'stored':>8} {'read known':>12} {'sightings':>12} {'old update_many':>18}")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as data_dir:
            server = EmbeddedMongo(data_dir, 0)
            server.port = _free_port()
            client = connect(server.start())
            try:
                store = ArticleStore(client["bench"])
                store.ensure_indexes()
                urls = fill(store, n)
                since = datetime.now(UTC) - timedelta(days=1)
                read = timed(lambda: store.known_articles("jagran", since))  # noqa: B023
                sighted = timed(lambda: store.mark_seen("jagran", urls))  # noqa: B023
                old = "(not run)"
                if n <= args.old_max:
                    old = timed(
                        lambda: store.articles.update_many(  # noqa: B023
                            {"url": {"$in": urls}},  # noqa: B023
                            {"$set": {"last_seen_at": datetime.now(UTC)}},
                        ),
                        args.old_timeout,
                    )
                print(f"{n:>8} {read:>12} {sighted:>12} {old:>18}", flush=True)
            finally:
                client.close()
                server.stop()
    return 0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
