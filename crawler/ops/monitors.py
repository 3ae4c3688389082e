"""Monitors: checks on each site's crawl, run when the spider closes.

Each monitor looks at one run's summary (:func:`crawler.ops.runs.build_summary`),
and some at the site's earlier runs, and says passed, failed or skipped with a
reason a person can act on. ``MonitorsExtension`` runs the suite when the spider
closes and keeps the verdicts: the crawl runner reads them from it directly (a
failed monitor makes ``crawl`` and ``nightly`` exit 3) and the store pipeline
writes them into the run record (``monitors``) for the report.

A small equivalent of spidermon: spidermon 1.27 runs with Scrapy 2.19 but
reports only through its own actions (its verdicts never reach our run record),
keeps history in local files rather than in ``crawl_runs``, and calls the
deprecated ``Spider.log()``.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo.errors import PyMongoError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.ops.runs import build_summary, previous_summaries, run_records
from crawler.storage.embedded import EmbeddedMongoError
from crawler.storage.extension import MongoExtension
from crawler.storage.store import ArticleStore

logger = logging.getLogger(__name__)

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass(frozen=True)
class MonitorResult:
    monitor: str
    status: str  # passed, failed or skipped
    message: str

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Monitor(Protocol):
    name: str

    def check(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> MonitorResult:
        """Judge one run; ``history`` holds the site's earlier summaries, newest first."""
        ...


class FinishReasonMonitor:
    name = "finish_reason"

    def check(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> MonitorResult:
        reason = summary.get("finish_reason")
        if reason == "finished":
            return MonitorResult(self.name, PASSED, "finished")
        return MonitorResult(self.name, FAILED, f"the crawl ended with {reason!r}, not 'finished'")


class NewArticlesMonitor:
    """No new articles where the site usually has some.

    "Usually" is read from the site's earlier finished runs: with at least
    ``min_history`` of them, and new articles in most, a run needs at least
    ``min_new``. A site without enough history is skipped, not failed.
    """

    name = "new_articles"

    def __init__(self, min_new: int, min_history: int) -> None:
        self.min_new = max(int(min_new), 1)
        self.min_history = max(int(min_history), 1)

    def check(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> MonitorResult:
        new = int(summary.get("articles", {}).get("new", 0))
        if len(history) < self.min_history:
            return MonitorResult(
                self.name,
                SKIPPED,
                f"{new} new; {len(history)} earlier run(s), {self.min_history} needed "
                "to know what is usual",
            )
        earlier = [int(s.get("articles", {}).get("new", 0)) for s in history]
        with_new = sum(1 for n in earlier if n >= self.min_new)
        median = statistics.median(earlier)
        usual = f"{with_new} of the last {len(earlier)} runs had some, median {median:g}"
        if with_new * 2 <= len(earlier):
            return MonitorResult(self.name, PASSED, f"{new} new; the site often has none ({usual})")
        if new < self.min_new:
            what = (
                "no new articles"
                if new == 0
                else f"only {new} new (at least {self.min_new} expected)"
            )
            return MonitorResult(self.name, FAILED, f"{what}; {usual}")
        return MonitorResult(self.name, PASSED, f"{new} new ({usual})")


class ErrorRateMonitor:
    """HTTP error answers and download errors per request above a threshold."""

    name = "error_rate"

    def __init__(self, max_rate: float) -> None:
        self.max_rate = float(max_rate)

    def check(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> MonitorResult:
        errors = summary.get("errors", {})
        requests = int(summary.get("requests", 0))
        rate = float(errors.get("error_rate", 0.0))
        detail = (
            f"{errors.get('http_errors', 0)} HTTP errors and {errors.get('download_errors', 0)} "
            f"download errors in {requests} requests ({rate:.0%})"
        )
        if rate > self.max_rate:
            return MonitorResult(self.name, FAILED, f"{detail}, above {self.max_rate:.0%}")
        return MonitorResult(self.name, PASSED, detail)


class FieldCoverageMonitor:
    """Share of articles with each field (title, body, date, author) below a threshold."""

    name = "field_coverage"

    def __init__(self, thresholds: Mapping[str, float], min_articles: int) -> None:
        self.thresholds = {str(k): float(v) for k, v in thresholds.items()}
        self.min_articles = max(int(min_articles), 1)

    def check(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> MonitorResult:
        covered = summary.get("coverage")
        if not covered:
            return MonitorResult(
                self.name,
                SKIPPED,
                "no coverage counts (pipelines.coverage.CoveragePipeline is off)",
            )
        fields = covered.get("fields", {})
        dropped = summary.get("articles", {}).get("dropped", {})
        # Articles dropped for a missing field belong in the base: a parser that
        # finds no titles at all stores nothing, and must not look "too small to judge".
        missing = sum(n for reason, n in dropped.items() if reason.startswith("validate/missing_"))
        base = int(covered.get("articles", 0)) + int(missing)
        if base < self.min_articles:
            return MonitorResult(
                self.name,
                SKIPPED,
                f"{base} article(s), too few to judge (needs {self.min_articles})",
            )
        checked = {n: m for n, m in self.thresholds.items() if n in fields}
        low = [
            f"{name} {fields[name]:.0%} < {minimum:.0%}"
            for name, minimum in checked.items()
            if fields[name] < minimum
        ]
        if low:
            return MonitorResult(self.name, FAILED, "low field coverage: " + ", ".join(low))
        shown = ", ".join(f"{name} {fields[name]:.0%}" for name in checked) or "no field counted"
        return MonitorResult(self.name, PASSED, shown)


class ParserFailuresMonitor:
    """Pages that failed, above a count per site and run.

    Counts ``spider/parse_failures`` where the spider keeps it, else every page
    given up (``spider/failed_pages``: not downloaded, an HTTP error, or not parsed).
    """

    name = "parser_failures"

    def __init__(self, max_failures: int) -> None:
        self.max_failures = int(max_failures)

    def check(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> MonitorResult:
        errors = summary.get("errors", {})
        parse_failures = errors.get("parse_failures")
        if parse_failures is not None:
            failed, what = int(parse_failures), "page(s) did not parse"
        else:
            failed, what = int(errors.get("failed_pages", 0)), "page(s) failed"
        message = f"{failed} {what}"
        examples = errors.get("examples") or []
        if failed and examples:
            message += f", e.g. {examples[0].get('url')}: {examples[0].get('reason')}"
        if failed > self.max_failures:
            return MonitorResult(self.name, FAILED, f"{message} (at most {self.max_failures})")
        return MonitorResult(self.name, PASSED, message)


class ParserDriftMonitor:
    """Too many of a site's articles needed a fallback: its selectors no longer fit.

    The articles still landed (JSON-LD or the generic extractor read them), so this is
    an alarm for a person to fix the site's selectors, not a loss. Reads the
    summary's ``extraction`` counts (``extraction/articles`` and
    ``extraction/fallback`` of the spider); skipped for a run without them (the
    generic spider) or with fewer than ``min_articles`` articles.
    """

    name = "parser_drift"

    def __init__(self, max_share: float, min_articles: int) -> None:
        self.max_share = float(max_share)
        self.min_articles = max(int(min_articles), 1)

    def check(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> MonitorResult:
        extraction = summary.get("extraction")
        if not extraction:
            return MonitorResult(self.name, SKIPPED, "no extraction counts")
        articles = int(extraction.get("articles", 0))
        fallback = int(extraction.get("fallback", 0))
        if articles < self.min_articles:
            return MonitorResult(
                self.name,
                SKIPPED,
                f"{fallback} of {articles} article(s) by fallback, too few to judge "
                f"(needs {self.min_articles})",
            )
        message = f"{fallback} of {articles} articles by fallback"
        paths = extraction.get("paths", {}).get("body") or {}
        if fallback and paths:
            message += " (body: " + ", ".join(f"{p} {n}" for p, n in paths.items()) + ")"
        if fallback > self.max_share * articles:
            return MonitorResult(
                self.name, FAILED, f"parser drift: {message}, above {self.max_share:.0%}"
            )
        return MonitorResult(self.name, PASSED, message)


class MonitorSuite:
    """The monitors to run after each site's crawl, and how much history they need."""

    def __init__(self, monitors: Sequence[Monitor], history_runs: int) -> None:
        self.monitors = list(monitors)
        self.history_runs = max(int(history_runs), 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MonitorSuite:
        settings = crawler.settings
        if not settings.getbool("MONITORS_ENABLED"):
            raise NotConfigured("MONITORS_ENABLED is off")
        return cls(
            [
                FinishReasonMonitor(),
                NewArticlesMonitor(
                    settings.getint("MONITORS_MIN_NEW_ARTICLES"),
                    settings.getint("MONITORS_HISTORY_MIN_RUNS"),
                ),
                ErrorRateMonitor(settings.getfloat("MONITORS_MAX_ERROR_RATE")),
                FieldCoverageMonitor(
                    settings.getdict("MONITORS_MIN_FIELD_COVERAGE"),
                    settings.getint("MONITORS_COVERAGE_MIN_ARTICLES"),
                ),
                ParserFailuresMonitor(settings.getint("MONITORS_MAX_PARSER_FAILURES")),
                ParserDriftMonitor(
                    settings.getfloat("MONITORS_MAX_FALLBACK_SHARE"),
                    settings.getint("MONITORS_DRIFT_MIN_ARTICLES"),
                ),
            ],
            history_runs=settings.getint("MONITORS_HISTORY_RUNS"),
        )

    def run(
        self, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
    ) -> list[MonitorResult]:
        results = []
        for monitor in self.monitors:
            try:
                result = monitor.check(summary, history)
            except Exception as exc:  # a broken monitor must not lose the run record
                logger.exception("Monitor %s crashed", monitor.name)
                result = MonitorResult(monitor.name, FAILED, f"monitor crashed: {exc!r}")
            if result.failed:
                logger.warning(
                    "Monitor failed: %s: %s: %s",
                    summary.get("site"),
                    result.monitor,
                    result.message,
                )
            results.append(result)
        return results


def failure_messages(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """``site: monitor: reason`` for each failed monitor in the given run records."""
    messages = []
    for record in records:
        for result in record.get("monitors") or []:
            if result.get("status") == FAILED:
                messages.append(
                    f"{record.get('spider')}: {result.get('monitor')}: {result.get('message')}"
                )
    return messages


def failed_monitors(run_id: str, store: ArticleStore, sites: Iterable[str] = ()) -> list[str]:
    """Messages naming the site and reason of every failed monitor of a run.

    With ``sites``, a site that left no run record at all (MongoDB unreachable,
    the process killed) counts as a failure too. Empty when all is well.
    """
    records = run_records(store, run_id)
    messages = failure_messages(records)
    recorded = {record.get("spider") for record in records}
    for site in sites:
        if site not in recorded:
            messages.append(f"{site}: run_record: no run record for run {run_id}")
    return messages


class MonitorsExtension:
    """Scrapy extension: the monitor suite, judged when the spider closes.

    The verdicts stay on the extension (``results``, ``failures()``) for the crawl
    runner and the run record; ``monitors/failed`` counts the failed ones. Its
    spider_closed handler is synchronous, so the verdicts are there before any
    later handler (the store pipeline's run record) starts.
    """

    def __init__(self, crawler: Crawler, suite: MonitorSuite) -> None:
        self.crawler = crawler
        self.suite = suite
        self.site = ""
        self.results: list[MonitorResult] | None = None  # None: not judged (yet)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MonitorsExtension:
        extension = cls(crawler, MonitorSuite.from_crawler(crawler))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        self.site = spider.name
        summary = build_summary(
            stats,
            site=spider.name,
            finish_reason=reason,
            finished_at=datetime.now(UTC),
            started_at=stats.get("start_time"),
        )
        self.results = self.suite.run(summary, self._history(spider.name))
        self.crawler.stats.set_value("monitors/failed", sum(r.failed for r in self.results))

    def _history(self, site: str) -> list[dict[str, Any]]:
        """The site's earlier run summaries, newest first; none without MongoDB."""
        if not self.suite.history_runs:
            return []
        mongo = MongoExtension.of(self.crawler)
        try:
            store = ArticleStore(mongo.database())
            run_id = self.crawler.settings.get("CRAWL_RUN_ID") or ""
            return previous_summaries(store, site, run_id, self.suite.history_runs)
        except (PyMongoError, EmbeddedMongoError) as exc:
            logger.warning(
                "Could not read earlier runs of %s: %s", site, mongo.config.redact(str(exc))
            )
            return []

    def failures(self) -> list[str]:
        """``site: monitor: reason`` of each failed monitor."""
        return [f"{self.site}: {r.monitor}: {r.message}" for r in self.results or () if r.failed]
