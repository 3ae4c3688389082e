"""The distributed night's scheduler: scrapy-redis's Scheduler and RFPDupeFilter on a
shared per-site queue, with a local queue for discovery and a lease on every request
a worker takes.

* Article requests discovery finds (meta ``discovered_from``) go to the site's
  queue in Redis through scrapy-redis's PriorityQueue, once per night: its
  RFPDupeFilter keeps the fingerprints in Redis under the night's key.
* Discovery requests (robots.txt, sitemaps, feeds, listings) stay in a local
  Scrapy scheduler: only the discovering process follows them.
* A worker takes a request under a lease (``frontier._POP``): the request waits in
  the site's ``leased`` hash until the worker acknowledges it, and a live worker
  renews its leases on every heartbeat. A worker killed with -9 renews nothing;
  its leases expire and the next pop of any worker puts the requests back at the
  front of the queue. Retries and redirects of a leased request stay local under
  the same lease.
* The acknowledgement comes when the request's callback (or errback) has
  finished and each item it yielded has left the item pipelines (scraped,
  dropped or failed); the store pipeline writes one article at a time in
  distributed mode (DISTRIBUTED_MONGO_BATCH_SIZE), so an acknowledged article
  is in MongoDB.
* The same pop enforces the site's politeness for every worker together: at most
  DISTRIBUTED_SITE_CONCURRENCY leases of the site at once and
  DISTRIBUTED_SITE_DELAY seconds between two starts, on the Redis clock.

Adapter notes (scrapy-redis 0.9 on Scrapy 2.19): its spider mix-ins are not used
(they feed start_requests, which 2.19 never calls); its Scheduler is subclassed
because its pop is destructive (no lease), it counts stats with the ``spider=``
argument and logs with ``Spider.log()``, both deprecated in 2.19, it flushes the
queue on close unless persist, and its RFPDupeFilter.from_spider ignores the
scheduler's key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import count
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.core.scheduler import Scheduler as LocalScheduler
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from crawler.distributed.extension import DistributedExtension
from crawler.distributed.frontier import (
    CLOSED,
    DISCOVER,
    DONE,
    RUNNING,
    Cluster,
    RunKeys,
    SiteFrontier,
    connect,
    worker_id,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

# Request meta: the lease (or local discovery token) a request is worked under.
TOKEN = "frontier_token"
STATS = "distributed/"


class FrontierScheduler(RedisScheduler):
    def __init__(
        self,
        server: Any,
        crawler: Crawler,
        keys: RunKeys,
        role: str,
        local: LocalScheduler,
        *,
        lease_seconds: float,
        max_in_flight: int,
        delay_seconds: float,
        ttl_seconds: int,
        poll_seconds: float,
        heartbeat_seconds: float,
        claim_seconds: float,
    ) -> None:
        super().__init__(
            server,
            persist=True,  # other workers still use the queue when this one closes
            queue_key=keys.template("requests"),
            queue_cls="scrapy_redis.queue.PriorityQueue",
            dupefilter_key=keys.template("dupefilter"),
        )
        self.crawler = crawler
        self.keys = keys
        self.role = role
        self.local = local
        self.lease_seconds = lease_seconds
        self.max_in_flight = max_in_flight
        self.delay_seconds = delay_seconds
        self.ttl_seconds = ttl_seconds
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.claim_seconds = claim_seconds
        self.cluster = Cluster(server, keys.prefix)
        self.worker = worker_id()
        self.frontier: SiteFrontier | None = None
        # token -> items of its response still in the pipelines; finished outputs.
        self._items: dict[str, int] = {}
        self._output_done: set[str] = set()
        self.held: set[str] = set()  # leases this process works under
        self.discovering: set[str] = set()  # local discovery requests not finished
        self.start_done = False
        self.discovery_marked = False
        self._tokens = count(1)
        self._pending_cache: tuple[float, bool] = (0.0, True)
        self._loops: list[LoopingCall] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        settings = crawler.settings
        scheduler = cls(
            connect(settings.get("REDIS_URL")),
            crawler,
            RunKeys(settings.get("DISTRIBUTED_KEY_PREFIX"), settings.get("CRAWL_RUN_ID")),
            settings.get("DISTRIBUTED_ROLE"),
            LocalScheduler.from_crawler(crawler),
            lease_seconds=settings.getfloat("DISTRIBUTED_LEASE_SECONDS"),
            max_in_flight=settings.getint("DISTRIBUTED_SITE_CONCURRENCY"),
            delay_seconds=settings.getfloat("DISTRIBUTED_SITE_DELAY"),
            ttl_seconds=settings.getint("DISTRIBUTED_KEY_TTL"),
            poll_seconds=settings.getfloat("DISTRIBUTED_POLL_SECONDS"),
            heartbeat_seconds=settings.getfloat("DISTRIBUTED_HEARTBEAT_SECONDS"),
            claim_seconds=settings.getfloat("DISTRIBUTED_CLAIM_SECONDS"),
        )
        scheduler.stats = crawler.stats
        for handler, signal in (
            (scheduler.item_finished, signals.item_scraped),
            (scheduler.item_finished, signals.item_dropped),
            (scheduler.item_finished, signals.item_error),
            (scheduler.request_dropped, signals.request_dropped),
        ):
            crawler.signals.connect(handler, signal=signal)
        return scheduler

    # --- Scrapy's scheduler interface -------------------------------------------------

    def open(self, spider: Spider) -> None:
        # scrapy-redis's open() as it is, less its Spider.log() call (deprecated in 2.19)
        # and its RFPDupeFilter.from_spider (which reads the key from a setting).
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        self.df = RFPDupeFilter(self.server, key=self.keys.site(spider.name, "dupefilter"))
        self.local.open(spider)
        self.frontier = SiteFrontier(
            self.server,
            self.keys,
            spider.name,
            lease_seconds=self.lease_seconds,
            max_in_flight=self.max_in_flight,
            delay_seconds=self.delay_seconds,
            ttl_seconds=self.ttl_seconds,
        )
        DistributedExtension.of(self.crawler).scheduler = self
        if self.role == DISCOVER:
            self.frontier.set_discovery(RUNNING)
        else:
            self.start_done = True  # a worker discovers nothing (RoleMiddleware)
        self.heartbeat()
        for interval, call in (
            (self.poll_seconds, self._nudge),
            (self.heartbeat_seconds, self.heartbeat),
        ):
            loop = LoopingCall(call)
            loop.start(interval, now=False)
            self._loops.append(loop)

    def close(self, reason: str) -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        self.local.close(reason)
        if self.frontier is not None and self.held:
            # Not finished here (a deadline, a shutdown): back to the queue for others.
            released = self.frontier.release(self.held)
            self._inc("released", released)
            self.held.clear()

    def enqueue_request(self, request: Request) -> bool:
        meta = request.meta
        if TOKEN in meta or "discovered_from" not in meta:
            # Discovery, or a retry/redirect of a request this process holds.
            new = TOKEN not in meta
            if new:
                meta[TOKEN] = f"local:{next(self._tokens)}"
            queued = self.local.enqueue_request(request)
            if new and queued:
                self.discovering.add(meta[TOKEN])
            elif new:
                del meta[TOKEN]
            elif not queued:
                self.finished(meta[TOKEN])  # filtered: nothing more will come of it
            return queued
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self._inc("filtered")
            return False
        known = getattr(self.spider, "known", None)
        if known is not None and request.url in known.retry:
            # Nights this page was dropped for a passing fault: the worker that fetches
            # it records the next attempt (INCREMENTAL_MAX_RETRIES).
            meta["incremental_attempts"] = known.retry[request.url]
        self.queue.push(request)
        self._inc("pushed")
        return True

    def next_request(self) -> Request | None:
        request = self.local.next_request()
        if request is None:
            request = self._pop()
        if request is not None:
            self._track(request)
        return request

    def has_pending_requests(self) -> bool:
        self._mark_discovery_done()
        if self.local.has_pending_requests() or self.held or self.discovering:
            return True
        now = time.monotonic()
        checked_at, pending = self._pending_cache
        if now - checked_at >= self.poll_seconds:
            pending = self._shared_pending()
            self._pending_cache = (now, pending)
        return pending

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)

    # --- the shared queue --------------------------------------------------------------

    def _pop(self) -> Request | None:
        assert self.frontier is not None
        lease, requeued = self.frontier.pop()
        if requeued:
            self._inc("requeued", requeued)
            logger.warning(
                "%s: %d requests of a lost worker back in the queue", self.spider.name, requeued
            )
        if lease is None:
            return None
        request = self.queue._decode_request(lease.data)
        request.meta[TOKEN] = f"lease:{lease.id}"
        known = getattr(self.spider, "known", None)
        if known is not None and request.meta.get("incremental_attempts"):
            known.retry[request.url] = int(request.meta["incremental_attempts"])
        self.held.add(lease.id)
        self._inc("popped")
        return request

    def _shared_pending(self) -> bool:
        """Whether the site's night is still going for this process."""
        assert self.frontier is not None
        counts = self.frontier.counts()
        if counts["queued"] or counts["in_flight"]:
            return True
        state = self.frontier.discovery()
        if state not in (DONE, CLOSED) and self.cluster.run_alive(self.keys.run_id):
            return True  # discovery may push more
        if self.role == DISCOVER:
            # The discoverer closes last: it merges every worker's stats into the record.
            others = set(self.frontier.members(self.member_timeout)) - {self.worker}
            return bool(others)
        return False

    @property
    def member_timeout(self) -> float:
        return max(self.lease_seconds, 3 * self.heartbeat_seconds)

    def _mark_discovery_done(self) -> None:
        if self.role != DISCOVER or self.discovery_marked or not self.start_done:
            return
        if self.discovering:  # robots.txt, sitemaps, feeds or listings still to read
            return
        assert self.frontier is not None
        self.frontier.set_discovery(DONE)
        self.discovery_marked = True
        logger.info("%s: discovery done", self.spider.name)

    # --- leases and their acknowledgement ----------------------------------------------

    def _track(self, request: Request) -> None:
        token = request.meta[TOKEN]
        # Without a callback Scrapy calls parse(); without an errback it raises the
        # failure, which an errback returning it does the same way.
        defaults = {"callback": self.spider.parse, "errback": _reraise}
        for name in ("callback", "errback"):
            func = getattr(request, name) or defaults[name]
            if getattr(func, "frontier_token", None) == token:
                continue
            setattr(request, name, self._wrap(func, token))

    def _wrap(self, func: Callable[..., Any], token: str) -> Callable[..., Any]:
        def tracked(*args: Any, **kwargs: Any) -> Any:
            try:
                output = func(*args, **kwargs)
            except BaseException:
                self.output_done(token)
                raise
            if isinstance(output, Iterable) and not isinstance(output, str | bytes):
                return self._follow(output, token)
            self.output_done(token)
            return output

        tracked.frontier_token = token  # type: ignore[attr-defined]
        return tracked

    def _follow(self, output: Iterable[Any], token: str) -> Iterator[Any]:
        try:
            for element in output:
                if not isinstance(element, Request):
                    self._items[token] = self._items.get(token, 0) + 1
                yield element
        finally:
            self.output_done(token)

    def output_done(self, token: str) -> None:
        self._output_done.add(token)
        if not self._items.get(token):
            self.finished(token)

    def item_finished(self, item: Any, response: Response | None = None, **_: Any) -> None:
        if response is None:
            return
        token = response.meta.get(TOKEN)
        if token is None or token not in self._items:
            return
        self._items[token] -= 1
        if self._items[token] <= 0 and token in self._output_done:
            self.finished(token)

    def request_dropped(self, request: Request, **_: Any) -> None:
        token = request.meta.get(TOKEN)
        if token is not None:
            self.finished(token)

    def finished(self, token: str) -> None:
        """Everything the request led to is done: acknowledge its lease."""
        self._items.pop(token, None)
        self._output_done.discard(token)
        kind, _, ident = token.partition(":")
        if kind == "local":
            self.discovering.discard(token)
            return
        if ident not in self.held or self.frontier is None:
            return
        self.held.discard(ident)
        if self.frontier.ack(ident):
            self._inc("acked")
        else:
            self._inc("lease_lost")

    # --- heartbeats ------------------------------------------------------------------

    def heartbeat(self) -> None:
        """Renew this worker's leases and its registration; refresh the night's keys."""
        if self.frontier is None:
            return
        try:
            self.frontier.renew(self.held)
            self.frontier.beat(self.worker)
            self.cluster.register(
                self.worker,
                {
                    "role": self.role,
                    "run_id": self.keys.run_id,
                    f"pages:{self.frontier.site}": self.crawler.stats.get_value(STATS + "acked", 0),
                    f"held:{self.frontier.site}": len(self.held),
                },
                self.ttl_seconds,
            )
            if self.role == DISCOVER:
                self.cluster.refresh_run(self.keys.run_id, self.claim_seconds)
                self._mark_discovery_done()
        except Exception as exc:  # Redis away for a moment: the next beat tries again
            logger.warning("%s: heartbeat failed: %s", self.spider.name, exc)

    def _nudge(self) -> None:
        # The engine asks the scheduler again only when a download ends or every 5 s;
        # requests of other workers' sites and the politeness gate need a shorter poll.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and getattr(slot, "closing", None) is None:
            slot.nextcall.schedule()

    def _inc(self, name: str, value: int = 1) -> None:
        self.crawler.stats.inc_value(STATS + name, value)


def _reraise(failure: Any) -> Any:
    return failure
