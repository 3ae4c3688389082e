"""Crawling on several machines: one shared frontier on Redis, many workers, one corpus.

Owns the Redis side of a distributed night (``frontier``: the key layout, the
per-site request queues with leases and the global politeness gate, the run
claim, the worker registry and the per-worker stats), the Scrapy components that
use it (``scheduler``: scrapy-redis's Scheduler and RFPDupeFilter with a local
queue for discovery and leases for kill -9 recovery; ``extension``: heartbeats,
acknowledgements and the merged run record; ``middleware``: the role at start),
the role a process takes for the night (``night``) and the night's near-duplicate
clusters made whole across workers (``reconcile``). Used only when a crawl
runs with ``--distributed`` and REDIS_URL; without it nothing here is loaded.
May import ``crawler.ops``, ``crawler.storage``, ``crawler.ml`` and the layers below
them; never pipelines, spiders or the command line.
"""
