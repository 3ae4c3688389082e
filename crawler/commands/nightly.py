"""The ``nightly`` sub-command: the job cron runs.

It takes the run lock (a second run exits at once with status 75), logs the
crawl to its own file under the log directory, deletes logs older than
``--keep-days``, runs the same crawl as ``crawl`` and then reads the monitors'
verdicts from the run records. Quiet when all is well (cron mails only what a
job prints); on a failed monitor it prints one line per site and reason and
exits 3.
"""

from __future__ import annotations

import argparse
import logging
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.argtypes import int_range, plain_text
from crawler.cli import add_crawl_arguments, chosen_sites, crawl_settings, run_crawl
from crawler.ops.schedule import EXIT_LOCKED, LockBusy, RunLock, log_path, prune_logs

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

EXIT_MONITOR_FAILED = 3
_LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"

_DESCRIPTION = """\
Run the nightly crawl as cron does: under a lock (a second run exits at once
with status 75), with its log in LOG_DIR/crawl-YYYYmmdd-HHMMSS.log (logs older
than --keep-days are deleted), then check the monitors. Prints nothing when all
is well."""

_EXIT_STATUSES = """\
exit statuses:
  0   all well
  1   a crawl did not finish normally; items were not saved (MongoDB away and the
      journal not writable: "journal not writable: N items not saved"); or the
      log directory or the lock file cannot be written. 1 wins over 3: unsaved
      items matter more
  2   a bad argument (one line on stderr)
  3   a monitor failed (one line per site and reason on stderr)
  75  another run holds the lock"""


def add_job_arguments(parser: argparse.ArgumentParser, since_default: str = "CRAWL_SINCE") -> None:
    """Options shared by ``nightly`` and ``schedule install`` (which passes them on)."""
    add_crawl_arguments(parser, since_default)
    parser.add_argument(
        "--keep-days",
        type=int_range(1, 36500),
        metavar="N",
        help="delete run logs older than N days (default: SCHEDULE_KEEP_DAYS, 14)",
    )
    parser.add_argument(
        "--log-dir", type=plain_text, help="directory of the run logs (default: SCHEDULE_LOG_DIR)"
    )
    parser.add_argument(
        "--lock-file", type=plain_text, help="the run lock (default: SCHEDULE_LOCK_FILE)"
    )


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "nightly",
        help="the cron job: a locked, logged crawl that fails when a monitor fails",
        description=_DESCRIPTION,
        epilog=_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_job_arguments(parser)
    parser.set_defaults(func=cmd_nightly)


def _absolute(path: str | None) -> Path | None:
    # Before project_settings(), which changes to the project root.
    return Path(path).expanduser().resolve() if path else None


def cmd_nightly(args: argparse.Namespace) -> int:
    # The job logs to its file only. A stderr handler set up for plain commands would
    # print the whole crawl once Scrapy lowers the root logger's level to NOTSET.
    for handler in list(logging.root.handlers):
        logging.root.removeHandler(handler)
    log_dir_arg, lock_arg = _absolute(args.log_dir), _absolute(args.lock_file)
    sites = chosen_sites(args)
    settings, spider_args = crawl_settings(args)
    log_dir = log_dir_arg or Path(settings.get("SCHEDULE_LOG_DIR"))
    lock = RunLock(lock_arg or settings.get("SCHEDULE_LOCK_FILE"))
    keep_days = (
        args.keep_days if args.keep_days is not None else settings.getint("SCHEDULE_KEEP_DAYS")
    )
    try:
        lock.acquire()
    except LockBusy as exc:
        print(f"nightly: another nightly run is still going ({exc}); exiting.", file=sys.stderr)
        return EXIT_LOCKED
    except OSError as exc:
        print(f"nightly: cannot take the run lock {lock.path}: {exc}", file=sys.stderr)
        return 1
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        lock.release()
        print(f"nightly: cannot write the log directory {log_dir}: {exc}", file=sys.stderr)
        return 1
    try:
        return NightlyRun(settings, sites, spider_args, log_dir).run(keep_days, args.local_sites)
    finally:
        lock.release()


class NightlyRun:
    """One run of the job, once the lock is held."""

    def __init__(
        self, settings: Settings, sites: list[str], spider_args: dict[str, Any], log_dir: Path
    ) -> None:
        self.settings = settings
        self.sites = sites
        self.spider_args = spider_args
        self.log_dir = log_dir
        self.run_id = uuid.uuid4().hex
        self.log_file = log_path(log_dir)

    def run(self, keep_days: int, local_sites: bool) -> int:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(self.log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # Scrapy's root handler writes to the same file
        try:
            for old in prune_logs(self.log_dir, keep_days):
                logger.info("Deleted the old run log %s", old.name)
            logger.info(
                "Nightly run %s: %s, since %s",
                self.run_id,
                ", ".join(self.sites),
                self.spider_args.get("since") or self.settings.get("CRAWL_SINCE"),
            )
            status, failures = self.crawl(local_sites)
        finally:
            logger.removeHandler(handler)
            handler.close()
            logger.propagate = True
        for message in failures:
            print(f"nightly: monitor failed: {message}", file=sys.stderr)
        if failures and not status:
            print(f"nightly: run {self.run_id}, log {self.log_file}", file=sys.stderr)
            return EXIT_MONITOR_FAILED
        if status:
            print(f"nightly: run {self.run_id} failed, log {self.log_file}", file=sys.stderr)
        elif sys.stdout.isatty():
            print(f"nightly: run {self.run_id} done, log {self.log_file}")
        return status

    def crawl(self, local_sites: bool) -> tuple[int, list[str]]:
        """The crawl's exit status and its failed monitors (logged here too)."""
        self.settings.set("CRAWL_RUN_ID", self.run_id, "cmdline")
        self.settings.set("LOG_FILE", str(self.log_file), "cmdline")
        result = run_crawl(self.sites, self.settings, self.spider_args, local_sites)
        for message in result.failures:
            logger.error("Monitor failed: %s", message)
        if not result.failures:
            logger.info("Nightly run %s: all monitors passed", self.run_id)
        return result.status, result.failures
