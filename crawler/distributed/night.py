"""Which role a process takes for the night, and the settings that role runs with.

``crawl --distributed`` joins the night in Redis if one is running (a worker) and
otherwise starts it (the discoverer): the first process of the night claims it
with ``SET NX`` under a lease it renews while it runs, so any number of machines
may start the same command. ``--role worker`` never starts a night: it waits up
to DISTRIBUTED_WAIT_SECONDS for one (a worker under systemd), and ``--role
discover`` always starts one (cron on one machine).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from scrapy.settings import Settings

from crawler.distributed.frontier import DISCOVER, WORKER, Cluster, connect
from crawler.distributed.reconcile import reconcile_clusters

logger = logging.getLogger(__name__)

AUTO = "auto"
ROLES = (AUTO, DISCOVER, WORKER)
# Poll for a night to join every this many seconds.
_WAIT_POLL = 1.0


class DistributedError(Exception):
    """A distributed crawl cannot start (no REDIS_URL, Redis away, a night running)."""


@dataclass(frozen=True)
class Night:
    role: str
    run_id: str
    sites: list[str]
    started_at: datetime


def cluster_of(settings: Settings) -> Cluster:
    url = settings.get("REDIS_URL")
    if not url:
        raise DistributedError("a distributed crawl needs REDIS_URL (redis://HOST:6379/0)")
    server = connect(url)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise DistributedError(f"Redis at REDIS_URL is unreachable: {exc}") from exc
    return Cluster(server, settings.get("DISTRIBUTED_KEY_PREFIX"))


def join_night(settings: Settings, sites: list[str], role: str = AUTO) -> Night | None:
    """The night this process works on and its role in it; None when a worker found
    no night to join within DISTRIBUTED_WAIT_SECONDS."""
    cluster = cluster_of(settings)
    claim = settings.getfloat("DISTRIBUTED_CLAIM_SECONDS")
    deadline = time.monotonic() + settings.getfloat("DISTRIBUTED_WAIT_SECONDS")
    while True:
        run = cluster.current_run()
        if run is not None and cluster.run_alive(run["run_id"]):
            if role == DISCOVER:
                raise DistributedError(
                    f"night {run['run_id']} is running (discoverer {run['discoverer']}); "
                    "join it with --role worker"
                )
            # Sites the discoverer has closed are done for the night.
            open_sites = cluster.open_sites(run["run_id"], run["sites"])
            if open_sites:
                started = datetime.fromisoformat(run["started_at"])
                return Night(WORKER, run["run_id"], open_sites, started)
            # Every site is closed: the night is ending; wait for the next one.
        elif role != WORKER:
            run_id = settings.get("CRAWL_RUN_ID") or uuid.uuid4().hex
            started = datetime.now(UTC)
            if cluster.claim_run(run_id, list(sites), claim, started):
                return Night(DISCOVER, run_id, list(sites), started)
            continue  # another process claimed it a moment ago: join that one
        if time.monotonic() >= deadline:
            return None
        time.sleep(_WAIT_POLL)


def apply_night(settings: Settings, night: Night) -> None:
    """The settings of a distributed crawl in ``night``'s role."""
    settings.set("CRAWL_RUN_ID", night.run_id, "cmdline")
    settings.set("DISTRIBUTED_ROLE", night.role, "cmdline")
    settings.set("SCHEDULER", "crawler.distributed.scheduler.FrontierScheduler", "cmdline")
    settings.set(
        "EXTENSIONS",
        {
            **settings.getdict("EXTENSIONS"),
            # Before the monitors (600): they judge the merged stats.
            "crawler.distributed.extension.DistributedExtension": 550,
        },
        "cmdline",
    )
    settings.set(
        "SPIDER_MIDDLEWARES",
        {
            **settings.getdict("SPIDER_MIDDLEWARES"),
            "crawler.distributed.middleware.RoleMiddleware": 10,
        },
        "cmdline",
    )
    # An acknowledged request's article must be in MongoDB: one write per article.
    settings.set("MONGO_BATCH_SIZE", settings.getint("DISTRIBUTED_MONGO_BATCH_SIZE"), "cmdline")


def end_night(settings: Settings, night: Night) -> None:
    """The discoverer's crawl is over (each site closed after its last worker): the
    night's near-duplicate clusters are made whole, and the night is no longer current."""
    if night.role == DISCOVER:
        reconcile_clusters(settings, night.started_at)
        try:
            cluster_of(settings).end_run(night.run_id)
        except DistributedError as exc:
            logger.warning("cannot end night %s: %s", night.run_id, exc)
