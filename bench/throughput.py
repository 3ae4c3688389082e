"""Crawl throughput: bare Scrapy, a trafilatura-only spider and the full pipeline, side by side.

    .venv/bin/python bench/throughput.py 2000
    .venv/bin/python bench/throughput.py 10000 --rounds 3

Builds a synthetic Jagran site of N articles in a temporary fixture tree: each page
is the real 2020 Jagran capture (282 KB, tests/fixtures/sites/www.jagran.com) with
its headline, its two story paragraphs, its id and its date replaced, so bodies are
distinct (sentences drawn from the topic corpus) and the markup stays real;
robots.txt names a sitemap index of Google News sitemaps of 1,000 URLs each. One
fixture server on 127.0.0.1 serves it to every contender (LOCAL_SITES_URL), each
run in a process of its own with AutoThrottle off and the project's concurrency:

* bare: the jagran spider's discovery, article pages downloaded and thrown away;
* trafilatura: the same, plus `trafilatura.extract` on every page;
* full: `python -m crawler crawl jagran` with every pipeline into a throw-away
  embedded SecantusDB server;
* night 2: the full crawl again over the same database (nothing new).

`--profile` adds one more full crawl (into a fresh database, with no worker process,
so that every stage runs where its timer is) with a timer around the site parser
and each pipeline step, and prints where night 1's time goes: milliseconds per page
for each stage on the crawl's thread, the MongoDB writes (in
their thread), the rest of the crawl process (Scrapy, the event loop, the
downloader) and the database server's own CPU.

Printed per contender: articles, wall seconds (process start to exit), pages/s,
ratio to bare, peak RSS of the crawl process, CPU milliseconds per page of all the
processes it keeps busy (the crawl with its parse worker, the database, the fixture
server) and the most pages/s that CPU allows on this machine's cores; for the full
crawl also the database server's peak RSS, and night 2's wall time and requests.
Medians over --rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATE = next((ROOT / "tests/fixtures/sites/www.jagran.com/uttar-pradesh").glob("*21109565.html"))
from crawler.storage.embedded import (  # noqa: E402
    DEFAULT_CACHE_SIZE,
    DEFAULT_MALLOC_ARENAS,
    DEFAULT_MMAP_THRESHOLD,
)

CORPUS = ROOT / "crawler/data/topic-corpus/l3cube-indicnews-hindi-shc.csv"
HOST = "www.jagran.com"
PER_SITEMAP = 1000


# --- the synthetic site -----------------------------------------------------------------


def _story_parts(page: str) -> tuple[str, str, str]:
    """The template's headline and its two story paragraphs (their text, as in the page)."""
    headline = re.search(r'"headline"\s*:\s*"([^"]+)"', page)
    body = page[page.index('<div class="articleBody">') :]
    paragraphs = [p for p in re.findall(r"<p>(.*?)</p>", body, re.S) if len(p) > 200][:2]
    if headline is None or len(paragraphs) != 2:
        raise SystemExit(f"{TEMPLATE.name}: template markup changed; update bench/throughput.py")
    return headline[1], paragraphs[0], paragraphs[1]


def _sentences() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[1:]
    return [line.rsplit(",", 1)[0].strip('"') for line in lines if "," in line]


def build_site(root: Path, n: int, day: datetime) -> None:
    page = TEMPLATE.read_text(encoding="utf-8")
    headline, first, second = _story_parts(page)
    sentences = _sentences()
    rng = random.Random(n)
    site = root / HOST
    (site / "news").mkdir(parents=True)
    urls = []
    stamp = day.strftime("%Y-%m-%d")
    for i in range(n):
        article_id = 30000000 + i
        title = f"{rng.choice(sentences)} ({i})"
        paras = ["। ".join(rng.sample(sentences, 6)) + "।" for _ in range(2)]
        text = page.replace(headline, title).replace(first, paras[0]).replace(second, paras[1])
        text = text.replace("21109565", str(article_id)).replace("2020-11-28", stamp)
        name = f"national-synthetic-story-{article_id}.html"
        text = re.sub(
            r"/uttar-pradesh/allahabad-city-[\w-]+-" + str(article_id), "/news/" + name[:-5], text
        )
        (site / "news" / name).write_text(text, encoding="utf-8")
        urls.append(f"https://{HOST}/news/{name}")
    published = f"{stamp}T13:34:47+05:30"
    index = []
    for part, start in enumerate(range(0, n, PER_SITEMAP)):
        entries = "".join(
            f"<url><loc>{u}</loc><news:news><news:publication_date>{published}"
            "</news:publication_date></news:news></url>"
            for u in urls[start : start + PER_SITEMAP]
        )
        (site / f"news-sitemap-{part}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{entries}</urlset>",
            encoding="utf-8",
        )
        index.append(f"<sitemap><loc>https://{HOST}/news-sitemap-{part}.xml</loc></sitemap>")
    (site / "sitemap-index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
        f'schemas/sitemap/0.9">{"".join(index)}</sitemapindex>',
        encoding="utf-8",
    )
    (site / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: https://{HOST}/sitemap-index.xml\n", encoding="utf-8"
    )


# --- the contenders (run in a child process) ------------------------------------------------


@contextmanager
def served_site(n: int) -> Iterator[tuple[Path, str]]:
    """The synthetic site of ``n`` articles, built in a temporary directory and served
    on loopback: (its directory, the server's URL)."""
    from crawler.devtools.localsites import FixtureSiteServer

    with tempfile.TemporaryDirectory() as tmp:
        site_dir = Path(tmp) / "sites"
        start = time.perf_counter()
        build_site(site_dir, n, datetime.now(UTC) - timedelta(days=1))
        print(f"synthetic site: {n} pages in {time.perf_counter() - start:.0f} s", flush=True)
        with FixtureSiteServer(site_dir) as server:
            yield site_dir, server.url


def run_contender(kind: str, n: int, out: Path) -> None:
    """Child process: one crawl of the bare or trafilatura spider; stats to `out`."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response

    from crawler.parsing.registry import SITES
    from crawler.project import project_settings
    from spiders.base import NewsSpider

    class BareSpider(NewsSpider):
        name = "bench_bare"

        def resolve_site(self) -> Any:
            return SITES["jagran"]

        async def start(self) -> AsyncIterator[Any]:
            async for request in super().start():
                yield request

        def parse_article(self, response: Response) -> Iterable[Any]:
            self.crawler.stats.inc_value("bench/pages")
            if kind == "trafilatura":
                import trafilatura

                if trafilatura.extract(response.text):
                    self.crawler.stats.inc_value("bench/extracted")
            return ()

    settings = project_settings()
    settings.setdict(
        {
            "ITEM_PIPELINES": {},
            "INCREMENTAL_ENABLED": False,
            # Monitors read their history from MongoDB: they would start the project's
            # embedded server for a spider that stores nothing.
            "MONITORS_ENABLED": False,
            "AUTOTHROTTLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "CRAWL_MAX_ARTICLES": n,
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, since="3d")
    process.start()
    out.write_text(json.dumps({"pages": crawler.stats.get_value("bench/pages", 0)}))


# The stages --profile times: (module, class, method) and the name printed for it.
PROFILED = (
    ("crawler.parsing.registry", "Site", "parse", "site parser"),
    ("pipelines.validate", "ValidatePipeline", "process_item", "validate"),
    ("pipelines.clean", "CleanPipeline", "process_item", "clean"),
    ("pipelines.language", "LanguagePipeline", "process_item", "language"),
    ("pipelines.dedupe", "DedupePipeline", "process_item", "dedupe"),
    ("pipelines.classify", "ClassifyPipeline", "process_item", "classify"),
    ("pipelines.enrich", "EnrichPipeline", "process_item", "enrich"),
    ("pipelines.coverage", "CoveragePipeline", "process_item", "coverage"),
    ("pipelines.store", "MongoStorePipeline", "_write", "store (MongoDB writes)"),
)


def run_profiled(argv: list[str], out: Path) -> None:
    """Child process: `python -m crawler <argv>` with a timer around each stage of
    PROFILED; {stage: seconds} and the process's CPU seconds to `out`."""
    import functools
    import importlib
    import inspect
    import resource

    totals: dict[str, float] = {}

    def timed(name: str, method: Any) -> Any:
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await method(*args, **kwargs)
                finally:
                    totals[name] = totals.get(name, 0.0) + time.perf_counter() - start

            return async_wrapper

        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                totals[name] = totals.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    for module, cls, method, name in PROFILED:
        owner = getattr(importlib.import_module(module), cls)
        setattr(owner, method, timed(name, getattr(owner, method)))
    from crawler.cli import main as crawler_main

    status = crawler_main(argv)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    out.write_text(json.dumps({"status": status, "stages": totals, "cpu": cpu}))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match[1]) / 1024 if match else 0.0


def _descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (children of any of its threads), recursively."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids = [int(p) for p in children.read_text().split()]
        except OSError:
            continue
        for child in pids:
            found += [child, *_descendants(child)]
    return found


def _sample_descendants_cpu(pid: int, cpu: dict[int, float], done: threading.Event) -> None:
    """Until ``done``: the CPU seconds each process under ``pid`` has used so far. The
    parse worker is a child of multiprocessing's fork server, which the crawl never
    waits for, so its CPU reaches no rusage; sampled every 0.2 s instead."""
    while not done.wait(0.2):
        for child in _descendants(pid):
            cpu[child] = max(cpu.get(child, 0.0), _cpu_seconds(child))


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, float, str]:
    """(wall seconds, peak RSS MiB of that child alone, its CPU seconds, the CPU seconds
    of every process under it (the parse worker), its stderr)."""
    start = time.perf_counter()
    descendants_cpu: dict[int, float] = {}
    done = threading.Event()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        sampler = threading.Thread(
            target=_sample_descendants_cpu, args=(child.pid, descendants_cpu, done)
        )
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        err.seek(0)
        log = err.read().decode("utf-8", "replace")
    if child.returncode not in (0, 3):  # 3: a monitor failed (e.g. no history), still ran
        sys.stderr.write(log[-3000:])
        raise SystemExit(f"{' '.join(cmd[1:5])} exited {child.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, cpu, sum(descendants_cpu.values()), log


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_round(n: int, site_dir: Path, local_url: str, baselines: bool = True) -> dict[str, Any]:
    from crawler.storage.embedded import EmbeddedMongo

    env = {**os.environ, "LOCAL_SITES_URL": local_url, "PYTHONPATH": str(ROOT)}
    results: dict[str, Any] = {}
    for kind in ("bare", "trafilatura") if baselines else ():
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            own_cpu = time.process_time()
            seconds, rss, cpu, worker_cpu, _ = _timed(
                [
                    sys.executable,
                    __file__,
                    str(n),
                    "--contender",
                    kind,
                    "--site-dir",
                    str(site_dir),
                    "--out",
                    out.name,
                ],
                env,
            )
            pages = json.loads(Path(out.name).read_text())["pages"]
        server_cpu = time.process_time() - own_cpu
        results[kind] = {
            "pages": pages,
            "seconds": seconds,
            "rss": rss,
            "cpu": cpu,
            "worker_cpu": worker_cpu,
            "db_cpu": 0.0,
            "server_cpu": server_cpu,
        }
    with tempfile.TemporaryDirectory() as data:
        server = EmbeddedMongo(Path(data) / "mongo", _free_port(), **DB_OPTIONS)
        uri = server.start()
        pid = server.status().get("pid") or 0
        crawl = [sys.executable, "-m", "crawler", *_full_crawl_args(n, site_dir, data)]
        db_env = {**env, "MONGO_URI": uri, "MONGO_DATABASE": "bench"}
        try:
            for night in ("full", "night2"):
                if night == "night2":
                    results["db_rss_night1"] = _peak_rss_mb(int(pid))
                db_cpu = _cpu_seconds(int(pid))
                own_cpu = time.process_time()  # the fixture server's threads run here
                seconds, rss, cpu, worker_cpu, log = _timed(crawl, db_env)
                stats = _final_stats(log)
                results[night] = {
                    "pages": stats.get("pipelines/store/new", 0)
                    + stats.get("pipelines/store/updated", 0),
                    "requests": stats.get("downloader/request_count", 0),
                    "seconds": seconds,
                    "rss": rss,
                    "cpu": cpu,
                    "worker_cpu": worker_cpu,
                    "db_cpu": _cpu_seconds(int(pid)) - db_cpu,
                    "server_cpu": time.process_time() - own_cpu,
                }
            results["db_rss"] = _peak_rss_mb(int(pid))
            results["collections"] = _collection_sizes(uri, "bench")
        finally:
            server.stop()
    return results


# -s NAME=VALUE options of the benchmark, passed on to every full crawl (levers to compare).
EXTRA_SETTINGS: list[str] = []
# --db-cache, --db-arenas, --db-mmap-threshold: the embedded server's WiredTiger cache
# and allocator (MONGO_EMBEDDED_CACHE_SIZE, _MALLOC_ARENAS, _MMAP_THRESHOLD).
DB_OPTIONS: dict[str, Any] = {}


def _full_crawl_args(n: int, site_dir: Path, data: str) -> list[str]:
    extra = [arg for setting in EXTRA_SETTINGS for arg in ("-s", setting)]
    return [
        "crawl",
        "jagran",
        "--since",
        "3d",
        "--max-articles",
        str(n),
        "-s",
        f"LOCAL_SITES_DIR={site_dir}",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        f"MONGO_JOURNAL_PATH={data}/j.jsonl",
        "-s",
        "LOG_LEVEL=INFO",
        *extra,
    ]


def profile_round(n: int, site_dir: Path, local_url: str) -> None:
    """One more full crawl with stage timers (run_profiled); prints ms per page."""
    from crawler.storage.embedded import EmbeddedMongo

    with tempfile.TemporaryDirectory() as data, tempfile.NamedTemporaryFile(suffix=".json") as out:
        server = EmbeddedMongo(Path(data) / "mongo", _free_port(), **DB_OPTIONS)
        uri = server.start()
        pid = int(server.status().get("pid") or 0)
        env = {
            **os.environ,
            "LOCAL_SITES_URL": local_url,
            "PYTHONPATH": str(ROOT),
            "MONGO_URI": uri,
            "MONGO_DATABASE": "bench",
        }
        try:
            db_cpu = _cpu_seconds(pid)
            own_cpu = time.process_time()  # the fixture server's threads run in this process
            # Everything on the crawl's thread: the timers do not reach into the worker.
            args = json.dumps([*_full_crawl_args(n, site_dir, data), "-s", "WORKERS_PROCESSES=0"])
            seconds, _, _, _, _ = _timed(
                [sys.executable, __file__, str(n), "--profiled", args, "--out", out.name], env
            )
            db_cpu = _cpu_seconds(pid) - db_cpu
            server_cpu = time.process_time() - own_cpu
        finally:
            server.stop()
        result = json.loads(Path(out.name).read_text())
    per_page = lambda s: 1000 * s / n  # noqa: E731
    stages = result["stages"]
    on_loop = sum(v for k, v in stages.items() if "MongoDB" not in k)
    print(
        f"\nprofile: {n} pages in {seconds:.1f} s, no worker process "
        "(stage wall times, ms per page)"
    )
    for name, total in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {per_page(total):>7.2f}")
    print(f"  {'rest of the crawl process':<28} {per_page(result['cpu'] - on_loop):>7.2f} (CPU)")
    print(f"  {'crawl process, all':<28} {per_page(result['cpu']):>7.2f} (CPU)")
    print(f"  {'MongoDB server':<28} {per_page(db_cpu):>7.2f} (CPU)")
    print(f"  {'fixture server':<28} {per_page(server_cpu):>7.2f} (CPU)")


def _collection_sizes(uri: str, database: str) -> dict[str, dict[str, Any]]:
    """collStats of each collection: documents, data and index MB, the largest index."""
    from pymongo import MongoClient

    sizes = {}
    with MongoClient(uri) as client:
        db = client[database]
        for name in sorted(db.list_collection_names()):
            stats = db.command("collStats", name)
            indexes = stats.get("indexSizes") or {"-": 0}
            largest = max(indexes, key=indexes.get)
            sizes[name] = {
                "count": stats.get("count", 0),
                "data": stats.get("size", 0) / 2**20,
                "storage": stats.get("storageSize", 0) / 2**20,
                "indexes": stats.get("totalIndexSize", 0) / 2**20,
                "largest": f"{largest} {indexes[largest] / 2**20:.1f}",
            }
    return sizes


# Where a contender's CPU goes: the crawl process, the processes under it (the parse
# worker), the database server and the fixture server.
CPU_PARTS = ("cpu", "worker_cpu", "db_cpu", "server_cpu")


def _cpu_per_page(rounds: list[dict[str, Any]], key: str, part: str = "") -> float:
    """Median CPU milliseconds per page of one contender: one part, or all three."""
    parts = (part,) if part else CPU_PARTS
    return statistics.median(
        1000 * sum(r[key][p] for p in parts) / max(r[key]["pages"], 1) for r in rounds
    )


def _final_stats(log: str) -> dict[str, Any]:
    """The counters of Scrapy's closing stats dump (integers only)."""
    block = log[log.rfind("Dumping Scrapy stats:") :]
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+),?\n", block)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="articles in the synthetic site")
    parser.add_argument("--rounds", type=int, default=1, help="median over this many rounds")
    parser.add_argument("--contender", choices=["bare", "trafilatura"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", action="store_true", help="add a per-stage breakdown of the full crawl"
    )
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the full crawls (repeatable), e.g. -s WORKERS_PROCESSES=0",
    )
    parser.add_argument(
        "--db-cache",
        default=DEFAULT_CACHE_SIZE,
        metavar="SIZE",
        help=f"the database's WiredTiger cache (default {DEFAULT_CACHE_SIZE})",
    )
    parser.add_argument(
        "--db-arenas",
        type=int,
        default=DEFAULT_MALLOC_ARENAS,
        metavar="N",
        help=f"the database's malloc arenas, 0: glibc's own (default {DEFAULT_MALLOC_ARENAS})",
    )
    parser.add_argument(
        "--db-mmap-threshold",
        type=int,
        default=DEFAULT_MMAP_THRESHOLD,
        metavar="BYTES",
        help=f"the database's mmap threshold, 0: glibc's own (default {DEFAULT_MMAP_THRESHOLD})",
    )
    parser.add_argument(
        "--full-only", action="store_true", help="only the full crawl (memory and sizes at N)"
    )
    parser.add_argument("--only-profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profiled", help=argparse.SUPPRESS)
    parser.add_argument("--site-dir", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    EXTRA_SETTINGS.extend(args.settings)
    DB_OPTIONS.update(
        cache_size=args.db_cache,
        malloc_arenas=args.db_arenas,
        mmap_threshold=args.db_mmap_threshold,
    )
    if args.profiled:
        run_profiled(json.loads(args.profiled), Path(args.out))
        return 0
    if args.contender:
        run_contender(args.contender, args.n, Path(args.out))
        return 0

    with served_site(args.n) as (site_dir, url):
        if args.profile or args.only_profile:
            profile_round(args.n, site_dir, url)
        if args.only_profile:
            return 0
        baselines = not args.full_only
        rounds = [one_round(args.n, site_dir, url, baselines) for _ in range(args.rounds)]
    med = lambda key, field: statistics.median(r[key][field] for r in rounds)  # noqa: E731
    bare_rate = med("bare", "pages") / med("bare", "seconds") if baselines else 0.0
    header = ("contender", "articles", "seconds", "pages/s", "× bare", "RSS MB", "CPU ms/page")
    print("\n{:<12} {:>9} {:>8} {:>8} {:>7} {:>7} {:>12}".format(*header))
    for key in ("bare", "trafilatura", "full") if baselines else ("full",):
        rate = med(key, "pages") / med(key, "seconds")
        ratio = f"{rate / bare_rate:>7.2f}" if bare_rate else f"{'-':>7}"
        print(
            f"{key:<12} {med(key, 'pages'):>9.0f} {med(key, 'seconds'):>8.1f} {rate:>8.1f} "
            f"{ratio} {med(key, 'rss'):>7.0f} {_cpu_per_page(rounds, key):>12.1f}"
        )
    print(
        "\nCPU per page (ms): the crawl process, its parse worker, the database, "
        "the fixture server;\nthe most pages/s that much CPU allows on "
        f"{os.cpu_count()} cores, perfectly overlapped:"
    )
    for key in ("bare", "trafilatura", "full") if baselines else ("full",):
        parts = [_cpu_per_page(rounds, key, part) for part in CPU_PARTS]
        ceiling = (os.cpu_count() or 1) * 1000 / sum(parts)
        print(
            f"  {key:<12} {' + '.join(f'{p:>4.1f}' for p in parts)} "
            f"= {sum(parts):>5.1f}  -> at most {ceiling:>6.1f} pages/s"
        )
    print(
        f"\nnight 2: {med('night2', 'seconds'):.1f} s, {med('night2', 'requests'):.0f} requests, "
        f"{med('night2', 'pages'):.0f} articles written; database peak RSS "
        f"{statistics.median(r['db_rss_night1'] for r in rounds):.0f} MB after night 1, "
        f"{statistics.median(r['db_rss'] for r in rounds):.0f} MB after night 2"
    )
    columns = ("collection", "docs", "data MB", "disk MB", "index MB")
    print("\n{:<18} {:>7} {:>8} {:>8} {:>9}  largest index".format(*columns))
    for name, size in rounds[-1]["collections"].items():
        print(
            f"{name:<18} {size['count']:>7} {size['data']:>8.1f} {size['storage']:>8.1f} "
            f"{size['indexes']:>9.1f}  {size['largest']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
