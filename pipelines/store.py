"""Store articles in MongoDB in batches; journal them locally when MongoDB is away.

Nothing is dropped: a batch MongoDB does not take (server unreachable, lost
connection, failed bulk write) goes to the journal (MONGO_JOURNAL_PATH) and is
replayed when the pipeline next opens, or at close once the server is back.
Documents MongoDB rejects for what they are (not for where it is) go to
``<journal>.rejected`` instead, so a bad document cannot block every replay.
Counts are kept under pipelines/store/{new,updated,unchanged,journaled,replayed}.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from pymongo import MongoClient
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.monitors import MonitorSuite
from crawler.runs import build_summary, previous_summaries
from crawler.store import (
    ArticleStore,
    EmbeddedMongoError,
    Journal,
    UpsertCounts,
    connect,
    redact_secrets,
    redact_uri,
    resolve_mongo_uri,
)

logger = logging.getLogger(__name__)

STATS_PREFIX = "pipelines/store/"
# Errors that say "MongoDB is not there right now": the batch is journaled and retried.
# A BulkWriteError may have written part of the batch; replay is idempotent, so the
# whole batch is journaled.
TRANSIENT_ERRORS = (ServerSelectionTimeoutError, AutoReconnect, ConnectionFailure, BulkWriteError)


class MongoStorePipeline:
    crawler: Crawler

    def __init__(
        self,
        mongo_uri: str,
        database: str,
        batch_size: int,
        journal_path: str | Path,
        embedded_dir: str | Path,
        embedded_port: int,
        server_timeout_ms: int,
        run_id: str | None = None,
        monitors: MonitorSuite | None = None,
    ) -> None:
        self.mongo_uri = mongo_uri
        self.database = database
        self.batch_size = max(int(batch_size), 1)
        self.journal = Journal(journal_path)
        self.rejected = Journal(Path(journal_path).with_name(Path(journal_path).name + ".rejected"))
        self.embedded_dir = str(embedded_dir)
        self.embedded_port = int(embedded_port)
        self.server_timeout_ms = int(server_timeout_ms)
        self.run_id = run_id or uuid.uuid4().hex
        self.monitors = monitors  # judged into the run record; None = no monitors
        self.uri = ""  # resolved at open
        self.client: MongoClient[dict[str, Any]] | None = None
        self.store: ArticleStore | None = None
        self.started_at: datetime | None = None
        self._buffer: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MongoStorePipeline:
        settings = crawler.settings
        pipeline = cls(
            mongo_uri=settings.get("MONGO_URI", ""),
            database=settings.get("MONGO_DATABASE"),
            batch_size=settings.getint("MONGO_BATCH_SIZE"),
            journal_path=settings.get("MONGO_JOURNAL_PATH"),
            embedded_dir=settings.get("MONGO_EMBEDDED_DIR"),
            embedded_port=settings.getint("MONGO_EMBEDDED_PORT"),
            server_timeout_ms=settings.getint("MONGO_SERVER_TIMEOUT_MS"),
            run_id=settings.get("CRAWL_RUN_ID") or None,
            monitors=_monitor_suite(crawler),
        )
        pipeline.crawler = crawler
        # The run record needs the finish reason, which only spider_closed carries.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # --- Scrapy hooks -----------------------------------------------------------------

    async def open_spider(self) -> None:
        self.started_at = datetime.now(UTC)
        for name in ("new", "updated", "unchanged", "journaled", "replayed"):
            self.crawler.stats.set_value(STATS_PREFIX + name, 0)
        await asyncio.to_thread(self._open)
        await self._replay()

    async def process_item(self, item: Any) -> Any:
        self._buffer.append(ItemAdapter(item).asdict())
        if len(self._buffer) >= self.batch_size:
            batch, self._buffer = self._buffer, []
            await self._flush(batch)
        return item

    async def close_spider(self) -> None:
        batch, self._buffer = self._buffer, []
        if batch:
            await self._flush(batch)
        if self.store is None and self.uri:
            await asyncio.to_thread(self._connect)  # the server may be back by now
        await self._replay()
        pending = self.journal.pending()
        if pending:
            logger.warning("%d items wait in the journal %s", pending, self.journal.path)

    async def spider_closed(self, reason: str) -> None:
        """Record the run in ``crawl_runs`` (needs the finish reason) and disconnect."""
        await asyncio.to_thread(self._finish, reason)

    # --- work done in threads ---------------------------------------------------------

    def _open(self) -> None:
        try:
            self.uri = resolve_mongo_uri(self.mongo_uri, self.embedded_dir, self.embedded_port)
        except EmbeddedMongoError as exc:
            logger.warning(
                "Cannot start the embedded MongoDB server: %s; items go to the journal %s",
                exc,
                self.journal.path,
            )
            return
        self._connect()

    def _connect(self) -> bool:
        client = None
        try:
            client = connect(self.uri, self.server_timeout_ms)
            client.admin.command("ping")
            store = ArticleStore(client[self.database])
            store.ensure_indexes()
        except PyMongoError as exc:
            if client is not None:
                client.close()
            logger.warning(
                "MongoDB at %s is unreachable (%s); items go to the journal %s",
                redact_uri(self.uri),
                self._redact(str(exc)),
                self.journal.path,
            )
            return False
        self.client, self.store = client, store
        logger.info(
            "Storing articles in MongoDB at %s, database %s", redact_uri(self.uri), self.database
        )
        return True

    def _write(self, docs: list[dict[str, Any]]) -> tuple[UpsertCounts, int]:
        """Write one batch; return the counts and how many documents were journaled."""
        if self.store is None:
            return UpsertCounts(), self.journal.append(docs)
        try:
            return self.store.upsert_articles(docs), 0
        except TRANSIENT_ERRORS as exc:
            journaled = self.journal.append(docs)
            logger.warning(
                "MongoDB write failed (%s: %s); %d items now wait in the journal %s",
                type(exc).__name__,
                self._redact(str(exc)),
                self.journal.pending(),
                self.journal.path,
            )
            return UpsertCounts(), journaled
        except (PyMongoError, ValueError) as exc:
            # Not a connection problem: replaying these would fail again and block the journal.
            self.rejected.append(docs)
            logger.error(
                "MongoDB rejected a batch of %d items (%s: %s); kept them in %s",
                len(docs),
                type(exc).__name__,
                self._redact(str(exc)),
                self.rejected.path,
            )
            return UpsertCounts(), 0

    def _replay_sync(self) -> int:
        if self.store is None or not self.journal.pending():
            return 0
        try:
            return self.journal.replay(self.store)
        except PyMongoError as exc:
            logger.warning(
                "Journal replay stopped (%s: %s); %d items still wait in %s",
                type(exc).__name__,
                self._redact(str(exc)),
                self.journal.pending(),
                self.journal.path,
            )
            return 0

    def _finish(self, reason: str) -> None:
        self._record_run(reason)
        if self.client is not None:
            self.client.close()
        self.client, self.store = None, None

    def _record_run(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        spider = self.crawler.spider
        site = spider.name if spider is not None else ""
        finished_at = datetime.now(UTC)
        summary = build_summary(
            stats,
            site=site,
            finish_reason=reason,
            finished_at=finished_at,
            started_at=self.started_at,
        )
        doc = {
            "run_id": self.run_id,
            "spider": site or None,
            "started_at": self.started_at,
            "finished_at": finished_at,
            "finish_reason": reason,
            "summary": mongo_safe(summary),
            "monitors": [result.as_dict() for result in self._judge(site, summary)],
            "stats": mongo_safe(stats),
            "store": {
                name: stats.get(STATS_PREFIX + name, 0)
                for name in ("new", "updated", "unchanged", "journaled", "replayed")
            }
            | {"pending": self.journal.pending()},
        }
        if self.store is None:
            logger.warning("MongoDB is unreachable; run %s is not recorded", self.run_id)
            return
        try:
            self.store.record_run(doc)
        except PyMongoError as exc:
            logger.warning("Could not record run %s: %s", self.run_id, self._redact(str(exc)))

    def _judge(self, site: str, summary: dict[str, Any]) -> list[Any]:
        """The monitors' verdicts on this run, against the site's earlier runs."""
        if self.monitors is None:
            return []
        history: list[dict[str, Any]] = []
        if self.store is not None and self.monitors.history_runs:
            try:
                history = previous_summaries(
                    self.store, site, self.run_id, self.monitors.history_runs
                )
            except PyMongoError as exc:
                logger.warning(
                    "Could not read earlier runs of %s: %s", site, self._redact(str(exc))
                )
        return self.monitors.run(summary, history)

    # --- helpers ----------------------------------------------------------------------

    async def _flush(self, docs: list[dict[str, Any]]) -> None:
        # In a thread: pymongo blocks, and the crawl must go on meanwhile. Stats are
        # updated here, on the reactor thread, because the stats collector is not thread-safe.
        counts, journaled = await asyncio.to_thread(self._write, docs)
        stats = self.crawler.stats
        stats.inc_value(STATS_PREFIX + "new", counts.new)
        stats.inc_value(STATS_PREFIX + "updated", counts.updated)
        stats.inc_value(STATS_PREFIX + "unchanged", counts.unchanged)
        stats.inc_value(STATS_PREFIX + "journaled", journaled)

    async def _replay(self) -> None:
        replayed = await asyncio.to_thread(self._replay_sync)
        if replayed:
            logger.info("Replayed %d journaled items into MongoDB", replayed)
            self.crawler.stats.inc_value(STATS_PREFIX + "replayed", replayed)

    def _redact(self, text: str) -> str:
        # pymongo appends a long topology dump to selection errors; the first part says it all.
        text = text.split(", Topology Description:")[0]
        return redact_secrets(text, self.mongo_uri or self.uri)


def _monitor_suite(crawler: Crawler) -> MonitorSuite | None:
    try:
        return MonitorSuite.from_crawler(crawler)
    except NotConfigured:
        return None


def mongo_safe(value: Any) -> Any:
    """``value`` with dict keys MongoDB accepts: no dots, no leading ``$``.

    Dots and dollars become their full-width forms, the usual MongoDB convention.
    Datetimes, numbers and strings stay as they are; other objects become strings.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = str(key).replace(".", "\uff0e")
            if key.startswith("$"):
                key = "\uff04" + key[1:]
            out[key] = mongo_safe(item)
        return out
    if isinstance(value, list | tuple):
        return [mongo_safe(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str | datetime):
        return value
    return str(value)
