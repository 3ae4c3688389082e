"""Several workers on one shared frontier: a real redis-server (started here on a free
loopback port, persistence off), a real SecantusDB, the fixture sites over loopback
HTTP, and `python -m crawler crawl --distributed` processes as cron and systemd run
them. No mocks."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from pymongo import MongoClient
from scrapy import Request

from crawler import PROJECT_ROOT
from crawler.devtools.localsites import FixtureSiteServer
from crawler.devtools.redisserver import REDIS_SERVER, throwaway_redis
from crawler.distributed.frontier import (
    Cluster,
    RunKeys,
    SiteFrontier,
    merge_stats,
    night_status,
)
from crawler.ml.fingerprints import FingerprintStore
from crawler.ml.neardup import DuplicateIndex, NearDupParams
from crawler.parsing.registry import SITES
from crawler.storage.config import connect
from crawler.text.dates import parse_date
from tests.helpers import SITES_DIR, expected_files, load_expected

pytestmark = pytest.mark.e2e

needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed (make setup installs it)"
)
WINDOW_START = "2026-11-01"
# Short leases and heartbeats: a killed worker's requests come back within seconds.
FAST = [
    "DISTRIBUTED_LEASE_SECONDS=4",
    "DISTRIBUTED_HEARTBEAT_SECONDS=1",
    "DISTRIBUTED_CLAIM_SECONDS=30",
    "DISTRIBUTED_WAIT_SECONDS=60",
    "DISTRIBUTED_SITE_DELAY=0",
]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throw-away redis-server on a free loopback port, no persistence, stopped after."""
    with throwaway_redis() as url:
        yield url


class _Hits(logging.Handler):
    """Counts the fixture server's requests by path (it logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.paths: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r'"GET (\S+)', record.getMessage())
        if found:
            self.paths[found[1]] += 1


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[str, _Hits]]:
    """One fixture-site server for every worker process, and its request counts."""
    hits = _Hits()
    log = logging.getLogger("crawler.devtools.localsites")
    level = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(hits)
    try:
        with FixtureSiteServer(SITES_DIR) as server:
            yield server.url, hits
    finally:
        log.removeHandler(hits)
        log.setLevel(level)


def worker(
    names: Sequence[str],
    env: dict[str, str],
    log: Path,
    role: str = "auto",
    settings: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    journal = f"MONGO_JOURNAL_PATH={log.with_suffix('.jsonl')}"
    overrides = [arg for setting in [*FAST, journal, *settings] for arg in ("-s", setting)]
    command = [sys.executable, "-m", "crawler", "crawl", *names, "--distributed"]
    command += ["--role", role, "--since", WINDOW_START, "--log-level", "INFO", *overrides]
    with log.open("wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def night(
    names: Sequence[str], env: dict[str, str], logs: Path, workers: int
) -> list[subprocess.CompletedProcess[bytes]]:
    """A night of ``workers`` processes: the first discovers, all fetch; their exits."""
    logs.mkdir(parents=True, exist_ok=True)
    procs = [worker(names, env, logs / "0.log", "discover")]
    try:
        procs += [worker(names, env, logs / f"{i}.log", "worker") for i in range(1, workers)]
        for proc in procs:
            proc.wait(timeout=240)
    finally:
        stop(procs)
    return [subprocess.CompletedProcess(p.args, p.returncode) for p in procs]


def stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """Kill what is still running (a test that failed half-way)."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def environment(mongo: str, database: str, redis_url: str, sites_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "MONGO_URI": mongo,
        "MONGO_DATABASE": database,
        "REDIS_URL": redis_url,
        # Each test its own keys on the one Redis server.
        "DISTRIBUTED_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "LOCAL_SITES_URL": sites_url,
    }


def window_urls(names: Sequence[str]) -> set[str]:
    wanted = set()
    for path in expected_files():
        expected = load_expected(path)
        if path.parent.name in names and parse_date(expected["published_at"]) >= parse_date(
            WINDOW_START
        ):
            wanted.add(expected["url"])
    return wanted


def fixture_path(url: str) -> str:
    parts = urlsplit(url)
    return f"/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def run_totals(db: Any, run_id: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for run in db.crawl_runs.find({"run_id": run_id}):
        for key, value in run["stats"].items():
            if isinstance(value, int) and not isinstance(value, bool):
                totals[key] = totals.get(key, 0) + value
    return totals


def logs_of(directory: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(directory.glob("*")))


# --- three workers, two nights ---------------------------------------------------------------


@pytest.fixture(scope="module")
def two_nights(
    mongo_server: str,
    redis_url: str,
    sites: tuple[str, _Hits],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    sites_url, hits = sites
    tmp = tmp_path_factory.mktemp("nights")
    database = f"dist_{uuid.uuid4().hex[:8]}"
    env = environment(mongo_server, database, redis_url, sites_url)
    client: MongoClient[dict[str, Any]] = connect(mongo_server)
    names = list(SITES)
    hits.paths.clear()
    first = night(names, env, tmp / "night1", workers=3)
    first_hits = Counter(hits.paths)
    after_first = list(client[database].articles.find())
    hits.paths.clear()
    second = night(names, env, tmp / "night2", workers=2)
    run_ids = list(
        dict.fromkeys(r["run_id"] for r in client[database].crawl_runs.find().sort("started_at"))
    )
    yield {
        "db": client[database],
        "names": names,
        "exits": (first, second),
        "logs": (tmp / "night1", tmp / "night2"),
        "hits": (first_hits, Counter(hits.paths)),
        "after_first": after_first,
        "run_ids": run_ids,
    }
    client.drop_database(database)
    client.close()


@needs_redis
def test_every_worker_exits_cleanly(two_nights: dict[str, Any]) -> None:
    for exits, logs in zip(two_nights["exits"], two_nights["logs"], strict=True):
        assert [e.returncode for e in exits] == [0] * len(exits), logs_of(logs)


@needs_redis
def test_three_workers_store_every_expected_article_once(two_nights: dict[str, Any]) -> None:
    stored = [doc["url"] for doc in two_nights["after_first"]]
    assert len(stored) == len(set(stored))
    assert set(stored) == window_urls(two_nights["names"])


@needs_redis
def test_the_sites_saw_each_article_url_once(two_nights: dict[str, Any]) -> None:
    first_hits = two_nights["hits"][0]
    # Every page, articles and discovery documents alike, once across the three
    # workers; robots.txt is each worker's own (one per host and process).
    repeated = {p: n for p, n in first_hits.items() if n > 1 and not p.endswith("/robots.txt")}
    assert repeated == {}
    fetched = [fixture_path(doc["url"]) for doc in two_nights["after_first"]]
    assert all(first_hits[path] == 1 for path in fetched if path in first_hits)
    assert sum(path in first_hits for path in fetched) >= 0.9 * len(fetched)


@needs_redis
def test_the_work_was_shared(two_nights: dict[str, Any]) -> None:
    # The two joining workers' own counts (the discoverer's stats dump is the merged one).
    logs = two_nights["logs"][0]
    acked = []
    for log in (logs / "1.log", logs / "2.log"):
        counts = re.findall(r"'distributed/acked': (\d+)", log.read_text(errors="replace"))
        acked.append(sum(map(int, counts)))
    assert sum(acked) > 0, acked


@needs_redis
def test_one_run_record_per_site_with_the_workers_merged(two_nights: dict[str, Any]) -> None:
    db, run_ids = two_nights["db"], two_nights["run_ids"]
    assert len(run_ids) == 2
    runs = list(db.crawl_runs.find({"run_id": run_ids[0]}))
    assert sorted(r["spider"] for r in runs) == sorted(two_nights["names"])
    assert all(r["finish_reason"] == "finished" for r in runs)
    # The summaries count every worker's articles: together, all that was stored.
    stored = sum(r["summary"]["articles"]["new"] for r in runs)
    assert stored == len(two_nights["after_first"])
    assert max(r["stats"].get("distributed/workers", 0) for r in runs) == 3


@needs_redis
def test_the_monitors_and_the_report_read_the_night_unchanged(
    two_nights: dict[str, Any], mongo_server: str, tmp_path: Path
) -> None:
    db, run_ids = two_nights["db"], two_nights["run_ids"]
    runs = list(db.crawl_runs.find({"run_id": run_ids[0]}))
    assert all(r["monitors"] and "summary" in r for r in runs)  # judged on the merged stats
    out = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "report", "--since", WINDOW_START, "--out", str(out)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MONGO_URI": mongo_server, "MONGO_DATABASE": db.name},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "jagran" in out.read_text(encoding="utf-8")


@needs_redis
def test_second_night_downloads_no_article_page(two_nights: dict[str, Any]) -> None:
    db = two_nights["db"]
    first, second = (run_totals(db, run_id) for run_id in two_nights["run_ids"])
    retried = db.skipped_pages.count_documents({"permanent": False})
    assert second.get("incremental/fetched_new", 0) == 0
    assert second["incremental/skipped_known"] == first["incremental/fetched_new"] - retried
    # Only the page dropped for a passing fault goes to the queue again.
    assert second.get("distributed/popped", 0) == retried
    second_hits = two_nights["hits"][1]
    fetched_again = [
        doc["url"] for doc in two_nights["after_first"] if second_hits.get(fixture_path(doc["url"]))
    ]
    assert fetched_again == []
    assert db.articles.count_documents({}) == len(two_nights["after_first"])


@needs_redis
def test_near_duplicate_clusters_are_those_of_one_index(two_nights: dict[str, Any]) -> None:
    # Copies of a story taken by different workers are clustered as one process would.
    db = two_nights["db"]
    params = NearDupParams()
    index = DuplicateIndex(params)
    store = FingerprintStore(db, "fingerprints")
    for fingerprint, *_ in store.load(params.signature, datetime(2000, 1, 1, tzinfo=UTC)):
        index.add(fingerprint)
    articles = list(db.articles.find({}, {"url": 1, "cluster_id": 1, "duplicate_of": 1}))
    assert len(index) == len(articles)
    wrong = [
        a["url"]
        for a in articles
        if (a["cluster_id"], a.get("duplicate_of") or "")
        != (index.entry(a["url"]).cluster_id, index.duplicate_of(a["url"]))
    ]
    assert wrong == []


def test_reconciling_joins_copies_two_workers_clustered_apart(
    mongo_server: str, mongo_db: Any
) -> None:
    from crawler.distributed.reconcile import reconcile_clusters
    from crawler.ml.fingerprints import fingerprint_doc
    from crawler.ml.neardup import Fingerprinter
    from crawler.project import project_settings

    body = load_expected(expected_files()[0])["body"]
    params = NearDupParams()
    fingerprinter = Fingerprinter(params)
    early, late = datetime(2026, 11, 20, 5, tzinfo=UTC), datetime(2026, 11, 20, 7, tzinfo=UTC)
    copies = [
        fingerprinter.fingerprint("https://a.example/1", "a", early, body, "h1"),
        fingerprinter.fingerprint("https://b.example/2", "b", late, body + " और भी।", "h2"),
    ]
    docs = []
    for fingerprint in copies:  # each worker's own index saw one copy: two clusters
        alone = DuplicateIndex(params)
        alone.add(fingerprint)
        docs.append(fingerprint_doc(alone.entry(fingerprint.url), "", params.signature))
    FingerprintStore(mongo_db, "fingerprints").save(docs)
    mongo_db.articles.insert_many(
        [{"url": d["url"], "cluster_id": d["cluster_id"], "duplicate_of": ""} for d in docs]
    )
    settings = project_settings()
    settings.set("MONGO_URI", mongo_server, "cmdline")
    settings.set("MONGO_DATABASE", mongo_db.name, "cmdline")
    night_started = datetime.now(UTC) - timedelta(minutes=5)
    assert reconcile_clusters(settings, night_started) == 1
    later = mongo_db.articles.find_one({"url": "https://b.example/2"})
    assert (later["cluster_id"], later["duplicate_of"]) == (docs[0]["cluster_id"], docs[0]["url"])
    assert reconcile_clusters(settings, night_started) == 0  # settled


# --- a worker killed with -9 -----------------------------------------------------------------

KILL_SITES = ["jagran", "bhaskar", "amarujala", "livehindustan", "zeenews", "aajtak"]


@needs_redis
def test_a_worker_killed_mid_request_loses_nothing(
    mongo_server: str, redis_url: str, sites: tuple[str, _Hits], tmp_path: Path
) -> None:
    sites_url, _ = sites
    database = f"dist_kill_{uuid.uuid4().hex[:8]}"
    env = environment(mongo_server, database, redis_url, sites_url)
    logs = tmp_path / "logs"
    logs.mkdir()
    client: MongoClient[dict[str, Any]] = connect(mongo_server)
    server = redis.Redis.from_url(redis_url)
    prefix = env["DISTRIBUTED_KEY_PREFIX"]
    procs: list[subprocess.Popen[bytes]] = []
    # The victim's "sites" accept connections and never answer: every request it takes
    # hangs there until it is killed.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(128)
    victim_env = {**env, "LOCAL_SITES_URL": f"http://127.0.0.1:{silent.getsockname()[1]}"}
    try:
        # The victim starts first and waits for the night; the discoverer takes one
        # request at a time and fetches slowly, so the victim finds requests to take
        # (with Scrapy's 16 slots the discoverer sometimes leased all 7 at once). The
        # survivor joins once the victim holds some.
        victim = worker(KILL_SITES, victim_env, logs / "victim.log", "worker")
        procs.append(victim)
        slow = ["DOWNLOAD_DELAY=0.5", "CONCURRENT_REQUESTS=1"]
        discoverer = worker(KILL_SITES, env, logs / "0.log", "discover", slow)
        procs.append(discoverer)
        victim_id = f"{socket.gethostname()}:{victim.pid}"
        deadline = time.monotonic() + 120
        held = 0
        while time.monotonic() < deadline and not held and victim.poll() is None:
            time.sleep(0.2)
            seen = Cluster(server, prefix).workers(within_seconds=60)
            held = sum(w["in_flight"] for w in seen if w["worker"] == victim_id)
        assert held, logs_of(logs)
        survivor = worker(KILL_SITES, env, logs / "2.log", "worker")
        procs.append(survivor)
        survivor_id = f"{socket.gethostname()}:{survivor.pid}"
        while time.monotonic() < deadline + 60 and survivor.poll() is None:
            time.sleep(0.2)
            if any(w["worker"] == survivor_id for w in Cluster(server, prefix).workers(60)):
                break
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        for proc in (discoverer, survivor):
            proc.wait(timeout=180)
        assert (discoverer.returncode, survivor.returncode) == (0, 0), logs_of(logs)
        db = client[database]
        stored = [doc["url"] for doc in db.articles.find()]
        assert len(stored) == len(set(stored))
        assert set(stored) == window_urls(KILL_SITES)
        run_id = db.crawl_runs.find_one()["run_id"]
        totals = run_totals(db, run_id)
        # The victim's leased requests expired and were fetched by the others.
        assert totals.get("distributed/requeued", 0) >= 1, logs_of(logs)
    finally:
        stop(procs)
        silent.close()
        client.drop_database(database)
        client.close()
        server.close()


# --- the pieces, on the real Redis ---------------------------------------------------------


def _frontier(
    server: redis.Redis, keys: RunKeys | None = None, site: str = "jagran", **kwargs: Any
) -> SiteFrontier:
    """A site's frontier in ``keys`` (a fresh run's by default), unlimited unless told."""
    options = {"lease_seconds": 60, "max_in_flight": 0, "delay_seconds": 0, "ttl_seconds": 60}
    keys = keys or RunKeys(f"unit-{uuid.uuid4().hex[:8]}", "run1")
    return SiteFrontier(server, keys, site, **(options | kwargs))


@pytest.fixture
def server(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@needs_redis
def test_a_lease_expires_back_to_the_front_of_the_queue(server: redis.Redis) -> None:
    frontier = _frontier(server, lease_seconds=0.2)
    server.zadd(frontier.key("requests"), {b"first": 0, b"second": 0})
    lease, requeued = frontier.pop()
    assert lease is not None and lease.data == b"first" and requeued == 0
    assert frontier.counts() == {"queued": 1, "in_flight": 1, "done": 0}
    time.sleep(0.3)  # no heartbeat renewed it: its worker is gone
    again, requeued = frontier.pop()
    assert requeued == 1 and again is not None and again.data == b"first"
    assert frontier.ack(again.id) is True
    assert frontier.counts() == {"queued": 1, "in_flight": 0, "done": 1}


@needs_redis
def test_a_renewed_lease_stays_and_an_ack_after_expiry_says_so(server: redis.Redis) -> None:
    frontier = _frontier(server, lease_seconds=0.3)
    server.zadd(frontier.key("requests"), {b"a": 0})
    lease, _ = frontier.pop()
    assert lease is not None
    for _ in range(3):
        time.sleep(0.15)
        assert frontier.renew([lease.id]) == 1
    assert frontier.pop() == (None, 0)  # still held: nothing requeued
    time.sleep(0.4)
    frontier.pop()  # requeues the expired lease and takes it again under a new one
    assert frontier.ack("not-a-lease") is False


@needs_redis
def test_the_politeness_gate_is_global(server: redis.Redis) -> None:
    # Two workers' pops against one site: concurrency and delay hold for both together.
    one = _frontier(server, max_in_flight=2, delay_seconds=0)
    two = _frontier(server, one.keys, max_in_flight=2)
    server.zadd(one.key("requests"), {b"a": 0, b"b": 0, b"c": 0})
    assert one.pop()[0] is not None and two.pop()[0] is not None
    assert one.pop()[0] is None and two.pop()[0] is None  # two in flight: the cap
    slow = _frontier(server, delay_seconds=0.3)
    server.zadd(slow.key("requests"), {b"a": 0, b"b": 0})
    assert slow.pop()[0] is not None
    assert slow.pop()[0] is None  # within the delay
    time.sleep(0.35)
    assert slow.pop()[0] is not None


@needs_redis
def test_the_dupefilter_keeps_a_url_once_a_night_and_expires(server: redis.Redis) -> None:
    from scrapy_redis.dupefilter import RFPDupeFilter

    frontier = _frontier(server)
    dupefilter = RFPDupeFilter(server, key=frontier.key("dupefilter"))
    request = Request("https://www.jagran.com/news/a-1.html")
    assert dupefilter.request_seen(request) is False
    assert dupefilter.request_seen(request.replace()) is True
    frontier.beat("w1")  # refreshes the TTL of the night's keys
    assert 0 < server.ttl(frontier.key("dupefilter")) <= 60


@needs_redis
def test_a_worker_starting_late_skips_the_sites_already_closed(
    server: redis.Redis, redis_url: str
) -> None:
    from crawler.distributed.night import join_night
    from crawler.project import project_settings

    prefix = f"late-{uuid.uuid4().hex[:8]}"
    cluster = Cluster(server, prefix)
    assert cluster.claim_run("r1", ["jagran", "bhaskar"], 30)
    settings = project_settings()
    settings.set("REDIS_URL", redis_url, "cmdline")
    settings.set("DISTRIBUTED_KEY_PREFIX", prefix, "cmdline")
    closed = _frontier(server, cluster.keys("r1"), lease_seconds=1)
    closed.set_discovery("closed")
    night = join_night(settings, ["jagran", "bhaskar"], "worker")
    assert night is not None and (night.role, night.sites) == ("worker", ["bhaskar"])
    closed_too = _frontier(server, cluster.keys("r1"), "bhaskar", lease_seconds=1)
    closed_too.set_discovery("closed")
    assert join_night(settings, ["jagran", "bhaskar"], "worker") is None  # the night is over


def test_merged_stats_add_counters_and_keep_the_earliest_start() -> None:
    early, late = datetime(2026, 12, 1, 2, tzinfo=UTC), datetime(2026, 12, 1, 3, tzinfo=UTC)
    own = {"finish_reason": "finished", "start_time": late, "pipelines/store/new": 3}
    other = {"start_time": early, "pipelines/store/new": 2, "memusage/max": 5, "x/y": 1.5}
    merged = merge_stats(own | {"memusage/max": 9}, [other])
    assert merged["pipelines/store/new"] == 5 and merged["start_time"] == early
    assert merged["memusage/max"] == 9 and merged["x/y"] == 1.5
    assert merged["finish_reason"] == "finished"


@needs_redis
def test_cluster_status_shows_queues_workers_and_rate(server: redis.Redis, redis_url: str) -> None:
    prefix = f"status-{uuid.uuid4().hex[:8]}"
    cluster = Cluster(server, prefix)
    assert cluster.claim_run("r1", ["jagran", "bhaskar"], 30)
    frontier = _frontier(server, cluster.keys("r1"))
    server.zadd(frontier.key("requests"), {b"a": 0, b"b": 0, b"c": 0})
    lease, _ = frontier.pop()
    assert lease is not None
    cluster.register("host:1", {"role": "worker", "pages:jagran": 7}, 60)
    status = night_status(cluster, 0, within_seconds=60)
    jagran = next(s for s in status["sites"] if s["site"] == "jagran")
    assert (jagran["queued"], jagran["in_flight"]) == (2, 1)
    assert [(w["worker"], w["pages"], w["in_flight"]) for w in status["workers"]] == [
        ("host:1", 7, 0)
    ]
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "cluster", "status", "--interval", "0.1"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "REDIS_URL": redis_url, "DISTRIBUTED_KEY_PREFIX": prefix},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "jagran" in result.stdout and "workers seen in the last minute: 1" in result.stdout
    assert "pages/s" in result.stdout


def test_without_redis_url_a_distributed_crawl_is_refused() -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "jagran", "--distributed"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_without_distributed_the_crawl_settings_are_unchanged() -> None:
    from crawler import settings

    assert not hasattr(settings, "SCHEDULER") and settings.DISTRIBUTED_ROLE == ""
