"""query, stats and export: reading what the crawls stored.

Every filter value is used as a literal: a value starting with '$' or a
`--where` field that is not one of ours is refused with a clear message.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from crawler.argtypes import date_arg, int_range, pair_arg
from crawler.categories import CATEGORIES
from crawler.items import ArticleItem
from crawler.parsing.registry import SITES
from crawler.project import open_store
from crawler.storage.queries import (
    FILTER_FIELDS,
    SORT_FIELDS,
    STORE_EXPORT_FIELDS,
    QueryError,
    article_query,
)
from crawler.text.dates import IST, parse_since

_EXIT_STATUSES = """\
exit statuses:
  0  done (also when nothing matches)
  1  MongoDB could not be reached or refused the password, or the output
     file cannot be written (one line on stderr)
  2  a bad argument or filter (one line on stderr)"""

EXPORT_FIELDS = (*ArticleItem.fields_with("export"), *STORE_EXPORT_FIELDS)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", choices=sorted(SITES), help="only this site")
    parser.add_argument("--category", choices=[*CATEGORIES, "other"], help="only this category")
    parser.add_argument("--region", help="an Indian state, e.g. 'Uttar Pradesh'")
    parser.add_argument("--party", help="a party, e.g. BJP, SP, Congress")
    parser.add_argument("--person", help="a person, e.g. 'Akhilesh Yadav'")
    parser.add_argument("--place", help="a place, e.g. Kolkata")
    parser.add_argument("--since", type=date_arg, help="published since: 1d, 2w or a date")
    parser.add_argument("--until", type=date_arg, help="published before: 1d, 2w or a date")
    parser.add_argument("--word", help="a substring of title or body, e.g. अखिलेश")
    parser.add_argument("--search", help="words that must all occur (normalized Hindi tokens)")
    parser.add_argument(
        "--where",
        type=pair_arg,
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help=f"exact match on a field ({', '.join(FILTER_FIELDS)})",
    )


def filters_from(args: argparse.Namespace) -> dict[str, Any]:
    where = dict(args.where)
    for option, field in (
        ("region", "regions"),
        ("party", "parties"),
        ("person", "people"),
        ("place", "places"),
    ):
        if getattr(args, option):
            where[field] = getattr(args, option)
    tokens = None
    if args.search is not None:
        from crawler.text.tokens import query_tokens

        tokens = query_tokens(args.search)
    return {
        "site": args.site,
        "category": args.category,
        "since": parse_since(args.since) if args.since else None,
        "until": parse_since(args.until) if args.until else None,
        "text": args.word,
        "where": where,
        "tokens": tokens,
    }


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(docs: Iterable[dict[str, Any]], out: TextIO = sys.stdout) -> None:
    rows = list(docs)
    width = max([len(doc.get("site", "")) for doc in rows] + [4])
    print(f"{'published (IST)':<17} {'site':<{width}} {'category':<13} title", file=out)
    for doc in rows:
        published = doc.get("published_at")
        shown = published.astimezone(IST).strftime("%Y-%m-%d %H:%M") if published else "-"
        print(
            f"{shown:<17} {doc.get('site', ''):<{width}} {(doc.get('category') or '-'):<13} "
            f"{_shorten(doc.get('title', ''), 90)}",
            file=out,
        )
    print(f"({len(rows)} article{'s' if len(rows) != 1 else ''})", file=out)


def cmd_query(args: argparse.Namespace) -> int:
    try:
        docs = open_store().find_articles(**filters_from(args), limit=args.limit, sort=args.sort)
    except QueryError as exc:
        print(f"query: {exc}", file=sys.stderr)
        return 2
    if not args.json:
        print_table(docs)
        return 0
    for doc in docs:
        doc.pop("_id", None)
        print(json.dumps(doc, ensure_ascii=False, default=_json_default))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    try:
        query = article_query(**filters_from(args))
    except QueryError as exc:
        print(f"stats: {exc}", file=sys.stderr)
        return 2
    summary = open_store().summary(query)
    print(f"{len(summary)} articles" + (f" published since {args.since}" if args.since else ""))
    for field, title in (("site", "by site"), ("category", "by category")):
        print(f"\n{title}:")
        counts = Counter(doc.get(field) or "" for doc in summary)
        for value, count in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0])):
            print(f"  {value or '-':<24} {count:>6}")
    days = Counter(
        doc["published_at"].astimezone(IST).date().isoformat()
        for doc in summary
        if doc.get("published_at")
    )
    print("\nby day (IST):")
    for day in sorted(days, reverse=True)[: args.days]:
        print(f"  {day:<24} {days[day]:>6}")
    return 0


def _csv_value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value)


def write_export(docs: Iterable[dict[str, Any]], out: TextIO, fmt: str) -> int:
    """Write the articles as CSV or JSON lines; return how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(EXPORT_FIELDS)
        for doc in docs:
            writer.writerow([_csv_value(doc.get(name)) for name in EXPORT_FIELDS])
            count += 1
    else:
        for doc in docs:
            row = {name: doc.get(name) for name in EXPORT_FIELDS}
            out.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
            count += 1
    return count


def _private_file_beside(target: Path) -> tuple[TextIO, Path]:
    """A new file in ``target``'s directory, to be renamed over it once complete: a
    failed export leaves the earlier file as it was."""
    if target.is_dir():
        raise IsADirectoryError(21, "it is a directory")
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # the mode a plain open() gives, not mkstemp's 0600
    return os.fdopen(fd, "w", encoding="utf-8", newline=""), Path(name)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        filters = filters_from(args)
        article_query(**filters)  # refused filters: before any file is touched
    except QueryError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    projection = dict.fromkeys(EXPORT_FIELDS, 1)
    if not args.out:
        docs = open_store().iter_articles(**filters, projection=projection)
        write_export(docs, sys.stdout, args.format)
        return 0
    target = Path(args.out).expanduser().absolute()  # before open_store() moves to the root
    if target.exists() and not target.is_file() and not target.is_dir():
        # /dev/stdout, a named pipe: nothing to keep, nothing to rename over.
        with target.open("w", encoding="utf-8", newline="") as out:
            docs = open_store().iter_articles(**filters, projection=projection)
            write_export(docs, out, args.format)
        return 0
    try:
        out, part = _private_file_beside(target)
    except OSError as exc:
        print(f"export: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        with out:
            docs = open_store().iter_articles(**filters, projection=projection)
            count = write_export(docs, out, args.format)
        part.replace(target)
    except OSError as exc:  # a full disk, say
        print(f"export: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        part.unlink(missing_ok=True)
    print(f"exported {count} articles to {args.out}", file=sys.stderr)
    return 0


def register(commands: Any) -> None:
    query = commands.add_parser(
        "query",
        help="list stored articles",
        description="List stored articles, newest first, as a table or JSON lines.",
        epilog=_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_filter_arguments(query)
    query.add_argument(
        "--sort",
        default="-published_at",
        choices=[f"{d}{f}" for f in SORT_FIELDS for d in ("-", "")],
        help="sort field, '-' for descending (default -published_at)",
    )
    query.add_argument(
        "--limit", type=int_range(1), default=50, help="at most this many (default 50)"
    )
    query.add_argument("--json", action="store_true", help="one JSON object per line")
    query.set_defaults(func=cmd_query)

    stats = commands.add_parser(
        "stats",
        help="article counts by site, category and day",
        description="Counts of stored articles by site, category and day (IST).",
    )
    add_filter_arguments(stats)
    stats.add_argument("--days", type=int_range(0), default=14, help="days to list (default 14)")
    stats.set_defaults(func=cmd_stats)

    export = commands.add_parser(
        "export",
        help="write a corpus file (JSON lines or CSV)",
        description="Write the matching articles as JSON lines or CSV (lists joined by '; '). "
        "With --out the file is replaced only once complete.",
        epilog=_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_filter_arguments(export)
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument("--out", help="output file (default: standard output)")
    export.set_defaults(func=cmd_export)
