"""Parsing in worker processes (crawler/ops/workers.py): the same article as on the
crawl's thread, from another process, and nothing lost when a worker dies."""

from __future__ import annotations

import asyncio
import gzip
import os
import signal
from collections.abc import Iterator
from dataclasses import asdict

import pytest

from crawler.ops.workers import WorkerPool
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


def test_a_worker_that_dies_costs_no_call(pool: WorkerPool) -> None:
    async def calls() -> tuple[int, int, int]:
        await pool.run(_pid)  # in-process
        worker = await pool.run(_pid)
        # The worker is killed: the call runs again in-process, the next in a new worker.
        return worker, await pool.run(_die_once), await pool.run(_pid)

    worker, survived, fresh = asyncio.run(calls())
    assert survived == os.getpid()
    assert fresh not in (worker, os.getpid())


def _die_once() -> int:
    """Kills the worker it runs in; returns the pid when run in this test's process."""
    if str(os.getpid()) != os.environ[_TEST_PID]:
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


# Workers inherit the environment: there this names the test's process, not theirs.
_TEST_PID = "TEST_WORKERS_PARENT_PID"
os.environ.setdefault(_TEST_PID, str(os.getpid()))
