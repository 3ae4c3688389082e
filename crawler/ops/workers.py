"""CPU-heavy work in worker processes, so that a big crawl uses more than one core.

Scrapy runs a crawl on one thread: downloading, parsing and every pipeline share a
single core while the others idle. Parsing a 280 KB page is the largest single piece
of that thread's work (about 6 ms of 23; bench/throughput.py --profile), and it is
pure: bytes and a URL in, an item out. :class:`WorkerPool` runs such functions in a
``ProcessPoolExecutor`` and hands back an awaitable, so the event loop goes on
downloading meanwhile.

Starting the workers costs about a second (each imports the parsers), more than a
small crawl spends parsing; so the first ``WORKERS_START_AFTER`` calls of a process
run in-process and the workers start only when a crawl turns out to be big. One
pool serves every spider of the process (``crawl --all``). A worker that dies (out
of memory, killed, a crash in a C library) breaks the pool: the calls it held run
again in a fresh pool, and a call that kills that one too raises
:class:`WorkerCrashed` (the spider records the page as a parse failure and fetches it
again another night) instead of taking the crawl down with it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

_shared: dict[tuple[int, int], WorkerPool] = {}
_shared_lock = threading.Lock()


class WorkerCrashed(RuntimeError):
    """A call killed its worker process twice."""


class WorkerPool:
    def __init__(self, processes: int, start_after: int = 0) -> None:
        self.processes = processes
        self.start_after = start_after
        self.calls = 0
        self._executor: ProcessPoolExecutor | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WorkerPool | None:
        """The process's shared pool for WORKERS_PROCESSES (None when it is 0)."""
        processes = settings.getint("WORKERS_PROCESSES")
        if processes <= 0:
            return None
        key = (processes, settings.getint("WORKERS_START_AFTER"))
        with _shared_lock:
            if key not in _shared:
                _shared[key] = cls(*key)
            return _shared[key]

    @property
    def started(self) -> bool:
        return self._executor is not None

    @property
    def warm(self) -> bool:
        """Whether the next call goes to a worker (past the first start_after calls)."""
        return self.calls >= self.start_after

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker process (in-process while the pool is cold).

        ``function`` (a module-level function, or a method of a picklable object such
        as a registry Site), its arguments and its result must pickle; an exception
        it raises is raised here.
        """
        self.calls += 1
        if self.calls <= self.start_after:
            return function(*args)
        try:
            return await self._in_worker(function, *args)
        except BrokenProcessPool:
            logger.warning("A worker process died; %s runs again", function.__name__)
        try:
            return await self._in_worker(function, *args)
        except BrokenProcessPool:
            raise WorkerCrashed(f"{function.__name__} killed its worker twice") from None

    async def _in_worker(self, function: Callable[..., T], *args: Any) -> T:
        executor = self._executor_started()
        try:
            return await asyncio.wrap_future(executor.submit(function, *args))
        except BrokenProcessPool:
            if self._executor is executor:  # the first of its calls to notice: a new pool
                self.close()
            raise

    def _executor_started(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: a fork of this process would copy the reactor's threads' locks.
            context = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(self.processes, mp_context=context)
            logger.info("Started %d worker processes", self.processes)
        return self._executor

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
