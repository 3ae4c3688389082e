"""One real crawl through Scrapy's engine with the project's settings, in a process of
its own (so its peak memory is its own), reporting what happened as JSON:

    python -m tests.reliability.probe CONFIG.json OUT.json

CONFIG: {"spider": "probe" | a project spider name, "args": {...spider args},
"urls": [[url, kind], ...] for the probe spider (kind: article, listing, sitemap,
feed, robots), "settings": {...overrides}, "max_memory_mib": address space cap}.
OUT: stats, the pages each callback received, the failures, seconds taken and peak
RSS (MiB, from ru_maxrss).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure


class ProbeSpider(Spider):
    """Fetches the given URLs with callbacks named like the project spider's, so the
    downloader middlewares treat each as that kind of page."""

    name = "probe"

    def __init__(self, urls: list[list[str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(**kwargs)
        self.urls = urls
        self.pages: list[dict[str, Any]] = []
        self.failures: list[dict[str, str]] = []

    async def start(self) -> AsyncIterator[Request]:
        for url, kind in self.urls:
            callback = getattr(self, f"parse_{kind}")
            yield Request(url, callback=callback, errback=self.failed, dont_filter=True)

    def record(self, response: Response) -> None:
        body = response.body
        self.pages.append(
            {
                "url": response.url,
                "status": response.status,
                "bytes": len(body),
                # What the project's parsers read: the body decoded as UTF-8.
                "utf8": body.decode("utf-8", "replace") if len(body) <= 1 << 20 else "",
                "flags": list(response.flags),
            }
        )

    # Named as the project spider's callbacks: the middlewares tell the kinds apart by name.
    def parse_article(self, response: Response) -> None:
        self.record(response)

    def parse_listing(self, response: Response) -> None:
        self.record(response)

    def parse_sitemap(self, response: Response) -> None:
        self.record(response)

    def parse_feed(self, response: Response) -> None:
        self.record(response)

    def parse_robots(self, response: Response) -> None:
        self.record(response)

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        self.failures.append(
            {
                "url": request.url if request is not None else "?",
                "error": f"{type(failure.value).__name__}: {failure.value}"[:300],
            }
        )


def main(config_path: str, out_path: str) -> None:
    from scrapy.crawler import CrawlerProcess

    from crawler.project import project_settings

    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    if config.get("max_memory_mib"):
        # A fault that grows memory without end (file:///dev/zero before the fix) ends
        # in MemoryError here instead of taking the machine.
        limit = int(config["max_memory_mib"]) << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    settings = project_settings()
    settings.set("ITEM_PIPELINES", {}, "cmdline")
    settings.set("EXTENSIONS", {}, "cmdline")  # no live status line
    settings.set("INCREMENTAL_ENABLED", False, "cmdline")
    settings.set("LOG_LEVEL", "INFO", "cmdline")
    for name, value in config.get("settings", {}).items():
        settings.set(name, value, "cmdline")
    process = CrawlerProcess(settings)
    spider_name = config.get("spider", "probe")
    spider_cls: Any = ProbeSpider if spider_name == "probe" else spider_name
    crawler = process.create_crawler(spider_cls)
    args = dict(config.get("args", {}))
    if spider_name == "probe":
        args["urls"] = config["urls"]
    started = time.monotonic()
    process.crawl(crawler, **args)
    process.start()
    spider = crawler.spider
    result = {
        "seconds": round(time.monotonic() - started, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "stats": crawler.stats.get_stats(),
        "pages": getattr(spider, "pages", []),
        "failures": getattr(spider, "failures", []),
    }
    Path(out_path).write_text(json.dumps(result, default=str), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
