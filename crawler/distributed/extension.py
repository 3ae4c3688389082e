"""The distributed night's extension: one crawl_runs summary per site from every
worker's stats.

Each process publishes its own stats of a site to Redis when it closes the site
and then, before the monitors judge and the store pipeline writes the run record,
adds the counters every other process has published (``frontier.merge_stats``).
The night's record of a site is one document (one run id, one spider), written by
each process as it closes the site, each time with everything published so far:
the discoverer closes each site last (its scheduler waits until no other worker
is on it), so its record counts every worker's pages and carries the monitors'
verdicts on them. It then marks the site closed, and workers starting later leave
the site alone; one that opened it a moment before writes the same totals and
verdicts again (its monitors judge the same merged stats). The monitors and the
report read the record unchanged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.distributed.frontier import CLOSED, DISCOVER, merge_stats, worker_id

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)


class DistributedExtension:
    def __init__(self, crawler: Crawler, role: str) -> None:
        self.crawler = crawler
        self.role = role
        self.worker = worker_id()
        # The site's FrontierScheduler, set when it opens (it imports this module).
        self.scheduler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedExtension:
        role = crawler.settings.get("DISTRIBUTED_ROLE")
        if not role:
            raise NotConfigured("not a distributed crawl")
        extension = cls(crawler, role)
        # Connected before MonitorsExtension (a lower EXTENSIONS order): the monitors
        # then judge the merged stats, and the store pipeline records them.
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    @classmethod
    def of(cls, crawler: Crawler) -> DistributedExtension:
        extension = crawler.get_extension(cls)
        if extension is None:
            raise RuntimeError("DistributedExtension is not enabled")
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        scheduler = self.scheduler
        if scheduler is None or scheduler.frontier is None:
            return
        stats = self.crawler.stats
        try:
            scheduler.frontier.publish_stats(self.worker, stats.get_stats())
            others = [
                s for w, s in scheduler.frontier.collected_stats().items() if w != self.worker
            ]
        except Exception as exc:  # the record then holds this process's stats alone
            logger.warning("%s: cannot merge the workers' stats: %s", spider.name, exc)
            return
        for key, value in merge_stats(stats.get_stats(), others).items():
            stats.set_value(key, value)
        stats.set_value("distributed/workers", len(others) + 1)
        if self.role == DISCOVER:
            # The site's night is over: workers starting from now leave it alone.
            scheduler.frontier.set_discovery(CLOSED)

    def engine_stopped(self, **_: Any) -> None:
        # After the run record is written: the discoverer may now close the site.
        scheduler = self.scheduler
        if scheduler is not None and scheduler.frontier is not None:
            try:
                scheduler.frontier.leave(self.worker)
            except Exception as exc:
                logger.warning("cannot leave the site's workers: %s", exc)
