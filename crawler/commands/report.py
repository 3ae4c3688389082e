"""The ``report`` sub-command: an HTML report on recent crawls that opens offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.argtypes import date_arg
from crawler.project import open_store, project_settings
from crawler.text.dates import parse_since


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="write an HTML report on recent crawls (charts, monitor verdicts)",
        description="Write one HTML file, readable offline, with new articles per site per "
        "day, the category mix, failures per site, run durations and the monitors' "
        "verdicts, from the run records in MongoDB.",
    )
    parser.add_argument(
        "--since", type=date_arg, help="runs started since: 7d, 36h or a date (default: 7d)"
    )
    parser.add_argument(
        "--out", default="report.html", help="the HTML file to write (default: %(default)s)"
    )
    parser.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser().resolve()  # before project_settings() moves to the root
    if out.is_dir():
        print(f"report: cannot write {args.out}: it is a directory", file=sys.stderr)
        return 1
    settings = project_settings()
    since = parse_since(args.since or settings.get("REPORT_SINCE"))
    try:
        store = open_store(settings)
        try:
            from crawler.ops.report import write_report  # Scrapy's stats: imported on use

            path = write_report(store, since, out, settings.get("REPORT_TIMEZONE"))
        finally:
            store.db.client.close()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, FileExistsError):  # mkdir(parents=True) met a file on the way
            reason = f"{exc.filename} is not a directory"
        print(f"report: cannot write {args.out}: {reason}", file=sys.stderr)
        return 1
    # MongoDB errors: one line and status 1 from cli.main, as for every command.
    print(path)
    return 0
