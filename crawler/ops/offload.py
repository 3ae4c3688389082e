"""The first item pipelines of a crawl, run in the parse worker after the parser.

Parsing moved to a worker process (crawler/ops/workers.py), yet the crawl's own
thread still spent about 16 ms of CPU per page, 6 of them in the validate, clean and
language steps (bench/throughput.py --profile): one crawl process could not pass
about 60 pages/s however many cores it had. Those steps are pure: they read the
item and their settings, and write the item and counters. A pipeline that says so
(``WORKER_SAFE = True``) may run in the worker: the leading run of such pipelines in
ITEM_PIPELINES (the first pipeline that is not worker-safe ends it, so the order of
the steps never changes) runs there right after the parser, with a stand-in crawler
that has the settings and a stats collector that only counts.

Back on the crawl's thread the item carries what was done (:func:`mark_done`): its
counters are added to the crawl's stats (and ``workers/prepared``, one per item),
and each of those pipelines, seeing its own name, passes the item on
(:func:`done_in_worker`) or raises the drop it raised in the worker, so that
Scrapy's logging, drop counts and item_dropped signal work as if it had run here. A
step that fails in the worker with anything but a drop leaves itself and the rest to
the crawl's thread, where the failure shows as it always did.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

# The attribute of an item that carries what the worker did.
_MARK = "_done_in_worker"


def component_name(obj: object) -> str:
    """A pipeline's class as module.qualname, whichever path ITEM_PIPELINES names it by."""
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class CountingStats:
    """The part of Scrapy's stats collector that worker-safe pipelines use: counters."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.counts[key] = self.counts.get(key, start) + count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.counts.get(key, default)


@dataclass
class _StandInCrawler:
    settings: BaseSettings
    stats: CountingStats = field(default_factory=CountingStats)


@dataclass
class Prepared:
    """A parsed item after the worker's steps: what ran, what it counted, its drop."""

    item: Any
    done: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    drop: DropItem | None = None


def mark_done(prepared: Prepared, stats: Any) -> Any:
    """The item of ``prepared``, marked with what ran in the worker; its counters
    added to the crawl's ``stats``. Call it only for an item that goes on to the
    pipelines (one the spider discards must not count)."""
    for key, count in prepared.counts.items():
        stats.inc_value(key, count)
    stats.inc_value("workers/prepared")
    setattr(prepared.item, _MARK, (prepared.done, prepared.drop))
    return prepared.item


def done_in_worker(item: Any, pipeline: object) -> bool:
    """Whether ``pipeline`` already ran on ``item`` in the worker; raises the drop it
    raised there (a drop ends the steps: it is the last one's). Each worker-safe
    pipeline asks this first."""
    done, drop = getattr(item, _MARK, ((), None))
    name = component_name(pipeline)
    if name not in done:
        return False
    if drop is not None and name == done[-1]:
        raise drop
    return True


@dataclass(frozen=True)
class WorkerSteps:
    """The worker-safe pipelines of a crawl (their class paths, in order) and the
    settings to build them with; picklable, sent along with every page."""

    paths: tuple[str, ...]
    settings: dict[str, Any]
    # Names this configuration in the worker's cache of built pipelines.
    key: str

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WorkerSteps | None:
        """None when WORKERS_PIPELINES is off or the first pipeline is not worker-safe."""
        if not settings.getbool("WORKERS_PIPELINES"):
            return None
        paths = []
        for path in build_component_list(settings.getwithbase("ITEM_PIPELINES")):
            if not getattr(load_object(path), "WORKER_SAFE", False):
                break
            paths.append(path)
        if not paths:
            return None
        values = _plain_values(settings)
        key = hashlib.sha1(pickle.dumps((paths, sorted(values.items())))).hexdigest()
        return cls(tuple(paths), values, key)

    def prepare(
        self,
        parse: Callable[[bytes, str], Any],
        page: bytes,
        url: str,
        fetched_at: datetime,
        listed_modified_at: Any,
    ) -> Prepared:
        """In the worker: the parsed item through the steps. A parse error is raised."""
        item = parse(page, url)
        # What the spider sets after parsing; clean judges future dates against it.
        item.fetched_at = fetched_at
        item.listed_modified_at = listed_modified_at
        prepared = Prepared(item)
        if not hasattr(item, "__dict__"):  # cannot carry the mark: all steps at home
            return prepared
        for pipeline, crawler in _built(self):
            crawler.stats.counts.clear()
            try:
                prepared.item = pipeline.process_item(prepared.item)
            except DropItem as drop:
                prepared.drop = drop
            except Exception:  # the crawl's thread runs the step again and shows it
                break
            prepared.done += (component_name(pipeline),)
            for key, count in crawler.stats.counts.items():
                prepared.counts[key] = prepared.counts.get(key, 0) + count
            if prepared.drop is not None:
                break
        return prepared


# Each worker process builds the pipelines once per crawl configuration.
_BUILT: dict[str, list[tuple[Any, _StandInCrawler]]] = {}


def _built(steps: WorkerSteps) -> list[tuple[Any, _StandInCrawler]]:
    key = steps.key
    if key not in _BUILT:
        settings = Settings(steps.settings)
        built = []
        for path in steps.paths:
            crawler = _StandInCrawler(settings)
            try:
                built.append((load_object(path).from_crawler(crawler), crawler))
            except NotConfigured:
                continue  # off in this crawl, as on the crawl's thread
            except Exception:  # needs more of a crawler than the stand-in has
                break  # it and the steps after it stay on the crawl's thread, in order
        _BUILT[key] = built
    return _BUILT[key]


def _plain_values(settings: BaseSettings) -> dict[str, Any]:
    """The settings whose values pickle (Scrapy's own may hold classes and objects)."""
    values = {}
    for name, value in settings.copy_to_dict().items():
        try:
            pickle.dumps(value)
        except Exception:  # any object that does not pickle stays behind
            continue
        values[name] = value
    return values
