"""Scrapy settings for the Hindi news pipeline.

Every project setting carries a prefix (MONGO_*, CRAWL_*, CLEAN_*, CLASSIFY_*,
LOCAL_SITES_*) and its default lives here, in one place. Components read them in
``from_crawler`` only.
"""

import os

from crawler import PROJECT_ROOT
from crawler.browser import launch_options

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
# 429/503 wait for Retry-After (capped) or back off exponentially before retrying.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.PoliteRetryMiddleware": 550,
}
DOWNLOAD_TIMEOUT = 30
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

# --- Pipelines --------------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.classify.ClassifyPipeline": 400,
    "pipelines.store.MongoStorePipeline": 900,
}
VALIDATE_MIN_BODY_CHARS = 200
VALIDATE_REQUIRED_FIELDS = ["url", "title", "body", "published_at"]
CLEAN_UNICODE_FORM = "NFC"

# --- MongoDB ----------------------------------------------------------------
# With no MONGO_URI the project starts (or reuses) its embedded SecantusDB server.
MONGO_URI = os.environ.get("MONGO_URI", "")
MONGO_DATABASE = os.environ.get("MONGO_DATABASE", "hindi_news")
MONGO_BATCH_SIZE = 50
MONGO_SERVER_TIMEOUT_MS = 3000
MONGO_JOURNAL_PATH = str(PROJECT_ROOT / ".data" / "journal" / "pending.jsonl")
MONGO_EMBEDDED_DIR = str(PROJECT_ROOT / ".data" / "mongo")
MONGO_EMBEDDED_PORT = int(os.environ.get("MONGO_EMBEDDED_PORT", "27217"))

# --- Offline fixture sites (demo and tests only) ----------------------------
# When LOCAL_SITES_URL is set, requests for hosts that have a fixture directory
# are fetched from that local server; responses keep the real URL.
LOCAL_SITES_URL = os.environ.get("LOCAL_SITES_URL", "")
LOCAL_SITES_DIR = str(PROJECT_ROOT / "tests" / "fixtures" / "sites")
DOWNLOAD_HANDLERS = {
    "http": "crawler.localsites.LocalSitesDownloadHandler",
    "https": "crawler.localsites.LocalSitesDownloadHandler",
}
LOCAL_SITES_INNER_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"

# Drops are logged as "Dropped: <reason>: <url>", without the whole item.
LOG_FORMATTER = "crawler.logformatter.ConciseLogFormatter"

# --- Incremental nightly crawls ------------------------------------------------
# Skip articles already stored unless the listing's lastmod is newer.
INCREMENTAL_ENABLED = True
# Also refetch articles published within this span (e.g. "6h"); empty = never.
INCREMENTAL_REFRESH = ""

# --- JavaScript pages (scrapy-playwright) ---------------------------------------
# Spiders whose site needs JS switch LOCAL_SITES_INNER_HANDLER to Playwright's
# handler themselves; requests without meta playwright=True still go over plain HTTP.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options()
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser.should_abort_request"
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4  # concurrent browser pages
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

# --- Extraction evaluation (python -m crawler evaluate) ---------------------------
# Gold data per stored page: tests/fixtures/gold/<site>/<name>.json (title, date,
# authors, "with"/"without" body segments); pages are read from LOCAL_SITES_DIR.
EVALUATE_GOLD_DIR = str(PROJECT_ROOT / "tests" / "fixtures" / "gold")
