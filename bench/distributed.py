"""Distributed crawl: pages/s with 1, 2 and 3 worker processes on one shared frontier,
and what a queued request costs Redis.

    .venv/bin/python bench/distributed.py 1500
    .venv/bin/python bench/distributed.py 3000 --workers 1 2 3 4

Uses the synthetic Jagran site of bench/throughput.py (N distinct articles built on
the real 2020 capture, sitemap index of Google News sitemaps), served by one
fixture server on 127.0.0.1. For each worker count: a fresh redis-server (no
persistence) and a fresh embedded SecantusDB, then `python -m crawler crawl jagran
--distributed` started that many times (the first discovers, all fetch), with
AutoThrottle off and no per-site cap (DISTRIBUTED_SITE_CONCURRENCY=0,
DISTRIBUTED_SITE_DELAY=0), so the figure is the machine's, not politeness.

Printed per worker count: articles stored, wall seconds (first start to last exit,
so it includes each process's start-up), pages/s over the wall time, pages/s in the
steady part (10%..90% of the night's pages counter, sampled from Redis), CPU
seconds per page summed over the crawl processes, and the Redis server's CPU per
page. Then Redis bytes per queued request (N requests pushed as discovery pushes
them, INFO used_memory before and after), per dupefilter entry and per lease, and
the average BSON size of a stored article.

This machine has 2 cores: beyond 2 workers the processes share them, so the
numbers measure contention as much as scaling; the per-page costs are what the
README's sizing estimate is built from.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bson
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throughput import HOST, served_site  # noqa: E402
from crawler.devtools.redisserver import throwaway_redis  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[redis.Redis]:
    with throwaway_redis() as url:
        client = redis.Redis.from_url(url)
        try:
            yield client
        finally:
            client.close()


def _redis_cpu(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _proc_cpu(pid: int) -> float:
    """CPU seconds a process has used (user + system), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    """This process's CPU seconds: the fixture server's threads and the sampling."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_night(workers: int, n: int, site_dir: Path, local_url: str) -> dict[str, Any]:
    from pymongo import MongoClient

    from crawler.storage.embedded import EmbeddedMongo

    with tempfile.TemporaryDirectory() as data, redis_server() as client:
        mongo = EmbeddedMongo(Path(data) / "mongo", _free_port())
        uri = mongo.start()
        mongo_pid = int(mongo.status().get("pid") or 0)
        mongo_before = _proc_cpu(mongo_pid)
        own_before = _own_cpu()
        port = client.connection_pool.connection_kwargs["port"]
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "LOCAL_SITES_URL": local_url,
            "MONGO_URI": uri,
            "MONGO_DATABASE": "bench",
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        }
        base = [sys.executable, "-m", "crawler", "crawl", "jagran", "--distributed"]
        base += ["--since", "3d", "--max-articles", str(n), "--log-level", "WARNING"]
        for setting in (
            f"LOCAL_SITES_DIR={site_dir}",
            "AUTOTHROTTLE_ENABLED=False",
            "DISTRIBUTED_SITE_CONCURRENCY=0",
            "DISTRIBUTED_SITE_DELAY=0",
            "DISTRIBUTED_WAIT_SECONDS=60",
            "DISTRIBUTED_HEARTBEAT_SECONDS=1",
            "DISTRIBUTED_LEASE_SECONDS=10",
        ):
            base += ["-s", setting]
        cpu_before = _redis_cpu(client)
        start = time.perf_counter()
        procs = []
        try:
            for i in range(workers):
                role = "discover" if i == 0 else "worker"
                journal = ["-s", f"MONGO_JOURNAL_PATH={data}/journal-{i}.jsonl"]
                with open(f"{data}/crawl-{i}.log", "wb") as log:
                    procs.append(
                        subprocess.Popen(
                            [*base, "--role", role, *journal],
                            cwd=ROOT,
                            env=env,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                        )
                    )
            samples: list[tuple[float, int]] = []
            cpu = 0.0
            running = set(procs)
            while running:
                time.sleep(0.25)
                run = client.hgetall(b"hindi-news:run")
                run_id = run.get(b"run_id", b"").decode()
                if run_id:
                    pages = int(client.get(f"hindi-news:{run_id}:pages") or 0)
                    samples.append((time.perf_counter() - start, pages))
                for proc in list(running):
                    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                    if pid:
                        proc.returncode = os.waitstatus_to_exitcode(status)
                        cpu += usage.ru_utime + usage.ru_stime
                        running.discard(proc)
            wall = time.perf_counter() - start
            redis_cpu = _redis_cpu(client) - cpu_before
            mongo_cpu = _proc_cpu(mongo_pid) - mongo_before
            site_cpu = _own_cpu() - own_before
            db = MongoClient(uri).bench
            stored = db.articles.count_documents({})
            sizes = [len(bson.encode(doc)) for doc in db.articles.find().limit(200)]
            db.client.close()
            codes = [p.returncode for p in procs]
            if any(code not in (0, 3) for code in codes):
                for i in range(workers):
                    sys.stderr.write(Path(f"{data}/crawl-{i}.log").read_text()[-3000:])
                raise SystemExit(f"{workers} workers: exit statuses {codes}")
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            mongo.stop()
    return {
        "workers": workers,
        "stored": stored,
        "wall": wall,
        "rate": stored / wall,
        "steady": _steady_rate(samples),
        "cpu_per_page": cpu / stored if stored else 0.0,
        "redis_cpu_per_page": redis_cpu / stored if stored else 0.0,
        "mongo_cpu_per_page": mongo_cpu / stored if stored else 0.0,
        "site_cpu_per_page": site_cpu / stored if stored else 0.0,
        "article_bytes": sum(sizes) / len(sizes) if sizes else 0,
    }


def _steady_rate(samples: list[tuple[float, int]]) -> float:
    """Pages/s between 10% and 90% of the night's final pages count."""
    if not samples or samples[-1][1] < 10:
        return 0.0
    total = samples[-1][1]
    low = next(s for s in samples if s[1] >= 0.1 * total)
    high = next(s for s in samples if s[1] >= 0.9 * total)
    return (high[1] - low[1]) / (high[0] - low[0]) if high[0] > low[0] else 0.0


def redis_costs(n: int) -> dict[str, float]:
    """Bytes of Redis memory per queued request, per dupefilter entry and per lease."""
    from scrapy import Request
    from scrapy.spiders import Spider
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.queue import PriorityQueue

    from crawler.distributed.frontier import RunKeys, SiteFrontier

    class Jagran(Spider):  # the callbacks discovery's requests name
        name = "jagran"

        def parse_article(self, response: Any) -> None: ...

        def on_error(self, failure: Any) -> None: ...

    spider = Jagran()
    keys = RunKeys("hindi-news", "0123456789abcdef0123456789abcdef")
    listed = datetime.now(UTC) - timedelta(hours=3)
    with redis_server() as client:
        queue = PriorityQueue(client, spider, keys.site("jagran", "requests"))
        dupefilter = RFPDupeFilter(client, keys.site("jagran", "dupefilter"))
        requests = [
            Request(
                f"https://{HOST}/news/national-synthetic-story-{30000000 + i}.html",
                callback=spider.parse_article,
                errback=spider.on_error,
                meta={"discovered_from": "sitemap", "listed_modified": listed},
            )
            for i in range(n)
        ]
        used = lambda: int(client.info("memory")["used_memory"])  # noqa: E731
        before = used()
        for request in requests:
            queue.push(request)
        queued = used()
        for request in requests:
            dupefilter.request_seen(request)
        filtered = used()
        frontier = SiteFrontier(
            client,
            keys,
            "jagran",
            lease_seconds=60,
            max_in_flight=0,
            delay_seconds=0,
            ttl_seconds=60,
        )
        for _ in range(n):
            frontier.pop()
        leased = used()
        encoded = len(queue._encode_request(requests[0]))
    return {
        "queued": (queued - before) / n,
        "dupefilter": (filtered - queued) / n,
        "lease_extra": (leased - filtered) / n,
        "encoded": encoded,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="articles in the synthetic site")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--queue-sample", type=int, default=20000, help="requests to push")
    args = parser.parse_args()
    # A TERM (a timeout) runs the clean-ups: servers and crawls started here are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))

    results = []
    with served_site(args.n) as (site_dir, url):
        for workers in args.workers:
            results.append(one_night(workers, args.n, site_dir, url))
            print(f"  {workers} workers done", flush=True)
    header = ("workers", "articles", "seconds", "pages/s", "steady/s", "crawl CPU", "MongoDB")
    header += ("sites", "Redis")
    print("\n{:>7} {:>9} {:>8} {:>8} {:>9} {:>10} {:>8} {:>6} {:>6}".format(*header))
    print(f"{'':>44}{'(CPU ms per page)':>32}")
    for r in results:
        print(
            f"{r['workers']:>7} {r['stored']:>9} {r['wall']:>8.1f} {r['rate']:>8.1f} "
            f"{r['steady']:>9.1f} {1000 * r['cpu_per_page']:>10.1f} "
            f"{1000 * r['mongo_cpu_per_page']:>8.1f} {1000 * r['site_cpu_per_page']:>6.1f} "
            f"{1000 * r['redis_cpu_per_page']:>6.2f}"
        )
    print(f"\nstored article: {results[0]['article_bytes']:.0f} bytes of BSON on average")
    costs = redis_costs(args.queue_sample)
    print(
        f"Redis memory per queued request: {costs['queued']:.0f} bytes "
        f"(the pickled request is {costs['encoded']} bytes); per dupefilter entry "
        f"{costs['dupefilter']:.0f} bytes; a lease adds {costs['lease_extra']:.0f} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
