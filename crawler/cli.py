"""python -m crawler: the nightly crawl, queries, one-page extraction, the
embedded database and the offline demo."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import logging
import os
import pkgutil
import sys
import urllib.request
import uuid
import zlib
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Any, BinaryIO

from scrapy.settings import Settings

import crawler.commands
from crawler.argtypes import UsageError, date_arg, int_range, setting_arg
from crawler.extract import PageExtractor
from crawler.parsing.registry import SITES, default_sites
from crawler.project import mongo_failure, open_store, project_settings

# The fixture sites include real pages captured in 2020 and 2024; the demo's
# window reaches back far enough to take them all.
DEMO_SINCE = "2020-01-01"

CRAWL_EXIT_STATUSES = """\
exit statuses:
  0  every site's crawl finished and every monitor passed
  1  a crawl did not finish normally, items were not saved (MongoDB away and the
     journal not writable), or MongoDB could not be reached for the monitors
  2  a bad argument (one line on stderr)
  3  a monitor failed (one line per site and reason on stderr)"""


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (exit status 2 as argparse has it)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# --- crawl ---------------------------------------------------------------------


def run_crawl(sites: Sequence[str], settings: Settings, spider_args: dict[str, Any]) -> int:
    """Runs the given site spiders in one process (the nightly job)."""
    from scrapy.crawler import CrawlerProcess

    settings.set("CRAWL_RUN_ID", settings.get("CRAWL_RUN_ID") or uuid.uuid4().hex, "cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for name in sites:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)
        process.crawl(crawler, **spider_args)
    process.start()
    # Items neither MongoDB nor the journal took (a full disk): never a success.
    unsaved = sum(c.stats.get_value("pipelines/store/unsaved") or 0 for c in crawlers)
    if unsaved:
        print(f"crawl: journal not writable: {unsaved} items not saved", file=sys.stderr)
    failed = [c.spider.name for c in crawlers if c.stats.get_value("finish_reason") != "finished"]
    if failed:
        print(f"crawl: did not finish normally: {', '.join(failed)}", file=sys.stderr)
    if unsaved or failed:
        return 1
    return 0


def _crawl_sites(args: argparse.Namespace) -> list[str]:
    if args.all or not args.sites:
        return default_sites()
    unknown = [s for s in args.sites if s not in SITES]
    if unknown:
        raise UsageError(f"unknown site {', '.join(unknown)} (known: {', '.join(SITES)})")
    return list(args.sites)


def cmd_crawl(args: argparse.Namespace) -> int:
    settings = project_settings()
    spider_args: dict[str, Any] = {}
    if args.since:
        spider_args["since"] = args.since
    if args.max_articles:
        spider_args["max_articles"] = args.max_articles
    if args.log_level:
        settings.set("LOG_LEVEL", args.log_level, "cmdline")
    sites = _crawl_sites(args)
    for name, value in args.set:
        settings.set(name, value, "cmdline")
    if not args.local_sites:
        status = run_crawl(sites, settings, spider_args)
    else:
        from crawler.devtools.localsites import FixtureSiteServer

        with FixtureSiteServer(Path(settings["LOCAL_SITES_DIR"])) as server:
            settings.set("LOCAL_SITES_URL", server.url, "cmdline")
            status = run_crawl(sites, settings, spider_args)
    return status or monitors_status(settings, sites)


def monitors_status(settings: Settings, sites: Sequence[str]) -> int:
    """3 when a monitor failed for this run (each failure printed), else 0."""
    from crawler.ops.monitors import failed_monitors

    if not settings.getbool("MONITORS_ENABLED"):
        return 0
    try:
        store = open_store(settings)
        try:
            failures = failed_monitors(settings["CRAWL_RUN_ID"], store, sites)
        finally:
            store.db.client.close()
    except Exception as exc:
        message = mongo_failure(exc, settings)
        if message is None:
            raise
        print(f"crawl: {message} (the monitors could not be read)", file=sys.stderr)
        return 1
    for message in failures:
        print(f"crawl: monitor failed: {message}", file=sys.stderr)
    return 3 if failures else 0


# --- query -------------------------------------------------------------------


# --- extract -------------------------------------------------------------------


class PageTooLarge(ValueError):
    """A page (after decompression) over the size limit."""


def _read_capped(stream: BinaryIO, limit: int, what: str) -> bytes:
    """At most ``limit`` bytes of ``stream``; PageTooLarge when there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PageTooLarge(f"{what} is larger than {limit:,} bytes (EXTRACT_MAX_BYTES)")
    return data


def _read_page(source: str, user_agent: str, limit: int) -> bytes:
    """The page's bytes, read (and un-gzipped) up to ``limit`` bytes, never all of a
    bigger one: a small .gz can unpack to gigabytes."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": user_agent})
        with urllib.request.urlopen(request, timeout=30) as response:
            data = _read_capped(response, limit, source)
    else:
        with open(source, "rb") as file:
            data = _read_capped(file, limit, source)
    if data[:2] != b"\x1f\x8b":
        return data
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
        return _read_capped(unpacked, limit, f"{source} unpacked")


def cmd_extract(args: argparse.Namespace) -> int:
    settings = project_settings()
    limit = settings.getint("EXTRACT_MAX_BYTES")
    try:
        page = _read_page(args.source, settings.get("USER_AGENT"), limit)
    except PageTooLarge as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return 1
    except (OSError, EOFError, zlib.error) as exc:  # EOFError, zlib.error: a broken .gz
        print(f"extract: cannot read {args.source}: {exc}", file=sys.stderr)
        return 1
    url = args.url or (args.source if args.source.startswith("http") else None)
    for name, value in args.set:
        settings.set(name, value, "cmdline")
    try:
        result = PageExtractor(settings).extract(page, url)
    except ValueError as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=None if args.compact else 2))
    return 0


# --- demo ---------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    settings = project_settings()
    from crawler.devtools.localsites import FixtureSiteServer

    with FixtureSiteServer(Path(settings["LOCAL_SITES_DIR"])) as server:
        settings.set("LOCAL_SITES_URL", server.url, "cmdline")
        settings.set("LOG_LEVEL", args.log_level, "cmdline")
        status = run_crawl(list(SITES), settings, {"since": DEMO_SINCE})  # fixture copies: all
    store = open_store(project_settings())
    print("\nWhat landed in MongoDB (articles per site):")
    counts = store.counts_by_site()
    width = max(map(len, counts), default=4)
    for site, count in counts.items():
        print(f"  {site:<{width}} {count:>4}")
    print()
    from crawler.commands.query import print_table

    print_table(store.find_articles(limit=args.limit))
    print("\nTry: python -m crawler query --site jagran")
    return status


# --- argument parsing -------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m crawler",
        description="Hindi news pipeline: crawl Hindi news sites into MongoDB and query them.",
        epilog="Without MONGO_URI the embedded SecantusDB server in .data/mongo is used.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    crawl = commands.add_parser(
        "crawl",
        help="crawl sites into MongoDB (the nightly job)",
        description="Crawl registered sites into MongoDB, all spiders in one process. "
        "This is what cron runs.",
        epilog=CRAWL_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    crawl.add_argument("sites", nargs="*", metavar="SITE", help=f"sites: {', '.join(SITES)}")
    crawl.add_argument(
        "--all",
        action="store_true",
        help="crawl every registered site except opt-in ones (name those)",
    )
    crawl.add_argument(
        "--since",
        type=date_arg,
        help="date window: 1d, 36h, 2w or a date (default: CRAWL_SINCE, 1d)",
    )
    crawl.add_argument(
        "--max-articles",
        type=int_range(1),
        metavar="N",
        help="at most N articles per site (default: CRAWL_MAX_ARTICLES)",
    )
    crawl.add_argument(
        "--local-sites",
        action="store_true",
        help="fetch from the offline fixture copies of the sites (tests, demo)",
    )
    crawl.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    crawl.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        type=setting_arg,
        metavar="NAME=VALUE",
        help="override a Scrapy/project setting (repeatable); a known setting's value must "
        "have the type of its default",
    )
    crawl.set_defaults(func=cmd_crawl)

    extract = commands.add_parser(
        "extract",
        help="parse one saved page and print the article as JSON",
        description="Run the site's parser (by the URL's domain; generic JSON-LD + main-text "
        "extraction for other sites), cleaning and classification on one page and print "
        "one JSON object.",
    )
    extract.add_argument(
        "source", metavar="PATH_OR_URL", help="saved page (.html or .html.gz) or URL"
    )
    extract.add_argument("--url", help="the page's URL (default: its canonical link)")
    extract.add_argument("--compact", action="store_true", help="print on one line")
    extract.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        type=setting_arg,
        metavar="NAME=VALUE",
        help="override a project setting (repeatable), e.g. -s CLASSIFY_MIN_CONFIDENCE=0.5",
    )
    extract.set_defaults(func=cmd_extract)

    demo = commands.add_parser(
        "demo",
        help="crawl the offline copies of the sites into the embedded MongoDB",
        description="Serve the fixture sites on 127.0.0.1, run the nightly job against "
        "them into MongoDB and print what landed.",
    )
    demo.add_argument("--limit", type=int_range(1), default=20, help="articles to list at the end")
    demo.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    demo.set_defaults(func=cmd_demo)

    for module in pkgutil.iter_modules(crawler.commands.__path__):
        import_module(f"crawler.commands.{module.name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status: 0 done, 2 a bad argument, 1 a runtime error (one line on stderr for
    both); commands document their own others (crawl and nightly: 3, 75)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Crawls (capture is one) log through Scrapy's own handler.
    if args.command not in ("crawl", "demo", "nightly", "capture"):
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UsageError as exc:  # found after parsing: said the way argparse says it
        print(f"{parser.prog} {args.command}: error: {exc} (see --help)", file=sys.stderr)
        return 2
    except Exception as exc:
        message = mongo_failure(exc)  # the one runtime error every command may meet
        if message is None:
            raise
        print(f"{args.command}: {message}", file=sys.stderr)
        return 1
