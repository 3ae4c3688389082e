"""Scrapy settings for the Hindi news pipeline.

Every project setting carries a prefix (CRAWL_*, VALIDATE_*, CLEAN_*, DATES_*,
LANGUAGE_*, DEDUPE_*, CLASSIFY_*, ENRICH_*, MONGO_*, INCREMENTAL_*, LOCAL_SITES_*,
MONITORS_*, SCHEDULE_*, REPORT_*, REDIS_*, DISTRIBUTED_*, WORKERS_*, ...) and its
default lives here, in one place. Components read them in ``from_crawler`` only.
"""

import os

from crawler import MODELS_DIR, PROJECT_ROOT, default_data_dir
from crawler.items import ArticleItem
from crawler.text.language import INDIAN_LANGUAGES

# The embedded database, the journal, run logs, the run lock and the cron environment
# live under DATA_DIR: HINDI_NEWS_DATA_DIR, else ./.data in a checkout, else
# $XDG_DATA_HOME/hindi-news. Each path below may be set on its own as well.
_data = default_data_dir()
DATA_DIR = str(_data)

BOT_NAME = "hindi_news"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# scrapy-playwright and the async MongoDB pipeline need the asyncio reactor.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- Politeness -----------------------------------------------------------
ROBOTSTXT_OBEY = True
CRAWL_CONTACT = os.environ.get("CRAWL_CONTACT", "https://github.com/hindi-news/hindi-news-pipeline")
USER_AGENT = f"HindiNewsPipeline/0.1 (+{CRAWL_CONTACT})"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# 429/503 wait for Retry-After or back off exponentially before retrying; a Retry-After
# longer than RETRY_BACKOFF_MAX skips that URL tonight (retry/skipped_long_retry_after).
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt (100): a refused host is not even asked for its robots.txt.
    "crawler.fetch.netguard.AddressGuardMiddleware": 50,
    # After robots.txt (100): the spider's own robots.txt request finds the first one.
    "crawler.fetch.middlewares.RobotsTxtMemoMiddleware": 110,
    "crawler.fetch.middlewares.DownloadLimitsMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.middlewares.PoliteRetryMiddleware": 550,
    # Below HttpCompressionMiddleware (590): sees the decompressed body.
    "crawler.fetch.middlewares.RecodeMiddleware": 580,
    # Last before the handler: cuts every download_timeout to the time left.
    "crawler.fetch.deadline.SiteDeadlineMiddleware": 990,
}
DOWNLOAD_TIMEOUT = 30
# robots.txt is fetched once per host and crawl, with this timeout (seconds) and retries.
CRAWL_ROBOTSTXT_TIMEOUT = 10
CRAWL_ROBOTSTXT_RETRIES = 1
# Each site's spider closes with reason "deadline" after this span ("2h", "90m"; empty:
# never), so one stalling site cannot hold the night.
CRAWL_SITE_DEADLINE = "2h"
# Hosts that are or resolve to private, loopback, link-local, multicast or reserved
# addresses are refused (downloader/refused/private_address), as is every scheme but
# http(s) (downloader/refused/scheme). The local-sites mode's fixture hosts pass.
CRAWL_ALLOW_PRIVATE_ADDRESSES = False
# Hosts the address guard never resolves: the local-sites add-on fills it with the
# fixture hosts its download handler sends to a loopback server.
CRAWL_REROUTED_HOSTS: list[str] = []
# Largest article, listing or robots.txt download (bytes, after decompression); bigger
# ones are cancelled. Sitemaps and feeds get CRAWL_MAX_SITEMAP_BYTES. Warn sizes log.
CRAWL_MAX_PAGE_BYTES = 5 * 1024 * 1024
CRAWL_WARN_PAGE_BYTES = 2 * 1024 * 1024
CRAWL_WARN_SITEMAP_BYTES = 20 * 1024 * 1024
# Anything without a kind: as large as a sitemap may be (Scrapy's default is 1 GiB).
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
HTTPCACHE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# --- Discovery --------------------------------------------------------------
# Date window of the nightly crawl: "1d", "36h", "2d" or an ISO date.
CRAWL_SINCE = "1d"
# At most this many article requests per site and run.
CRAWL_MAX_ARTICLES = 500
# Pages of each section listing followed through rel=next.
CRAWL_MAX_LISTING_PAGES = 3
# Largest sitemap or feed read after gunzipping a .gz file (bytes); bigger ones are
# skipped and counted (discovery/sitemap_too_large). The sitemap protocol caps a
# sitemap at 50 MB uncompressed.
CRAWL_MAX_SITEMAP_BYTES = 50 * 1024 * 1024

# --- Worker processes ---------------------------------------------------
# Article pages are parsed in this many worker processes (crawler/ops/workers.py), so
# a big crawl uses more than one core; 0 parses on the crawl's own thread.
WORKERS_PROCESSES = 1
# Starting the workers costs about a second: a crawl's first pages (all of a small
# crawl's) are parsed in-process.
WORKERS_START_AFTER = 200
# The worker also runs the item pipelines that say WORKER_SAFE and come first in
# ITEM_PIPELINES (validate, clean, language: about 6 ms per page), after the parser
# (crawler/ops/offload.py); False leaves every pipeline on the crawl's thread.
WORKERS_PIPELINES = True
# Allocations of the crawl (and its workers) above this many bytes are mapped and
# given back when freed (crawler/ops/memory.py; 0: glibc's own threshold, which
# climbs to 32 MB). At 10,000 articles the crawl peaked at 335 MB instead of 384.
CRAWL_MMAP_THRESHOLD = 128 * 1024

# --- Pipelines --------------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    # After clean, which repairs mojibake that would otherwise look like a legacy font.
    "pipelines.language.LanguagePipeline": 250,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.classify.ClassifyPipeline": 400,
    "pipelines.enrich.EnrichPipeline": 450,
    # Counts field coverage for the monitors, after every transform.
    "pipelines.coverage.CoveragePipeline": 850,
    "pipelines.store.MongoStorePipeline": 900,
}
# One live status line per site on a terminal; nothing under cron.
EXTENSIONS = {
    # First: the others take their MongoDB client from it.
    "crawler.storage.extension.MongoExtension": 100,
    "crawler.ops.progress.ProgressExtension": 500,
    # Before the store pipeline's run record, which carries its verdicts.
    "crawler.ops.monitors.MonitorsExtension": 600,
}
VALIDATE_MIN_BODY_CHARS = 200
VALIDATE_REQUIRED_FIELDS = ["url", "title", "body", "published_at"]
# A body with more U+FFFD than this share was decoded with the wrong charset: dropped.
VALIDATE_MAX_REPLACEMENT_SHARE = 0.02
CLEAN_UNICODE_FORM = "NFC"
# Longest body kept (characters; longer ones are cut at a paragraph and counted under
# pipelines/clean/truncated/body): the longest real Hindi article is far shorter.
CLEAN_MAX_BODY_CHARS = 200_000
# Longest title, description, section, author, tag or caption kept (characters),
# e.g. a JSON-LD headline or description stuffed with a whole page.
CLEAN_MAX_FIELD_CHARS = 2_000

# --- MongoDB ----------------------------------------------------------------
# With no MONGO_URI the project starts (or reuses) its embedded SecantusDB server.
MONGO_URI = os.environ.get("MONGO_URI", "")
MONGO_DATABASE = os.environ.get("MONGO_DATABASE", "hindi_news")
MONGO_BATCH_SIZE = 50
MONGO_SERVER_TIMEOUT_MS = 3000
MONGO_JOURNAL_PATH = str(_data / "journal" / "pending.jsonl")
MONGO_EMBEDDED_DIR = str(_data / "mongo")
MONGO_EMBEDDED_PORT = int(os.environ.get("MONGO_EMBEDDED_PORT", "27217"))
# WiredTiger's cache in the embedded server: 256M holds 10,000 articles with their
# indexes (205 MB). A smaller cache does not make the server smaller: at 10,000
# articles it peaked at 418 MB with 256M and 509 MB with 128M (bench/throughput.py
# --db-cache).
MONGO_EMBEDDED_CACHE_SIZE = "256M"
# glibc malloc arenas of the embedded server (MALLOC_ARENA_MAX; 0: glibc's default of
# 8 per core). What the server kept after a night was mostly freed memory held in
# per-thread arenas: at 10,000 articles it peaked at 284 MB after night 1 and 346 MB
# after night 2 with 2, at 402 and 518 MB with glibc's default (bench/throughput.py
# --db-arenas 0).
MONGO_EMBEDDED_MALLOC_ARENAS = 2
# Allocations of the embedded server above this many bytes are mapped and given back
# when freed (MALLOC_MMAP_THRESHOLD_; 0: glibc's own, which climbs to 32 MB after big
# frees). At 10,000 articles, with 2 arenas: 277 / 344 MB after nights 1 / 2 with
# 128 KiB, 317 / 385 MB without (bench/throughput.py --db-mmap-threshold 0).
MONGO_EMBEDDED_MMAP_THRESHOLD = 128 * 1024
# Wait for the server's journal on every article and run write (j=True): SecantusDB
# acknowledges plain writes before they reach disk, and a kill -9 then loses some.
MONGO_JOURNALED_WRITES = True
# Bigger documents (BSON bytes) are not sent but kept in <journal>.rejected with the
# reason; MongoDB refuses more than 16 MiB, and a page that big is not an article.
MONGO_MAX_DOCUMENT_BYTES = 8_000_000
# Items held in memory while the journal cannot be written (a full disk); the crawl
# stops at the first failed journal write and retries these at its end.
MONGO_MAX_UNSAVED_ITEMS = 5000

# --- Several machines (crawler/distributed, `crawl --distributed`) ------------------
# The Redis server of the shared frontier; empty: every crawl runs on this machine alone.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Every Redis key of the pipeline starts with this (several pipelines may share a server).
DISTRIBUTED_KEY_PREFIX = os.environ.get("DISTRIBUTED_KEY_PREFIX", "hindi-news")
# Set by `crawl --distributed` for the night: "discover" or "worker"; empty: not distributed.
DISTRIBUTED_ROLE = ""
# A worker's hold on a request it took; renewed every heartbeat while the worker lives.
# A killed worker's requests go back to the queue this long after its last heartbeat.
DISTRIBUTED_LEASE_SECONDS = 60.0
DISTRIBUTED_HEARTBEAT_SECONDS = 5.0
# The discoverer's claim on the night, renewed every heartbeat; a dead discoverer's
# night ends (its queues are still worked off) this long after its last heartbeat.
DISTRIBUTED_CLAIM_SECONDS = 120.0
# Politeness across all workers together: at most this many requests of one site at
# once, at least this many seconds between two starts (the Redis server's clock).
DISTRIBUTED_SITE_CONCURRENCY = 4
DISTRIBUTED_SITE_DELAY = 0.25
# Seconds between two looks at an empty or gated queue.
DISTRIBUTED_POLL_SECONDS = 0.2
# A night's keys (queues, dupefilter, stats) expire this long after their last use.
DISTRIBUTED_KEY_TTL = 20 * 3600
# `--role worker` waits this long for a night to join, then exits 0.
DISTRIBUTED_WAIT_SECONDS = 0.0
# Articles per MongoDB write in distributed mode: 1, so a request is acknowledged
# only once its article is stored (MONGO_BATCH_SIZE otherwise).
DISTRIBUTED_MONGO_BATCH_SIZE = 1

# --- Offline fixture sites (demo and tests only) ----------------------------
# When LOCAL_SITES_URL is set, requests for hosts that have a fixture directory
# are fetched from that local server; responses keep the real URL.
LOCAL_SITES_URL = os.environ.get("LOCAL_SITES_URL", "")
LOCAL_SITES_DIR = str(PROJECT_ROOT / "tests" / "fixtures" / "sites")
# The add-on is dormant without LOCAL_SITES_URL: downloads then go through Scrapy's
# own handler.
ADDONS = {
    "crawler.devtools.localsites.LocalSitesAddon": 0,
    "crawler.fetch.browser.BrowserAddon": 10,
}
DOWNLOAD_HANDLERS = {
    # A crawl reads no local files and speaks nothing but HTTP(S), whatever a site lists.
    "file": None,
    "data": None,
    "ftp": None,
    "s3": None,
}
LOCAL_SITES_INNER_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
# `capture` saves every response of its crawl here in the fixture layout; empty = off.
CAPTURE_DIR = ""

# Drops are logged as "Dropped: <reason>: <url>", without the whole item.
LOG_FORMATTER = "crawler.ops.logformatter.ConciseLogFormatter"

# --- Incremental nightly crawls ------------------------------------------------
# Skip articles already stored unless the listing's lastmod is newer.
INCREMENTAL_ENABLED = True
# Also refetch articles published within this span (e.g. "6h"); empty = never.
INCREMENTAL_REFRESH = ""
# Pages fetched and not stored for good (video, gallery, home or listing page, HTTP
# 404/410, not Hindi, older than the window) are skipped for this many days, then
# judged again; a new parser version judges them again at once.
INCREMENTAL_SKIP_DAYS = 30
# Pages dropped for what may be a passing fault (no body or title found, a parse
# error, a date in the future) are fetched again on at most this many later nights.
INCREMENTAL_MAX_RETRIES = 3

# --- JavaScript pages (scrapy-playwright) ---------------------------------------
# Spiders whose site needs JS switch LOCAL_SITES_INNER_HANDLER to Playwright's
# handler themselves; requests without meta playwright=True still go over plain HTTP.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# The browser's executable_path is filled in at crawl start (crawler.fetch.browser:
# CHROMIUM_PATH, else a Chromium on PATH, else Playwright's own browser).
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ],
}
PLAYWRIGHT_ABORT_REQUEST = "crawler.fetch.browser.should_abort_request"
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4  # concurrent browser pages
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

# --- Extraction evaluation (python -m crawler evaluate) ---------------------------
# Gold data per stored page: tests/fixtures/gold/<site>/<name>.json (title, date,
# authors, "with"/"without" body segments); pages are read from LOCAL_SITES_DIR.
EVALUATE_GOLD_DIR = str(PROJECT_ROOT / "tests" / "fixtures" / "gold")

# --- Nightly job under cron (crawler/ops/schedule.py, `schedule` and `nightly` commands) ---
# Time of day cron starts the nightly job (HH:MM, the machine's local time).
SCHEDULE_AT = "02:30"
# Date window of the nightly job: wider than a day, so a late or skipped night
# loses nothing (the incremental check keeps the overlap cheap).
SCHEDULE_SINCE = "36h"
# One log file per run (crawl-YYYYmmdd-HHMMSS.log) in this directory.
SCHEDULE_LOG_DIR = str(_data / "logs")
# Run logs older than this many days are deleted by the job.
SCHEDULE_KEEP_DAYS = 14
# Lock file that keeps two nightly runs from overlapping.
SCHEDULE_LOCK_FILE = str(_data / "nightly.lock")
# Env file (mode 0600) the cron entry sources; written at install time if any
# of SCHEDULE_ENV_VARS is set, so secrets never go into the crontab.
SCHEDULE_ENV_FILE = str(_data / "cron.env")
# Environment variables passed on to the cron job, when set at install time.
SCHEDULE_ENV_VARS = [
    "MONGO_URI",
    "MONGO_DATABASE",
    "MONGO_EMBEDDED_PORT",
    "CRAWL_CONTACT",
    "CHROMIUM_PATH",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
]

# --- Monitors (crawler/ops/monitors.py), judged into each crawl_runs record --------------------
# Run the monitors after each site's crawl.
MONITORS_ENABLED = True
# A site that usually has new articles must have at least this many.
MONITORS_MIN_NEW_ARTICLES = 1
# Earlier finished runs of the site read to learn what is usual.
MONITORS_HISTORY_RUNS = 7
# Fewer earlier runs than this: the new-articles check is skipped, not failed.
MONITORS_HISTORY_MIN_RUNS = 3
# Highest share of requests answered with an HTTP error or failing to download.
MONITORS_MAX_ERROR_RATE = 0.2
# Lowest share of articles having each field (drops for a missing field count in the base).
# No authors limit: authors are bylined people, and many Hindi sites credit only a desk
# (Amar Ujala: none of its articles; Bhaskar: most), so a limit would fail every night.
MONITORS_MIN_FIELD_COVERAGE = {"title": 0.9, "body": 0.9, "published_at": 0.7}
# Fewer articles than this: field coverage is too noisy to judge and is skipped.
MONITORS_COVERAGE_MIN_ARTICLES = 5
# Most pages per site and run that may fail to download or parse (spider/failed_pages).
MONITORS_MAX_PARSER_FAILURES = 5
# Parser drift: highest share of a site's articles whose body did not come from the
# site's own selectors (they were stored by fallback: JSON-LD or the generic extractor).
MONITORS_MAX_FALLBACK_SHARE = 0.5
# Fewer articles than this: the drift share is too noisy to judge and is skipped.
MONITORS_DRIFT_MIN_ARTICLES = 5
# Fields the coverage pipeline (pipelines.coverage.CoveragePipeline) counts: by
# default those marked "coverage" on ArticleItem.
COVERAGE_FIELDS = list(ArticleItem.fields_with("coverage"))

# --- Live progress on a terminal (crawler/ops/progress.py) --------------------------------
# Show one redrawn status line per site when stderr is a terminal (never under cron).
PROGRESS_ENABLED = True
# Seconds between redraws of the status lines.
PROGRESS_INTERVAL = 1.0

# --- HTML report (crawler/ops/report.py, `report` command) ----------------------------------
# Default span of the report: runs started since then.
REPORT_SINCE = "7d"
# Days in the report's charts are counted in this time zone.
REPORT_TIMEZONE = "Asia/Kolkata"

# --- Cleaning, dates, language, search tokens (pipelines/clean.py, pipelines/language.py)
# Devanagari digits in text fields: "keep" them (०-९) or make them "ascii" (0-9).
CLEAN_DIGITS = "keep"
# Whether the clean step sets search_tokens (normalized words for `query --search`).
CLEAN_SEARCH_TOKENS = True
# A published/modified date later than the fetch time plus this span is not trusted
# ("2h", "90m", "1d"): a future published_at drops the item, a future modified_at is cleared.
DATES_MAX_FUTURE_SKEW = "2h"
# Switch the language step off entirely (no detection, no drops).
LANGUAGE_ENABLED = True
# Languages articles may be in (ISO 639-1); others are dropped (English pages of bilingual sites).
LANGUAGE_ALLOWED = ["hi"]
# Languages the identifier chooses among: Hindi, English and the major Indian languages.
LANGUAGE_CANDIDATES = list(INDIAN_LANGUAGES)
# A language drop needs at least this confidence (0-1); weaker guesses keep the article.
LANGUAGE_MIN_CONFIDENCE = 0.5
# Under LANGUAGE_MIN_CONFIDENCE, a Hindi site's body with fewer Devanagari letters
# than this share is dropped as not_devanagari (mis-decoded), not kept.
LANGUAGE_MIN_DEVANAGARI_SHARE = 0.5
# Drop pages typed in legacy Hindi fonts (Kruti Dev, Chanakya); False keeps them flagged.
LANGUAGE_DROP_LEGACY_FONT = True

# --- Duplicates across sites (pipelines.dedupe, crawler.ml.neardup) -----------------
# Copies of one story share a cluster_id; duplicate_of names the earliest copy.
# Keep article fingerprints in MongoDB so later runs match earlier nights' stories
# (False: copies are found within one run only).
DEDUPE_PERSIST = True
# Fingerprints of articles published or seen within this many days are loaded at start.
DEDUPE_WINDOW_DAYS = 7
# MongoDB collection of the fingerprints (MinHash signatures, clusters).
DEDUPE_COLLECTION = "fingerprints"
# Words per shingle; 3 was best on tests/fixtures/neardup (bench/neardup_eval.py).
DEDUPE_SHINGLE_SIZE = 3
# MinHash permutations: more gives a finer estimate, a bigger and slower index.
DEDUPE_NUM_PERM = 128
# A copy holds at least this share of the shorter text's shingles (a trimmed copy does) ...
DEDUPE_MIN_CONTAINMENT = 0.6
# ... and at least this Jaccard similarity (keeps a short brief out of a long roundup).
DEDUPE_MIN_JACCARD = 0.15
# Two clusters an article matches merge if the articles it matched share this much.
DEDUPE_MERGE_CONTAINMENT = 0.3

# --- Category and enrichment (pipelines.classify, pipelines.enrich) --------------
# Topic model file (python -m crawler train writes one); empty: the section decides alone.
CLASSIFY_MODEL_PATH = str(MODELS_DIR / "topics-v2.npz")
# Below this model confidence the category is "other" (in 5-fold cross-validation of
# topics-v2, 3.9% of headlines fall below 0.3; the rest are right 81.6% of the time
# against 79.8% for all).
CLASSIFY_MIN_CONFIDENCE = 0.3
# False switches the classify step off (NotConfigured) without touching ITEM_PIPELINES.
CLASSIFY_ENABLED = True
# Where a generic section (state, city, local, national desk) gives "national", a model
# at least this sure of a specific category (crime, business, ...) decides instead,
# with category_source "model_over_section"; above 1 it never does.
CLASSIFY_OVER_SECTION_CONFIDENCE = 0.6
# `classify` reads at most this many characters of each input line (a document): a
# 154 MB line needed 3.5 GB. Crawls give the model far less (title, description and
# the body's first 600 characters).
CLASSIFY_MAX_CHARS = 100_000
# `extract` reads at most this many bytes of a page, after un-gzipping a .gz file (a
# small .gz can unpack to gigabytes); bigger pages are refused with one line.
EXTRACT_MAX_BYTES = 10 * 1024 * 1024
# False switches enrichment (regions, places, parties, people) off.
ENRICH_ENABLED = True
# Directory with places.tsv, parties.tsv and people.tsv; empty: the project's crawler/data.
ENRICH_DATA_DIR = ""
