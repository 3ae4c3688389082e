"""The fault matrix: what each fault costs in items, one row per fault.

    .venv/bin/python bench/faults.py                 # every row
    .venv/bin/python bench/faults.py --rows poisoned_document,full_disk
    .venv/bin/python bench/faults.py --chaos-runs 3  # fewer kill -9 crawls

Columns: items expected, stored in MongoDB, waiting in the journal, rejected (with
the reason), unsaved (said loudly: "journal not writable: N items not saved"),
lost (silently: expected - stored - journal - rejected - unsaved, must be 0), the
exit status (crawl rows: the CLI's; fed rows: what `crawl` would return, 1 when
items are unsaved), and the peak RSS of the process that ran the pipeline.

Each row runs in its own process (so peak RSS is its own) against real parts: a
SecantusDB server process killed with SIGKILL and restarted on its data directory,
a real tmpfs filled to the last byte (needs root). "fed" rows push synthetic
articles straight into the store pipeline; "crawl" rows run the real `crawl`
command over the fixture sites on 127.0.0.1. A new row is one function decorated
with ``@row("name")`` returning a :class:`Row`; the hostile-page and sitemap rows
of the other parts of issue 10 go in the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler import PROJECT_ROOT
from crawler.storage.config import connect
from crawler.storage.journal import Journal
from tests.reliability.helpers import (
    KillableMongo,
    SmallFs,
    article,
    dead_uri,
    feed,
    make_pipeline,
    poisoned_article,
)

CRAWL_SINCE = "2026-11-01"  # the fixture sites' reproduced articles (as tests/test_e2e.py)


@dataclass
class Row:
    fault: str
    how: str  # "fed" or "crawl"
    expected: int
    stored: int
    journal: int
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)
    unsaved: int = 0
    exit: str = "-"
    peak_rss_mb: float = 0.0
    note: str = ""

    @property
    def lost(self) -> int:
        return self.expected - self.stored - self.journal - self.rejected - self.unsaved


ROWS: dict[str, Callable[[Path, argparse.Namespace], list[Row]]] = {}


def row(name: str) -> Callable[[Callable[..., list[Row]]], Callable[..., list[Row]]]:
    def register(func: Callable[..., list[Row]]) -> Callable[..., list[Row]]:
        ROWS[name] = func
        return func

    return register


def self_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def count(uri: str, database: str) -> int:
    client = connect(uri)
    try:
        return client[database].articles.count_documents({})
    finally:
        client.close()


def reasons(journal: Journal) -> list[str]:
    found = Counter(entry["reason"].split(":")[0] for entry in journal.rejected())
    return [f"{reason} x{n}" for reason, n in sorted(found.items())]


def journal_counts(uri: str, database: str) -> str:
    """How many items the run records say went through the journal (written, replayed)."""
    client = connect(uri)
    try:
        runs = list(client[database].crawl_runs.find({}, {"store": 1}))
    finally:
        client.close()
    journaled = sum((r.get("store") or {}).get("journaled", 0) for r in runs)
    replayed = sum((r.get("store") or {}).get("replayed", 0) for r in runs)
    return f"{journaled} journaled, {replayed} replayed in-run, {len(runs)} run records"


def fed_exit(pipeline: Any) -> str:
    return "1" if pipeline.unsaved() else "0"


# --- rows ------------------------------------------------------------------------------


@row("db_down_at_start")
def db_down_at_start(tmp: Path, args: argparse.Namespace) -> list[Row]:
    mongo = KillableMongo(tmp / "mongo")
    mongo.start()
    mongo.stop()
    pipeline = make_pipeline(tmp / "pending.jsonl", mongo.uri, "down_at_start")
    docs = [article(n) for n in range(200)]

    async def night() -> None:
        await pipeline.open_spider()  # MongoDB away: the first half goes to the journal
        await feed(pipeline, docs[:100])
        mongo.start()
        await feed(pipeline, docs[100:])  # still journaled: the pipeline reconnects at close
        await pipeline.close_spider()
        await pipeline.spider_closed("finished")

    try:
        asyncio.run(night())
        stored = count(mongo.uri, "down_at_start")
    finally:
        mongo.stop()
    return [
        Row(
            "db down at start",
            "fed",
            200,
            stored,
            pipeline.journal.pending(),
            exit=fed_exit(pipeline),
            peak_rss_mb=self_rss_mb(),
        )
    ]


@row("poisoned_document")
def poisoned_document(tmp: Path, args: argparse.Namespace) -> list[Row]:
    mongo = KillableMongo(tmp / "mongo")
    mongo.start()
    pipeline = make_pipeline(tmp / "pending.jsonl", mongo.uri, "poisoned")
    # As in the report: a refused document first in the journal, 400 behind it ...
    pipeline.journal.append([poisoned_article(0), *(article(n) for n in range(1, 401))])
    # ... and another one in the night's own items.
    docs = [article(n) for n in range(401, 451)] + [poisoned_article(451)]

    async def night() -> None:
        await pipeline.open_spider()
        await feed(pipeline, docs)
        await pipeline.close_spider()
        await pipeline.spider_closed("finished")

    try:
        asyncio.run(night())
        stored = count(mongo.uri, "poisoned")
    finally:
        mongo.stop()
    rejected = pipeline.journal.rejected()
    return [
        Row(
            "poisoned document (18 MB)",
            "fed",
            452,
            stored,
            pipeline.journal.pending(),
            len(rejected),
            reasons(pipeline.journal),
            exit=fed_exit(pipeline),
            peak_rss_mb=self_rss_mb(),
        )
    ]


@row("full_disk")
def full_disk(tmp: Path, args: argparse.Namespace) -> list[Row]:
    rows = []
    # 1. MongoDB away and the journal's disk full; room is made before the crawl ends.
    disk = SmallFs(tmp / "journal-disk")
    if reason := disk.mount():
        return [Row("full disk", "fed", 0, 0, 0, note=f"skipped: {reason}")]
    try:
        pipeline = make_pipeline(disk.path / "pending.jsonl", dead_uri(), "unused")
        docs = [article(n) for n in range(54)]

        async def night(free_before_close: bool) -> None:
            await pipeline.open_spider()
            disk.fill()
            await feed(pipeline, docs)
            if free_before_close:
                disk.free()
            await pipeline.close_spider()
            await pipeline.spider_closed("finished")

        asyncio.run(night(True))
        rows.append(
            Row(
                "full disk (journal, db down), freed before close",
                "fed",
                54,
                0,
                pipeline.journal.pending(),
                unsaved=pipeline.unsaved(),
                exit=fed_exit(pipeline),
                peak_rss_mb=self_rss_mb(),
            )
        )
        disk.free()
        (disk.path / "pending.jsonl").unlink(missing_ok=True)
        pipeline = make_pipeline(disk.path / "pending.jsonl", dead_uri(), "unused")
        asyncio.run(night(False))
        rows.append(
            Row(
                "full disk (journal, db down), never freed",
                "fed",
                54,
                0,
                pipeline.journal.pending(),
                unsaved=pipeline.unsaved(),
                exit=fed_exit(pipeline),
                peak_rss_mb=self_rss_mb(),
                note="unsaved items said loudly",
            )
        )
    finally:
        disk.unmount()

    # 2. The database's disk and the journal's disk both full while MongoDB runs.
    db_disk, journal_disk = SmallFs(tmp / "db-disk", "96m"), SmallFs(tmp / "j-disk")
    db_disk.mount()
    journal_disk.mount()
    mongo = KillableMongo(db_disk.path / "mongo")
    try:
        mongo.start()
        pipeline = make_pipeline(journal_disk.path / "pending.jsonl", mongo.uri, "full_db")
        docs = [article(n) for n in range(54)]

        async def full_night() -> None:
            await pipeline.open_spider()
            db_disk.fill()
            journal_disk.fill()
            await feed(pipeline, docs)
            db_disk.free()
            journal_disk.free()
            await pipeline.close_spider()
            await pipeline.spider_closed("finished")

        asyncio.run(full_night())
        try:
            stored = count(mongo.uri, "full_db")
            note = ""
        except Exception as exc:  # the server may not survive its disk filling up
            stored, note = 0, f"server: {type(exc).__name__}"
        stats = pipeline.crawler.stats
        note = note or (
            f"while full: {stats.get_value('pipelines/store/new')} new written, "
            f"journal {'failed' if pipeline.journal_error else 'not needed'}"
        )
        rows.append(
            Row(
                "full disk (journal and db), freed before close",
                "fed",
                54,
                stored,
                pipeline.journal.pending(),
                unsaved=pipeline.unsaved(),
                exit=fed_exit(pipeline),
                peak_rss_mb=self_rss_mb(),
                note=note,
            )
        )
    finally:
        mongo.stop()
        db_disk.unmount()
        journal_disk.unmount()
    return rows


@row("db_down_at_close")
def db_down_at_close(tmp: Path, args: argparse.Namespace) -> list[Row]:
    mongo = KillableMongo(tmp / "mongo")
    mongo.start()
    first = make_pipeline(tmp / "pending.jsonl", mongo.uri, "down_at_close", CRAWL_RUN_ID="n1")

    async def night() -> None:
        await first.open_spider()
        await feed(first, [article(n) for n in range(25)])  # 20 stored, 5 in the last batch
        mongo.stop()
        await first.close_spider()
        await first.spider_closed("finished")

    try:
        asyncio.run(night())
        mongo.start()
        second = make_pipeline(tmp / "pending.jsonl", mongo.uri, "down_at_close")
        asyncio.run(second.open_spider())
        asyncio.run(second.spider_closed("finished"))
        client = connect(mongo.uri)
        try:
            records = list(client["down_at_close"].crawl_runs.find({"run_id": "n1"}))
        finally:
            client.close()
        stored = count(mongo.uri, "down_at_close")
    finally:
        mongo.stop()
    finished = sum(1 for r in records if r.get("finish_reason") == "finished")
    return [
        Row(
            "db down at close: articles",
            "fed",
            25,
            stored,
            second.journal.pending(),
            exit=fed_exit(first),
            peak_rss_mb=self_rss_mb(),
        ),
        Row(
            "db down at close: run record",
            "fed",
            1,
            finished,
            second.runs_journal.pending(),
            note="recorded at the next start",
        ),
    ]


def crawl(
    uri: str, database: str, journal: Path, batch: int = 50, delay: float = 0.0
) -> tuple[int, float, str]:
    """The real `crawl` command over every fixture site; exit status, peak RSS, stderr tail."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            "--local-sites",
            "--since",
            CRAWL_SINCE,
            "-s",
            f"MONGO_URI={uri}",
            "-s",
            f"MONGO_DATABASE={database}",
            "-s",
            f"MONGO_JOURNAL_PATH={journal}",
            "-s",
            "MONITORS_ENABLED=False",
            "-s",
            "MONGO_SERVER_TIMEOUT_MS=1000",
            "-s",
            f"MONGO_BATCH_SIZE={batch}",
            "-s",
            f"DOWNLOAD_DELAY={delay}",
            "--log-level",
            "WARNING",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    return process.returncode, usage.ru_maxrss / 1024, stderr[-300:]


def kill_every(
    mongo: KillableMongo, seconds: float, stop: threading.Event, kills: list, down: float = 3.0
) -> None:
    """SIGKILL the server every ``seconds`` (the first after half of it) and start it again
    on its data directory ``down`` seconds later: longer than the crawl's server timeout
    (1 s, twice with the retried write), so that writes in between go to the journal."""
    wait = seconds / 2
    while not stop.wait(wait):
        wait = seconds
        mongo.kill9()
        kills.append(time.monotonic())
        stop.wait(down)
        mongo.start()


@row("db_kill9_every_3s")
def db_kill9_every_3s(tmp: Path, args: argparse.Namespace) -> list[Row]:
    mongo = KillableMongo(tmp / "mongo")
    mongo.start()
    rows = []
    try:
        status, rss, tail = crawl(mongo.uri, "reference", tmp / "reference.jsonl")
        expected = count(mongo.uri, "reference")
        rows.append(
            Row(
                "no fault (reference crawl)",
                "crawl",
                expected,
                expected,
                0,
                exit=str(status),
                peak_rss_mb=rss,
            )
        )
        for run in range(args.chaos_runs):
            database, journal = f"chaos{run}", tmp / f"chaos{run}.jsonl"
            stop = threading.Event()
            kills: list[int] = []
            thread = threading.Thread(target=kill_every, args=(mongo, 3.0, stop, kills))
            thread.start()
            try:
                # Batches of 5 and a 1 s download delay: writes all through a crawl of
                # about 15 s, not one at the end of a 5 s crawl.
                status, rss, tail = crawl(mongo.uri, database, journal, batch=5, delay=1.0)
            finally:
                stop.set()
                thread.join()
            stored = count(mongo.uri, database)
            pending = Journal(journal).pending()
            journaled = journal_counts(mongo.uri, database)
            if pending:
                # The next night (no kills) replays what waits in the journal first.
                crawl(mongo.uri, database, journal)
                journaled += (
                    f"; next night: {count(mongo.uri, database)} stored, "
                    f"{Journal(journal).pending()} in journal"
                )
            rows.append(
                Row(
                    f"db kill -9 every 3 s (down 3 s), run {run + 1} ({len(kills)} kills)",
                    "crawl",
                    expected,
                    stored,
                    pending,
                    exit=str(status),
                    peak_rss_mb=rss,
                    note=journaled if status == 0 else tail.strip().splitlines()[-1][:80],
                )
            )
    finally:
        mongo.stop()
    return rows


# --- driver --------------------------------------------------------------------------------


def run_one(name: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix=f"faults-{name}-") as tmp:
        rows = ROWS[name](Path(tmp), args)
    print(json.dumps([asdict(r) for r in rows]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default=",".join(ROWS), help=f"of {', '.join(ROWS)}")
    parser.add_argument("--chaos-runs", type=int, default=10, help="kill -9 crawls (10)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a row, in its own process
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args)
        return 0
    rows: list[Row] = []
    for name in args.rows.split(","):
        result = subprocess.run(
            [sys.executable, __file__, "--one", name, "--chaos-runs", str(args.chaos_runs)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            print(f"{name}: failed:\n{result.stderr[-3000:]}", file=sys.stderr)
            continue
        rows += [Row(**r) for r in json.loads(result.stdout.strip().splitlines()[-1])]
    header = (
        "fault",
        "how",
        "expected",
        "stored",
        "journal",
        "rejected (reason)",
        "unsaved",
        "lost",
        "exit",
        "peak RSS MB",
        "note",
    )
    lines = [header] + [
        (
            r.fault,
            r.how,
            str(r.expected),
            str(r.stored),
            str(r.journal),
            f"{r.rejected}" + (f" ({'; '.join(r.reasons)})" if r.reasons else ""),
            str(r.unsaved),
            str(r.lost),
            r.exit,
            f"{r.peak_rss_mb:.0f}",
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    return 1 if any(r.lost for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
