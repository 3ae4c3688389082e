"""Store articles in MongoDB in batches; journal them locally when MongoDB is away.

Nothing is dropped: a batch MongoDB does not take (server unreachable, lost
connection, write-concern error) goes to the journal (MONGO_JOURNAL_PATH) and is
replayed when the pipeline next opens, or at close once the server is back.
Writes wait for the server's journal (MONGO_JOURNALED_WRITES), so an acknowledged
article survives a kill -9 of the server and the journal is cut only after that.
A document MongoDB refuses for what it is (too large, invalid) is not an outage:
the rest of its batch is written and it goes to ``<journal>.rejected`` with the
reason (never into the log), so a bad document cannot block every replay.

When the journal itself cannot be written (a full disk) the crawl is stopped
(finish reason ``journal_not_writable``), up to MONGO_MAX_UNSAVED_ITEMS items are
held in memory and retried at close, and what is still not saved then is counted
under pipelines/store/unsaved and logged as "journal not writable: N items not saved".

Run records: one ``crawl_runs`` document per spider, written as "running" at open
and in full at close; a record MongoDB does not take goes to ``<journal stem>-runs``
and is replayed at the next start, which also marks the runs of dead processes
``never_closed``. Counts: pipelines/store/{new,updated,unchanged,journaled,replayed,
rejected,unsaved}.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson.errors import BSONError
from itemadapter import ItemAdapter
from pymongo.errors import PyMongoError
from scrapy import signals
from scrapy.crawler import Crawler

from crawler.ops.monitors import MonitorsExtension
from crawler.ops.runs import run_document
from crawler.storage.embedded import EmbeddedMongoError, process_alive
from crawler.storage.extension import MongoExtension
from crawler.storage.journal import Journal, JournalWriteError
from crawler.storage.store import RUNNING, ArticleStore, UpsertCounts, rejection_reason

logger = logging.getLogger(__name__)

STATS_PREFIX = "pipelines/store/"
COUNTS = ("new", "updated", "unchanged", "journaled", "replayed", "rejected", "unsaved")
# Set at close when MongoDB could not be reached: the one-line reason, for the CLI.
MONGO_UNREACHABLE_STAT = STATS_PREFIX + "mongo_unreachable"
# The finish reason of a crawl stopped because its journal could not be written.
JOURNAL_NOT_WRITABLE = "journal_not_writable"
# The driver cannot encode a document (an int beyond 64 bits, a bad key): one bad
# document, found by writing the batch one by one.
ENCODING_ERRORS = (BSONError, OverflowError)


class MongoStorePipeline:
    crawler: Crawler

    def __init__(
        self,
        mongo: MongoExtension,
        batch_size: int,
        journal_path: str | Path,
        run_id: str | None = None,
        *,
        journaled_writes: bool,
        max_document_bytes: int,
        max_unsaved_items: int,
    ) -> None:
        self.mongo = mongo  # the crawl's one client
        self.batch_size = max(int(batch_size), 1)
        self.journal = Journal(journal_path)
        path = Path(journal_path)
        self.runs_journal = Journal(path.with_name(f"{path.stem}-runs{path.suffix}"))
        self.journaled_writes = journaled_writes
        self.max_document_bytes = int(max_document_bytes)
        self.max_unsaved_items = max(int(max_unsaved_items), 0)
        self.run_id = run_id or uuid.uuid4().hex
        self.started = False  # the server was started or reached at open
        self.mongo_error: str | None = None  # why MongoDB was last out of reach
        self.store: ArticleStore | None = None
        self.started_at: datetime | None = None
        self._buffer: list[dict[str, Any]] = []
        # Items neither MongoDB nor the journal took (a full disk), retried at each
        # flush and at close; beyond max_unsaved_items they are counted as lost.
        self._held: list[dict[str, Any]] = []
        self._held_rejects: list[tuple[dict[str, Any], str]] = []
        self._lost = 0
        self._held_lock = threading.Lock()  # flushes run in threads, possibly several at once
        self.journal_error: str | None = None
        self._stopping: asyncio.Future[None] | None = None
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MongoStorePipeline:
        settings = crawler.settings
        pipeline = cls(
            mongo=MongoExtension.of(crawler),
            batch_size=settings.getint("MONGO_BATCH_SIZE"),
            journal_path=settings.get("MONGO_JOURNAL_PATH"),
            run_id=settings.get("CRAWL_RUN_ID") or None,
            journaled_writes=settings.getbool("MONGO_JOURNALED_WRITES"),
            max_document_bytes=settings.getint("MONGO_MAX_DOCUMENT_BYTES"),
            max_unsaved_items=settings.getint("MONGO_MAX_UNSAVED_ITEMS"),
        )
        pipeline.crawler = crawler
        # The run record needs the finish reason, which only spider_closed carries.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # --- Scrapy hooks -----------------------------------------------------------------

    async def open_spider(self) -> None:
        self.started_at = datetime.now(UTC)
        for name in COUNTS:
            self.crawler.stats.set_value(STATS_PREFIX + name, 0)
        await asyncio.to_thread(self._open)
        await self._replay()
        await asyncio.to_thread(self._record_start)

    async def process_item(self, item: Any) -> Any:
        self._buffer.append(dict(ItemAdapter(item)))  # shallow: asdict() deep-copies every list
        if len(self._buffer) >= self.batch_size:
            batch, self._buffer = self._buffer, []
            await self._flush(batch)
        return item

    async def close_spider(self) -> None:
        self._closing = True
        batch, self._buffer = self._buffer, []
        if self.store is None and self.started:
            await asyncio.to_thread(self._connect)  # the server may be back by now
        # Held items (a full disk) go along: to MongoDB if it is there, else the journal.
        await self._flush(batch)
        await self._replay()
        pending = self.journal.pending()
        if pending:
            logger.warning("%d items wait in the journal %s", pending, self.journal.path)
        if self.store is None and self.mongo_error:
            self.crawler.stats.set_value(MONGO_UNREACHABLE_STAT, self.mongo_error)
        unsaved = self.unsaved()
        self.crawler.stats.set_value(STATS_PREFIX + "unsaved", unsaved)
        if unsaved:
            logger.error(
                "journal not writable: %d items not saved (%s; journal %s)",
                unsaved,
                self.journal_error,
                self.journal.path,
            )

    def unsaved(self) -> int:
        """Items (and refused documents) neither MongoDB, the journal nor the rejected file took."""
        with self._held_lock:
            return len(self._held) + len(self._held_rejects) + self._lost

    async def spider_closed(self, reason: str) -> None:
        """Record the run in ``crawl_runs`` (needs the finish reason) and disconnect."""
        await asyncio.to_thread(self._finish, reason)

    # --- work done in threads ---------------------------------------------------------

    def _open(self) -> None:
        try:
            self.mongo.client()
            self.started = True
        except EmbeddedMongoError as exc:
            self.mongo_error = self.mongo.config.failure(exc)
            logger.warning(
                "Cannot start the embedded MongoDB server: %s; items go to the journal %s",
                exc,
                self.journal.path,
            )
            return
        self._connect()

    def _connect(self) -> bool:
        config = self.mongo.config
        try:
            client = self.mongo.client()
            client.admin.command("ping")
            store = ArticleStore(
                client[config.database],
                journaled=self.journaled_writes,
                max_document_bytes=self.max_document_bytes,
            )
            store.ensure_indexes()
        except PyMongoError as exc:
            self.mongo_error = config.failure(exc)
            logger.warning(
                "MongoDB at %s is unreachable (%s); items go to the journal %s",
                config.address(),
                config.redact(str(exc)),
                self.journal.path,
            )
            return False
        self.store, self.mongo_error = store, None
        logger.info(
            "Storing articles in MongoDB at %s, database %s", config.address(), config.database
        )
        return True

    def _write(self, docs: list[dict[str, Any]]) -> tuple[UpsertCounts, int]:
        """Write one batch (after any held items); return the counts and how many were journaled.

        Every document ends in MongoDB, the journal, the rejected file or (disk
        full) the held list: none is dropped here.
        """
        with self._held_lock:
            docs = self._held + docs
            self._held = []
            rejects, self._held_rejects = self._held_rejects, []
        counts = UpsertCounts()
        if docs and self.store is not None:
            try:
                counts = self.store.upsert_articles(docs)
                docs = []
            except PyMongoError as exc:
                # Not there, or not durable: the whole batch waits (replay is idempotent).
                logger.warning(
                    "MongoDB write failed (%s: %s); %d items go to the journal %s",
                    type(exc).__name__,
                    self._redact(str(exc)),
                    len(docs),
                    self.journal.path,
                )
            except ENCODING_ERRORS:
                counts, docs = self._write_one_by_one(docs)
        self._reject(rejects + counts.rejected)
        return counts, self._journal(docs)

    def _write_one_by_one(
        self, docs: list[dict[str, Any]]
    ) -> tuple[UpsertCounts, list[dict[str, Any]]]:
        """Finds the documents the driver cannot encode; returns the counts and the unwritten."""
        assert self.store is not None
        counts, unwritten = UpsertCounts(), []
        for doc in docs:
            try:
                counts += self.store.upsert_articles([doc])
            except ENCODING_ERRORS as exc:
                counts.rejected.append((doc, rejection_reason(type(exc).__name__, str(exc))))
            except PyMongoError:
                unwritten.append(doc)
        return counts, unwritten

    def _journal(self, docs: list[dict[str, Any]]) -> int:
        if not docs:
            return 0
        try:
            return self.journal.append(docs)
        except JournalWriteError as exc:
            self._hold(docs, [], exc)
            return 0

    def _reject(self, entries: list[tuple[dict[str, Any], str]]) -> None:
        if not entries:
            return
        try:
            self.journal.reject(entries)
        except JournalWriteError as exc:
            self._hold([], entries, exc)
            return
        for doc, reason in entries:
            logger.error(
                "MongoDB refused %s (%s); kept it in %s",
                str(doc.get("url"))[:200],
                reason,
                self.journal.rejected_path,
            )

    def _hold(
        self,
        docs: list[dict[str, Any]],
        rejects: list[tuple[dict[str, Any], str]],
        exc: JournalWriteError,
    ) -> None:
        with self._held_lock:
            room = max(self.max_unsaved_items - len(self._held) - len(self._held_rejects), 0)
            kept_docs = docs[:room]
            kept_rejects = rejects[: max(room - len(kept_docs), 0)]
            self._held += kept_docs
            self._held_rejects += kept_rejects
            self._lost += len(docs) - len(kept_docs) + len(rejects) - len(kept_rejects)
            held = len(self._held) + len(self._held_rejects)
            first = self.journal_error is None
            self.journal_error = str(exc)
        if first:
            logger.error(
                "journal not writable (%s): stopping the crawl; %d items held in memory "
                "(at most MONGO_MAX_UNSAVED_ITEMS=%d)",
                exc,
                held,
                self.max_unsaved_items,
            )

    def _replay_sync(self) -> int:
        if self.store is None:
            return 0
        self._replay_runs()
        if not self.journal.pending():
            return 0
        try:
            return self.journal.replay(self.store)
        except (PyMongoError, OSError) as exc:
            logger.warning(
                "Journal replay stopped (%s: %s); %d items still wait in %s",
                type(exc).__name__,
                self._redact(str(exc)),
                self.journal.pending(),
                self.journal.path,
            )
            return 0

    def _replay_runs(self) -> None:
        """Write journaled run records, then mark the runs of dead processes never closed."""
        assert self.store is not None
        try:
            if self.runs_journal.pending():
                replayed = self.runs_journal.replay_with(self.store.record_runs)
                logger.info("Recorded %d journaled run records", replayed)
            for run_id in self.store.close_dead_runs(socket.gethostname(), process_alive):
                logger.warning("Run %s never closed (its process is gone); recorded so", run_id)
        except (PyMongoError, OSError) as exc:
            logger.warning("Could not replay run records: %s", self._redact(str(exc)))

    def _record_start(self) -> None:
        """Record the run as "running": if the process dies, the next start closes it."""
        # No summary yet: readers build one from the (empty) stats, see runs.summary_of.
        self._save_run(run_document(self.run_id, self._site(), RUNNING, self.started_at, None))

    def _finish(self, reason: str) -> None:
        self._record_run(reason)
        self.store = None  # the crawl's client is closed by MongoExtension

    def _site(self) -> str:
        spider = self.crawler.spider
        return spider.name if spider is not None else ""

    def _record_run(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        doc = run_document(
            self.run_id,
            self._site(),
            reason,
            self.started_at,
            datetime.now(UTC),
            stats=stats,
            monitors=self._verdicts(),
            store={name: stats.get(STATS_PREFIX + name, 0) for name in COUNTS}
            | {"pending": self.journal.pending()},
        )
        self._save_run(doc)

    def _save_run(self, doc: dict[str, Any]) -> None:
        """Write a run record to MongoDB, or to the runs journal when MongoDB does not take it."""
        if self.store is not None:
            try:
                self.store.record_run(doc)
                return
            except PyMongoError as exc:
                logger.warning("Could not record run %s: %s", self.run_id, self._redact(str(exc)))
        try:
            self.runs_journal.append([doc])
            logger.warning(
                "Run %s (%s) waits in %s for MongoDB",
                self.run_id,
                doc["finish_reason"],
                self.runs_journal.path,
            )
        except JournalWriteError as exc:
            logger.error("Run %s is not recorded: %s", self.run_id, exc)

    def _verdicts(self) -> list[dict[str, str]]:
        """The monitors' verdicts on this run (judged by MonitorsExtension just before)."""
        try:
            monitors = self.crawler.get_extension(MonitorsExtension)
        except RuntimeError:  # a pipeline driven without a crawl: no extensions
            monitors = None
        if monitors is None or monitors.results is None:
            return []
        return [result.as_dict() for result in monitors.results]

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
        stats.inc_value(STATS_PREFIX + "rejected", len(counts.rejected))
        if self.journal_error is not None and self._stopping is None and not self._closing:
            self._stop_crawl()

    def _stop_crawl(self) -> None:
        """Stop taking items: every further one would only be held in memory."""
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no crawl running (the pipeline fed directly)
            return
        if engine is None or engine.spider is None:
            return
        # Not awaited here: closing waits for the items in flight, this one included.
        self._stopping = asyncio.ensure_future(
            engine.close_spider_async(reason=JOURNAL_NOT_WRITABLE)
        )
        self._stopping.add_done_callback(_log_failure)

    async def _replay(self) -> None:
        replayed = await asyncio.to_thread(self._replay_sync)
        if replayed:
            logger.info("Replayed %d journaled items into MongoDB", replayed)
            self.crawler.stats.inc_value(STATS_PREFIX + "replayed", replayed)

    def _redact(self, text: str) -> str:
        return self.mongo.config.redact(text)


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("Could not stop the crawl: %s", future.exception())
