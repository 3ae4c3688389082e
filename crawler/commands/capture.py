"""The ``capture`` sub-command: today's markup of a site as fixture files, in one go."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.argtypes import date_arg, int_range
from crawler.parsing.registry import SITES
from crawler.project import project_settings

_DESCRIPTION = """\
Run a site's own discovery (robots.txt, its sitemaps and feeds, listing pages, as the
nightly spider uses them) and save what it fetched into DIR in the layout of
tests/fixtures/sites (<host>/<path>, "?<query>" appended to the file name, index.html
for a directory), with at most N articles. DIR/CAPTURE.json lists every file with its
URL, what it was used as (robots, sitemap, feed, listing, article), the HTTP status
and the capture time (UTC); responses other than 200 are listed without a file.
Nothing is stored in MongoDB. Needs internet, unless --local-sites."""


def register(commands: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "capture",
        help="save a site's robots.txt, sitemaps, feeds and a few articles as fixtures",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("site", metavar="SITE", help=f"site: {', '.join(SITES)}")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to save")
    parser.add_argument(
        "--articles",
        type=int_range(1),
        default=3,
        metavar="N",
        help="at most N articles (default 3)",
    )
    parser.add_argument(
        "--since",
        type=date_arg,
        help="date window for articles: 1d, 36h, 2w or a date (default: CRAWL_SINCE)",
    )
    parser.add_argument(
        "--local-sites",
        action="store_true",
        help="capture from the offline fixture copies of the sites (tests)",
    )
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.set_defaults(func=run_capture)
    return parser


def run_capture(args: argparse.Namespace) -> int:
    from crawler.cli import run_crawl
    from crawler.devtools.capture import MANIFEST

    if args.site not in SITES:
        print(f"capture: unknown site {args.site} (known: {', '.join(SITES)})", file=sys.stderr)
        return 2
    out: Path = args.out.resolve()
    settings = project_settings()
    settings.set("CAPTURE_DIR", str(out), "cmdline")
    settings.set("LOG_LEVEL", args.log_level, "cmdline")
    # A capture stores nothing and remembers nothing: it must not change the next night.
    settings.set("ITEM_PIPELINES", {}, "cmdline")
    settings.set("INCREMENTAL_ENABLED", False, "cmdline")
    settings.set("MONITORS_ENABLED", False, "cmdline")
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    # Below decompression (590) and redirects (600): final responses, content decoded.
    middlewares["crawler.devtools.capture.CaptureMiddleware"] = 50
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, "cmdline")
    spider_args: dict[str, Any] = {"max_articles": args.articles}
    if args.since:
        spider_args["since"] = args.since
    status = run_crawl([args.site], settings, spider_args, args.local_sites).status
    manifest_path = out / MANIFEST
    if not manifest_path.exists():
        print(f"capture: nothing captured into {out}", file=sys.stderr)
        return 1
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    kinds: dict[str, int] = {}
    for entry in manifest["files"]:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    print(f"capture: {len(manifest['files'])} files ({summary or 'none'}) into {out}")
    if manifest["not_saved"]:
        print(f"capture: {len(manifest['not_saved'])} responses not saved (see {MANIFEST})")
    return status or (0 if manifest["files"] else 1)
