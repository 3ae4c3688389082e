"""Parsing in worker processes (crawler/ops/workers.py): the same article as on the
crawl's thread, from another process, and nothing lost when a worker dies; the first
pipeline steps in the worker too (crawler/ops/offload.py): the same item, the same
counters, the same drop."""

from __future__ import annotations

import asyncio
import gzip
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.ops.memory import fix_mmap_threshold
from crawler.ops.offload import Prepared, WorkerSteps, done_in_worker, mark_done
from crawler.ops.workers import WorkerCrashed, WorkerPool
from crawler.parsing.registry import SITES
from pipelines.clean import CleanPipeline
from pipelines.language import LanguagePipeline
from pipelines.validate import ArticleDropped, ValidatePipeline
from tests.helpers import FIXTURES, project_settings

# A real capture (tests/fixtures/real-pages/README.md names its source).
REAL_PAGE = FIXTURES / "real-pages" / "bhaskar_2024-05-20.html.gz"


def _real_page() -> bytes:
    return gzip.decompress(REAL_PAGE.read_bytes())


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
    page = _real_page()
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


# --- the first pipeline steps in the worker ------------------------------------------------

STEPS = (ValidatePipeline, CleanPipeline, LanguagePipeline)
BHASKAR_URL = "https://www.bhaskar.com/local/uttar-pradesh/news/example-133064090.html"
FETCHED_AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def _prepared_in_worker(pool: WorkerPool, steps: WorkerSteps) -> Prepared:
    page = _real_page()

    async def calls() -> Prepared:
        await pool.run(_pid)  # in-process: the pool is cold for the first call
        assert pool.warm
        return await pool.run(
            steps.prepare, SITES["bhaskar"].parse, page, BHASKAR_URL, FETCHED_AT, None
        )

    return asyncio.run(calls())


def _on_this_thread(**overrides: Any) -> tuple[Any, dict[str, int], Exception | None]:
    """The same page through the same steps on this thread: item, counters, drop."""
    crawler = get_crawler(settings_dict=project_settings(**overrides))
    crawler.stats.open_spider()
    item = SITES["bhaskar"].parse(_real_page(), BHASKAR_URL)
    item.fetched_at = FETCHED_AT
    drop = None
    try:
        for step in STEPS:
            item = step.from_crawler(crawler).process_item(item)
    except ArticleDropped as exc:
        drop = exc
    counts = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("pipelines/")}
    return item, counts, drop


def _steps(**overrides: Any) -> WorkerSteps:
    steps = WorkerSteps.from_settings(Settings(project_settings(**overrides)))
    assert steps is not None
    return steps


def test_the_worker_safe_steps_are_the_leading_run_of_item_pipelines() -> None:
    # dedupe (300) is not worker-safe: classify and enrich after it stay at home.
    assert _steps().paths == tuple(f"{cls.__module__}.{cls.__name__}" for cls in STEPS)
    assert WorkerSteps.from_settings(Settings(project_settings(WORKERS_PIPELINES=False))) is None


def test_steps_in_a_worker_give_the_same_item_and_counters(pool: WorkerPool) -> None:
    prepared = _prepared_in_worker(pool, _steps())
    item, counts, drop = _on_this_thread()

    assert drop is None and prepared.drop is None
    assert prepared.done == _steps().paths
    assert len(item.body) > 1000 and item.search_tokens  # cleaned, tokenized
    assert asdict(prepared.item) == asdict(item)
    assert prepared.counts == counts
    assert counts["pipelines/validate/passed"] == 1


def test_back_home_the_steps_pass_the_item_on_and_the_counters_count(pool: WorkerPool) -> None:
    prepared = _prepared_in_worker(pool, _steps())
    crawler = get_crawler(settings_dict=project_settings())
    crawler.stats.open_spider()
    item = mark_done(prepared, crawler.stats)
    before = asdict(item)

    for step in STEPS:
        assert done_in_worker(item, step.from_crawler(crawler))
        assert step.from_crawler(crawler).process_item(item) is item
    assert asdict(item) == before  # not cleaned twice
    assert crawler.stats.get_value("pipelines/validate/passed") == 1
    assert crawler.stats.get_value("workers/prepared") == 1


def test_a_drop_in_the_worker_is_raised_again_at_its_own_step(pool: WorkerPool) -> None:
    too_short = {"VALIDATE_MIN_BODY_CHARS": 10**6}
    prepared = _prepared_in_worker(pool, _steps(**too_short))
    _, counts, drop = _on_this_thread(**too_short)
    assert isinstance(drop, ArticleDropped)

    assert prepared.done == _steps().paths[:1]  # clean and language never ran
    assert prepared.counts == counts
    crawler = get_crawler(settings_dict=project_settings(**too_short))
    item = mark_done(prepared, crawler.stats)
    with pytest.raises(ArticleDropped) as raised:
        ValidatePipeline.from_crawler(crawler).process_item(item)
    assert (raised.value.reason, raised.value.permanent) == (drop.reason, drop.permanent)
    assert not done_in_worker(item, CleanPipeline.from_crawler(crawler))


class NeedsSignals:
    """A step that says WORKER_SAFE yet wants more of a crawler than the stand-in has."""

    WORKER_SAFE = True

    @classmethod
    def from_crawler(cls, crawler: Any) -> NeedsSignals:
        crawler.signals.connect(print, signal=object())
        return cls()

    def process_item(self, item: Any) -> Any:
        return item


def test_a_step_the_worker_cannot_build_stays_home_with_the_steps_after_it() -> None:
    validate, clean = (f"{cls.__module__}.{cls.__name__}" for cls in STEPS[:2])
    pipelines = {validate: 100, f"{__name__}.NeedsSignals": 150, clean: 200}
    steps = _steps(ITEM_PIPELINES=pipelines)
    assert len(steps.paths) == 3

    page = _real_page()
    prepared = steps.prepare(SITES["bhaskar"].parse, page, BHASKAR_URL, FETCHED_AT, None)
    assert prepared.done == (validate,)  # clean waits for the crawl's thread, in order
    assert prepared.drop is None


# --- memory ----------------------------------------------------------------------------


def test_the_mmap_threshold_is_fixed_here_and_for_the_processes_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert fix_mmap_threshold(128 * 1024)  # glibc's mallopt said yes
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['MALLOC_MMAP_THRESHOLD_'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "131072"
    assert not fix_mmap_threshold(0)  # 0 keeps glibc's own
