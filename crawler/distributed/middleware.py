"""The role at start: the discovering process reads the site's robots.txt, sitemaps,
feeds and listings (the spider's own start(), with the incremental check); a
worker reads none of them and takes article requests from the shared queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.distributed.extension import DistributedExtension
from crawler.distributed.frontier import WORKER

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class RoleMiddleware:
    def __init__(self, crawler: Crawler, role: str) -> None:
        self.crawler = crawler
        self.role = role

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RoleMiddleware:
        role = crawler.settings.get("DISTRIBUTED_ROLE")
        if not role:
            raise NotConfigured("not a distributed crawl")
        return cls(crawler, role)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.role != WORKER:
            async for request in start:
                yield request
        scheduler = DistributedExtension.of(self.crawler).scheduler
        if scheduler is not None:
            scheduler.start_done = True
