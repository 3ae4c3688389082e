"""The crawl's one MongoDB connection, as a Scrapy extension.

``MongoExtension`` opens the client the first time a component asks for it and
hands the same client to every component of the crawl (the store pipeline, the
dedupe pipeline, the incremental filter, the run recorder and the monitors), and
closes it when the engine has stopped, after every spider_closed handler ran.
Components find it with ``MongoExtension.of(crawler)``.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from pymongo import MongoClient
from scrapy import signals
from scrapy.crawler import Crawler

from crawler.storage.config import MongoConfig

logger = logging.getLogger(__name__)


class MongoExtension:
    def __init__(self, config: MongoConfig) -> None:
        self.config = config
        self._client: MongoClient[dict[str, Any]] | None = None
        self._lock = threading.Lock()  # components connect from their worker threads

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MongoExtension:
        extension = cls(MongoConfig.from_settings(crawler.settings))
        crawler.signals.connect(extension.close, signal=signals.engine_stopped)
        return extension

    @classmethod
    def of(cls, crawler: Crawler) -> MongoExtension:
        """The crawl's extension; one of its own for a crawler without it (a pipeline
        built alone in a test or by ``extract``), closed the same way."""
        try:
            extension = crawler.get_extension(cls)
        except RuntimeError:  # the crawler's extensions are not built yet
            extension = None
        if extension is None:
            extension = getattr(crawler, "_mongo_extension", None)
        if extension is None:
            extension = cls.from_crawler(crawler)
            crawler._mongo_extension = extension  # type: ignore[attr-defined]
        return extension

    def client(self) -> MongoClient[dict[str, Any]]:
        """The crawl's client, opened on first use (starting the embedded server if
        needed). Raises EmbeddedMongoError when that server cannot start; the client
        itself connects lazily, so an unreachable server shows on the first command."""
        with self._lock:
            if self._client is None:
                self._client = self.config.connect()
                # Closed when the engine stops; for an extension built by hand (a
                # pipeline driven by a test) when the extension itself is dropped.
                weakref.finalize(self, self._client.close)
            return self._client

    def database(self) -> Any:
        return self.client()[self.config.database]

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
