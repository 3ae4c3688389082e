"""Parsing in worker processes (crawler/ops/workers.py): the same article as on the
crawl's thread, from another process, and nothing lost when a worker dies."""

from __future__ import annotations

import asyncio
import gzip
import os
import signal
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from crawler.ops.workers import WorkerCrashed, WorkerPool
from crawler.parsing.registry import SITES
from tests.helpers import FIXTURES

# A real capture (tests/fixtures/real-pages/README.md names its source).
REAL_PAGE = FIXTURES / "real-pages" / "bhaskar_2024-05-20.html.gz"


def _pid() -> int:
    return os.getpid()


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(processes=1, start_after=1)
    yield pool
    pool.close()


def test_the_first_calls_run_in_process_then_in_a_worker(pool: WorkerPool) -> None:
    async def pids() -> list[int]:
        return [await pool.run(_pid) for _ in range(3)]

    first, second, third = asyncio.run(pids())
    assert first == os.getpid()
    assert second != os.getpid() and third == second  # one worker, kept
    assert pool.started


def test_a_page_parsed_in_a_worker_is_the_same_article(pool: WorkerPool) -> None:
    page = gzip.decompress(REAL_PAGE.read_bytes())
    site = SITES["bhaskar"]
    url = "https://www.bhaskar.com/local/uttar-pradesh/news/example-133064090.html"

    async def parse_twice() -> tuple[object, object]:
        here = await pool.run(site.parse, page, url)  # the first call: in-process
        there = await pool.run(site.parse, page, url)
        return here, there

    here, there = asyncio.run(parse_twice())
    assert pool.started
    assert len(here.body) > 1000  # a real article, not an empty reading
    assert asdict(there) == asdict(here)


def test_a_worker_that_dies_costs_no_call(pool: WorkerPool, tmp_path: Path) -> None:
    marker = tmp_path / "died"

    async def calls() -> tuple[int, int, int]:
        await pool.run(_pid)  # in-process
        worker = await pool.run(_pid)
        # The first try kills its worker; the call runs again in a fresh pool.
        return worker, await pool.run(_die_once, str(marker)), await pool.run(_pid)

    worker, again, fresh = asyncio.run(calls())
    assert marker.exists()
    assert again not in (worker, os.getpid())
    assert fresh == again  # the fresh pool serves on


def test_a_call_that_kills_every_worker_raises_and_the_crawl_goes_on(pool: WorkerPool) -> None:
    async def calls() -> int:
        await pool.run(_pid)  # in-process
        with pytest.raises(WorkerCrashed):
            await pool.run(_die)
        return await pool.run(_pid)

    assert asyncio.run(calls()) != os.getpid()


def _die() -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


def _die_once(marker: str) -> int:
    """Kills its worker the first time (leaving ``marker``), returns the pid after."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        _die()
    return os.getpid()
