"""The Redis side of a distributed night: key layout, leased queues, the politeness
gate, the run claim, the worker registry and per-worker stats.

Keys (``P`` is DISTRIBUTED_KEY_PREFIX, ``R`` the night's run id, ``S`` a site)::

    P:run                 hash   the current night: run_id, discoverer, started_at, sites
    P:workers             zset   worker id -> last heartbeat (ms, Redis clock)
    P:worker:<id>         hash   host, pid, role, run_id, pages (expires)
    P:R:pages             int    article pages finished tonight, all sites
    P:R:S:requests        zset   the site's queue (scrapy-redis PriorityQueue)
    P:R:S:dupefilter      set    request fingerprints seen (scrapy-redis RFPDupeFilter)
    P:R:S:leases          zset   lease id -> expiry (ms): requests a worker is working on
    P:R:S:leased          hash   lease id -> the request, to requeue when its lease expires
    P:R:S:gate            int    earliest time (ms) the next request of the site may start
    P:R:S:discovery       str    "running" / "done" / "closed"
    P:R:S:members         zset   worker id -> last heartbeat, for the site
    P:R:S:stats           hash   worker id -> its stats (JSON) at close
    P:R:S:done            int    pages finished for the site

Every ``P:R:...`` key expires DISTRIBUTED_KEY_TTL after its last refresh, so the
next night starts clean even when a night is abandoned. Times come from the Redis
server's clock (``TIME`` inside the scripts), so workers on several machines agree.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from scrapy_redis.connection import get_redis
from scrapy_redis.defaults import REDIS_PARAMS

# The roles a process takes for a night.
DISCOVER, WORKER = "discover", "worker"
# A site's discovery state: running, done (everything is queued), closed (the
# discoverer closed the site, after its last worker: the night is over for it).
RUNNING, DONE, CLOSED = "running", "done", "closed"
# Requests whose lease expired go back to the front of their queue (scores are
# -priority; articles have priority 0).
REQUEUED_SCORE = -1_000_000

# Requeue expired leases, then take the site's next request if the global
# concurrency and delay allow it. KEYS: requests, leases, leased, gate.
# ARGV: lease ms, max in flight (0: no cap), delay ms.
# Returns {taken (0/1), requeued count, lease id, request}.
_POP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  local data = redis.call('HGET', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  if data then redis.call('ZADD', KEYS[1], REQUEUED_SCORE, data) end
end
local cap = tonumber(ARGV[2])
if cap > 0 and redis.call('ZCARD', KEYS[2]) >= cap then return {0, #expired} end
local gate = tonumber(redis.call('GET', KEYS[4]) or '0')
if gate > now then return {0, #expired} end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if #head == 0 then return {0, #expired} end
local data = head[1]
redis.call('ZREM', KEYS[1], data)
local id = redis.sha1hex(data)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), id)
redis.call('HSET', KEYS[3], id, data)
local delay = tonumber(ARGV[3])
if delay > 0 then redis.call('SET', KEYS[4], now + delay, 'PX', delay + 1000) end
return {1, #expired, id, data}
""".replace("REQUEUED_SCORE", str(REQUEUED_SCORE))

# Extend the leases a live worker still holds. KEYS: leases. ARGV: lease ms, ids...
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = 0
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
    n = n + 1
  end
end
return n
"""

# Give leased requests back to the queue now (a worker closing early). KEYS:
# requests, leases, leased. ARGV: ids...
_RELEASE = """
local n = 0
for i = 1, #ARGV do
  local data = redis.call('HGET', KEYS[3], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
  if data then redis.call('ZADD', KEYS[1], REQUEUED_SCORE, data); n = n + 1 end
end
return n
""".replace("REQUEUED_SCORE", str(REQUEUED_SCORE))

# Register in a zset of heartbeats with the server's clock. KEYS: zset. ARGV: member.
_BEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
"""

# Stats whose merge is the largest value, not the sum.
_MAX_STATS = ("elapsed_time_seconds", "memusage/max", "memusage/startup")
MAX_FAILURES = 100


def connect(url: str) -> redis.Redis:
    """A client for REDIS_URL, with scrapy-redis's connection defaults (timeouts)."""
    return get_redis(url=url, **REDIS_PARAMS)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def server_ms(server: redis.Redis) -> int:
    seconds, micros = server.time()
    return int(seconds) * 1000 + int(micros) // 1000


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one night."""

    prefix: str
    run_id: str

    @property
    def run(self) -> str:
        return f"{self.prefix}:run"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    def worker(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    @property
    def pages(self) -> str:
        return f"{self.prefix}:{self.run_id}:pages"

    def site(self, site: str, part: str) -> str:
        return f"{self.prefix}:{self.run_id}:{site}:{part}"

    def template(self, part: str) -> str:
        """A site key with scrapy-redis's ``%(spider)s`` placeholder for the site."""
        return f"{self.prefix}:{self.run_id}:%(spider)s:{part}"


@dataclass
class Lease:
    id: str
    data: bytes


class SiteFrontier:
    """One site's shared queue with leases, its politeness gate and its bookkeeping."""

    PARTS = (
        "requests",
        "dupefilter",
        "leases",
        "leased",
        "discovery",
        "members",
        "stats",
        "done",
    )

    def __init__(
        self,
        server: redis.Redis,
        keys: RunKeys,
        site: str,
        *,
        lease_seconds: float,
        max_in_flight: int,
        delay_seconds: float,
        ttl_seconds: int,
    ) -> None:
        self.server = server
        self.keys = keys
        self.site = site
        self.lease_ms = int(lease_seconds * 1000)
        self.max_in_flight = max(int(max_in_flight), 0)
        self.delay_ms = int(delay_seconds * 1000)
        self.ttl = int(ttl_seconds)
        self._pop = server.register_script(_POP)
        self._renew = server.register_script(_RENEW)
        self._release = server.register_script(_RELEASE)
        self._beat = server.register_script(_BEAT)

    def key(self, part: str) -> str:
        return self.keys.site(self.site, part)

    # --- the queue ---------------------------------------------------------------

    def pop(self) -> tuple[Lease | None, int]:
        """(the next request under a new lease, or None; leases found expired and requeued)."""
        reply = self._pop(
            keys=[self.key("requests"), self.key("leases"), self.key("leased"), self.key("gate")],
            args=[self.lease_ms, self.max_in_flight, self.delay_ms],
        )
        requeued = int(reply[1])
        if not int(reply[0]):
            return None, requeued
        lease_id = reply[2].decode() if isinstance(reply[2], bytes) else str(reply[2])
        return Lease(lease_id, reply[3]), requeued

    def ack(self, lease_id: str) -> bool:
        """The leased request is finished (its article stored or judged); False if the
        lease had expired and the request was given to another worker meanwhile."""
        pipe = self.server.pipeline()
        pipe.zrem(self.key("leases"), lease_id)
        pipe.hdel(self.key("leased"), lease_id)
        pipe.incr(self.key("done"))
        pipe.incr(self.keys.pages)
        removed = pipe.execute()[0]
        return bool(removed)

    def renew(self, lease_ids: Iterable[str]) -> int:
        ids = list(lease_ids)
        if not ids:
            return 0
        return int(self._renew(keys=[self.key("leases")], args=[self.lease_ms, *ids]))

    def release(self, lease_ids: Iterable[str]) -> int:
        ids = list(lease_ids)
        if not ids:
            return 0
        keys = [self.key("requests"), self.key("leases"), self.key("leased")]
        return int(self._release(keys=keys, args=ids))

    def counts(self) -> dict[str, int]:
        pipe = self.server.pipeline()
        pipe.zcard(self.key("requests"))
        pipe.zcard(self.key("leases"))
        pipe.get(self.key("done"))
        queued, in_flight, done = pipe.execute()
        return {"queued": int(queued), "in_flight": int(in_flight), "done": int(done or 0)}

    # --- discovery and the site's workers ----------------------------------------

    def set_discovery(self, state: str) -> None:
        self.server.set(self.key("discovery"), state, ex=self.ttl)

    def discovery(self) -> str:
        value = self.server.get(self.key("discovery"))
        return value.decode() if isinstance(value, bytes) else (value or "")

    def beat(self, worker: str) -> None:
        """This worker works on the site; refreshes the TTL of the site's keys."""
        self._beat(keys=[self.key("members")], args=[worker])
        pipe = self.server.pipeline()
        for part in self.PARTS:
            pipe.expire(self.key(part), self.ttl)
        pipe.expire(self.keys.pages, self.ttl)
        pipe.execute()

    def leave(self, worker: str) -> None:
        self.server.zrem(self.key("members"), worker)

    def members(self, within_seconds: float) -> list[str]:
        """Workers on the site whose last heartbeat is at most ``within_seconds`` old."""
        since = server_ms(self.server) - int(within_seconds * 1000)
        found = self.server.zrangebyscore(self.key("members"), since, "+inf")
        return [m.decode() if isinstance(m, bytes) else str(m) for m in found]

    def publish_stats(self, worker: str, stats: Mapping[str, Any]) -> None:
        self.server.hset(self.key("stats"), worker, json.dumps(portable_stats(stats)))
        self.server.expire(self.key("stats"), self.ttl)

    def collected_stats(self) -> dict[str, dict[str, Any]]:
        raw = self.server.hgetall(self.key("stats"))
        out = {}
        for worker, value in raw.items():
            name = worker.decode() if isinstance(worker, bytes) else str(worker)
            out[name] = load_stats(json.loads(value))
        return out


class Cluster:
    """The night's run claim and the worker registry."""

    def __init__(self, server: redis.Redis, prefix: str) -> None:
        self.server = server
        self.prefix = prefix
        self._beat = server.register_script(_BEAT)

    def keys(self, run_id: str) -> RunKeys:
        return RunKeys(self.prefix, run_id)

    @property
    def run_key(self) -> str:
        return f"{self.prefix}:run"

    def current_run(self) -> dict[str, Any] | None:
        raw = self.server.hgetall(self.run_key)
        if not raw or b"run_id" not in raw:
            return None
        run = {k.decode(): v.decode() for k, v in raw.items()}
        run["sites"] = json.loads(run.get("sites") or "[]")
        return run

    def claim_run(
        self, run_id: str, sites: list[str], ttl_seconds: float, started: datetime | None = None
    ) -> bool:
        """Start a night with this process as its discoverer; False if one is running."""
        claim = f"{self.run_key}:claim"
        if not self.server.set(claim, run_id, nx=True, px=int(ttl_seconds * 1000)):
            return False
        pipe = self.server.pipeline()
        pipe.delete(self.run_key)
        pipe.hset(
            self.run_key,
            mapping={
                "run_id": run_id,
                "discoverer": worker_id(),
                "started_at": (started or datetime.now(UTC)).isoformat(),
                "sites": json.dumps(sites),
            },
        )
        pipe.pexpire(self.run_key, int(ttl_seconds * 1000))
        pipe.execute()
        return True

    def refresh_run(self, run_id: str, ttl_seconds: float) -> None:
        """The discoverer is alive: its run stays current."""
        claim = f"{self.run_key}:claim"
        if self.server.get(claim) == run_id.encode():
            pipe = self.server.pipeline()
            pipe.pexpire(claim, int(ttl_seconds * 1000))
            pipe.pexpire(self.run_key, int(ttl_seconds * 1000))
            pipe.execute()

    def end_run(self, run_id: str) -> None:
        claim = f"{self.run_key}:claim"
        if self.server.get(claim) == run_id.encode():
            self.server.delete(claim, self.run_key)

    def open_sites(self, run_id: str, sites: list[str]) -> list[str]:
        """The night's sites the discoverer has not closed yet."""
        keys = self.keys(run_id)
        states = self.server.mget([keys.site(site, "discovery") for site in sites])
        closed = CLOSED.encode()
        return [site for site, state in zip(sites, states, strict=True) if state != closed]

    def run_alive(self, run_id: str) -> bool:
        """Whether the night's discoverer still holds its claim."""
        return self.server.get(f"{self.run_key}:claim") == run_id.encode()

    def register(self, worker: str, info: Mapping[str, Any], ttl_seconds: int) -> None:
        self._beat(keys=[f"{self.prefix}:workers"], args=[worker])
        key = f"{self.prefix}:worker:{worker}"
        pipe = self.server.pipeline()
        pipe.hset(key, mapping={k: str(v) for k, v in info.items()})
        pipe.expire(key, ttl_seconds)
        pipe.execute()

    def workers(self, within_seconds: float) -> list[dict[str, Any]]:
        """Workers seen in the last ``within_seconds``, with their info and age (s)."""
        now = server_ms(self.server)
        key = f"{self.prefix}:workers"
        self.server.zremrangebyscore(key, "-inf", now - 86_400_000)  # forget after a day
        seen = self.server.zrangebyscore(
            key, now - int(within_seconds * 1000), "+inf", withscores=True
        )
        out = []
        for member, score in seen:
            name = member.decode() if isinstance(member, bytes) else str(member)
            info = self.server.hgetall(f"{self.prefix}:worker:{name}")
            row = {k.decode(): v.decode() for k, v in info.items()}
            # Counted per site ("pages:<site>", "held:<site>"): one crawler per site and process.
            pages = sum(int(v) for k, v in row.items() if k.startswith("pages:"))
            held = sum(int(v) for k, v in row.items() if k.startswith("held:"))
            row = {k: v for k, v in row.items() if not k.startswith(("pages:", "held:"))}
            age = (now - score) / 1000
            out.append({"worker": name, "age": age, "pages": pages, "in_flight": held, **row})
        return out


def portable_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The mergeable part of a crawl's stats, as JSON: numbers, start_time, failures."""
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out[key] = value
        elif key == "start_time" and isinstance(value, datetime):
            out[key] = {"$date": value.isoformat()}
        elif key == "spider/failures" and isinstance(value, list):
            out[key] = [dict(f) for f in value if isinstance(f, Mapping)]
    return out


def load_stats(value: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(value)
    start = out.get("start_time")
    if isinstance(start, Mapping) and "$date" in start:
        out["start_time"] = datetime.fromisoformat(start["$date"])
    return out


def merge_stats(own: Mapping[str, Any], others: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``own`` stats with every other worker's added: counters summed, the earliest
    start_time, the largest of peak figures, failure examples concatenated (up to
    100). Non-numeric values of ``own`` (finish_reason, finish_time) stay."""
    merged = dict(own)
    for stats in others:
        for key, value in stats.items():
            mine = merged.get(key)
            if key == "start_time":
                if isinstance(value, datetime) and (not isinstance(mine, datetime) or value < mine):
                    merged[key] = value
            elif key == "spider/failures":
                merged[key] = (list(mine or []) + list(value))[:MAX_FAILURES]
            elif isinstance(value, int | float) and not isinstance(value, bool):
                if mine is not None and not isinstance(mine, int | float):
                    continue
                if key in _MAX_STATS:
                    merged[key] = max(mine or 0, value)
                else:
                    merged[key] = (mine or 0) + value
    return merged


def night_status(cluster: Cluster, interval: float, within_seconds: float) -> dict[str, Any]:
    """What `cluster status` shows: the current night's queues per site, the workers
    seen within ``within_seconds`` and pages/s (over ``interval`` and since the start)."""
    run = cluster.current_run()
    status: dict[str, Any] = {"run": run, "sites": [], "pages_per_second": None}
    if run is not None:
        keys = cluster.keys(run["run_id"])
        before = int(cluster.server.get(keys.pages) or 0)
        if interval > 0:
            time.sleep(interval)
        after = int(cluster.server.get(keys.pages) or 0)
        status["pages"] = after
        status["pages_per_second"] = (after - before) / interval if interval > 0 else None
        started = datetime.fromisoformat(run["started_at"])
        elapsed = (datetime.now(UTC) - started).total_seconds()
        status["pages_per_second_overall"] = after / elapsed if elapsed > 0 else None
        for site in run["sites"]:
            frontier = SiteFrontier(
                cluster.server,
                keys,
                site,
                lease_seconds=0,
                max_in_flight=0,
                delay_seconds=0,
                ttl_seconds=0,
            )
            status["sites"].append(
                {"site": site, "discovery": frontier.discovery() or "-", **frontier.counts()}
            )
    status["workers"] = cluster.workers(within_seconds)
    return status
