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
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import crawler.commands
from crawler.argtypes import UsageError, date_arg, int_range, setting_arg
from crawler.parsing.registry import SITES, default_sites
from crawler.project import mongo_failure, open_store, project_settings

if TYPE_CHECKING:
    from scrapy.settings import Settings

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


@dataclass
class CrawlResult:
    """How a crawl went: the exit status and the failed monitors' messages."""

    status: int
    failures: list[str]


def run_crawl(
    sites: Sequence[str], settings: Settings, spider_args: dict[str, Any], local_sites: bool = False
) -> CrawlResult:
    """Runs the given site spiders in one process: what `crawl`, `nightly` and `demo`
    all run. With ``local_sites`` the offline fixture copies are served and crawled."""
    if not local_sites:
        return _run_spiders(sites, settings, spider_args)
    from crawler.devtools.localsites import FixtureSiteServer

    with FixtureSiteServer(Path(settings["LOCAL_SITES_DIR"])) as server:
        settings.set("LOCAL_SITES_URL", server.url, "cmdline")
        return _run_spiders(sites, settings, spider_args)


def _run_spiders(
    sites: Sequence[str], settings: Settings, spider_args: dict[str, Any]
) -> CrawlResult:
    from scrapy.crawler import CrawlerProcess

    from crawler.ops.memory import fix_mmap_threshold
    from crawler.ops.monitors import MonitorsExtension
    from pipelines.store import MONGO_UNREACHABLE_STAT

    fix_mmap_threshold(settings.getint("CRAWL_MMAP_THRESHOLD"))
    settings.set("CRAWL_RUN_ID", settings.get("CRAWL_RUN_ID") or uuid.uuid4().hex, "cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for name in sites:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)
        process.crawl(crawler, **spider_args)
    process.start()
    failures: list[str] = []
    for crawler in crawlers:  # the verdicts, straight from each crawl's monitors
        try:
            monitors = crawler.get_extension(MonitorsExtension)
        except RuntimeError:  # the crawl never started: no extensions were built
            monitors = None
            failures.append(
                f"{crawler.spidercls.name}: monitors: not run (the crawl never started)"
            )
        if monitors is not None and monitors.results is None:
            failures.append(
                f"{crawler.spidercls.name}: monitors: not run (the crawl did not close)"
            )
        elif monitors is not None:
            failures += monitors.failures()
    # Items neither MongoDB nor the journal took (a full disk): never a success.
    unsaved = sum(c.stats.get_value("pipelines/store/unsaved") or 0 for c in crawlers)
    if unsaved:
        print(f"crawl: journal not writable: {unsaved} items not saved", file=sys.stderr)
    failed = [c.spider.name for c in crawlers if c.stats.get_value("finish_reason") != "finished"]
    if failed:
        print(f"crawl: did not finish normally: {', '.join(failed)}", file=sys.stderr)
    # MongoDB away: the articles wait in the journal, a runtime failure rather than a monitor's.
    away = next((e for c in crawlers if (e := c.stats.get_value(MONGO_UNREACHABLE_STAT))), None)
    if away:
        print(f"crawl: {away} (the articles wait in the journal)", file=sys.stderr)
    return CrawlResult(1 if unsaved or failed or away else 0, failures)


def add_site_arguments(parser: argparse.ArgumentParser, what: str = "crawl") -> None:
    """Sites named the same way by every command: ``SITE ...`` or ``--all``."""
    parser.add_argument(
        "sites", nargs="*", metavar="SITE", help=f"sites to {what}: {', '.join(SITES)}"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every registered site except opt-in ones (name those); the default",
    )
    # The spelling of earlier versions, kept for crontab entries they installed.
    parser.add_argument("--sites", dest="site_list", type=site_list, help=argparse.SUPPRESS)


def add_crawl_arguments(
    parser: argparse.ArgumentParser, since_default: str = "CRAWL_SINCE"
) -> None:
    """The arguments `crawl`, `nightly` and `demo` share."""
    add_site_arguments(parser)
    parser.add_argument(
        "--since",
        type=date_arg,
        help=f"date window: 1d, 36h, 2w or a date (default: {since_default})",
    )
    parser.add_argument(
        "--max-articles",
        type=int_range(1),
        metavar="N",
        help="at most N articles per site (default: CRAWL_MAX_ARTICLES)",
    )
    parser.add_argument(
        "--local-sites",
        action="store_true",
        help="fetch from the offline fixture copies of the sites (tests, demo)",
    )
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    add_set_argument(parser)


def add_set_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        type=setting_arg,
        metavar="NAME=VALUE",
        help="override a Scrapy/project setting (repeatable); a known setting's value must "
        "have the type of its default",
    )


def site_list(value: str) -> list[str]:
    sites = [s.strip() for s in value.split(",") if s.strip()]
    if not sites:
        raise argparse.ArgumentTypeError(f"unknown site {value!r} (known: {', '.join(SITES)})")
    return sites


def chosen_sites(args: argparse.Namespace) -> list[str]:
    """The sites a crawl command was given; every default site for none or --all."""
    named = [*args.sites, *(getattr(args, "site_list", None) or [])]
    if args.all or not named:
        return default_sites()
    unknown = [s for s in named if s not in SITES]
    if unknown:
        raise UsageError(f"unknown site {', '.join(unknown)} (known: {', '.join(SITES)})")
    return named


def crawl_settings(args: argparse.Namespace) -> tuple[Settings, dict[str, Any]]:
    """The project's settings with the command's overrides, and the spider arguments."""
    settings = project_settings()
    if args.log_level:
        settings.set("LOG_LEVEL", args.log_level, "cmdline")
    for name, value in args.set:
        settings.set(name, value, "cmdline")
    spider_args: dict[str, Any] = {}
    if args.since:
        spider_args["since"] = args.since
    if args.max_articles:
        spider_args["max_articles"] = args.max_articles
    return settings, spider_args


def cmd_crawl(args: argparse.Namespace) -> int:
    sites = chosen_sites(args)
    settings, spider_args = crawl_settings(args)
    if getattr(args, "distributed", False):
        return _crawl_distributed(args, sites, settings, spider_args)
    result = run_crawl(sites, settings, spider_args, args.local_sites)
    for message in result.failures:
        print(f"crawl: monitor failed: {message}", file=sys.stderr)
    return result.status or (3 if result.failures else 0)


def add_distributed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="share the night with other machines through REDIS_URL (see --role)",
    )
    parser.add_argument(
        "--role",
        choices=["auto", "discover", "worker"],
        default="auto",
        help="with --distributed: join the running night or start it (auto, the default), "
        "always start it (discover), or only join one (worker)",
    )


def _crawl_distributed(
    args: argparse.Namespace, sites: list[str], settings: Settings, spider_args: dict[str, Any]
) -> int:
    """One process of a night shared through Redis: crawler/distributed/night.py."""
    from crawler.distributed.night import DistributedError, apply_night, end_night, join_night

    if not settings.get("REDIS_URL"):
        raise UsageError("--distributed needs REDIS_URL (redis://HOST:6379/0)")
    try:
        night = join_night(settings, sites, args.role)
    except DistributedError as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 1
    if night is None:
        print("crawl: no distributed night to join", file=sys.stderr)
        return 0
    apply_night(settings, night)
    try:
        result = run_crawl(night.sites, settings, spider_args, args.local_sites)
    finally:
        end_night(settings, night)
    # The discoverer closes each site last and judges the merged night; a worker's
    # own verdicts cover a part of it only.
    failures = result.failures if night.role == "discover" else []
    for message in failures:
        print(f"crawl: monitor failed: {message}", file=sys.stderr)
    return result.status or (3 if failures else 0)


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
        from crawler.extract import PageExtractor  # parsers and pipelines: extract only

        result = PageExtractor(settings).extract(page, url)
    except ValueError as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=None if args.compact else 2))
    return 0


# --- demo ---------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    args.since = args.since or DEMO_SINCE
    args.log_level = args.log_level or "WARNING"
    settings, spider_args = crawl_settings(args)
    sites = chosen_sites(args) if args.sites else list(SITES)  # fixture copies: all
    status = run_crawl(sites, settings, spider_args, local_sites=True).status
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
        # The installed script says its own name; a checkout runs `python -m crawler`.
        prog="hindi-news" if Path(sys.argv[0]).name == "hindi-news" else "python -m crawler",
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
    add_crawl_arguments(crawl)
    add_distributed_arguments(crawl)
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
    add_set_argument(extract)
    extract.set_defaults(func=cmd_extract)

    demo = commands.add_parser(
        "demo",
        help="crawl the offline copies of the sites into the embedded MongoDB",
        description="Serve the fixture sites on 127.0.0.1, run the nightly job against "
        "them into MongoDB and print what landed.",
    )
    add_crawl_arguments(demo, since_default=DEMO_SINCE)
    demo.add_argument("--limit", type=int_range(1), default=20, help="articles to list at the end")
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
