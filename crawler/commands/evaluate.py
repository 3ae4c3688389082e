"""The ``evaluate`` sub-command: extraction quality on stored pages with gold data,
the project's two paths beside trafilatura and newspaper4k."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from crawler.devtools.evaluation.extractors import EXTRACTORS, available_extractors, evaluate
from crawler.devtools.evaluation.gold import (
    GoldError,
    load_gold,
    load_real_pages,
    merge_gold,
    pages_without_gold,
)
from crawler.devtools.evaluation.report import format_details, format_tables, report_dict
from crawler.project import project_settings

_DESCRIPTION = """\
Score article extraction on stored pages with gold data and print one table per set
of pages, with the extractors as columns. The sets: first the REAL pages (captures of
live pages: the real pages in the fixture site trees, and the shared captures in
tests/fixtures/real-pages/ with their gold.json), then the SYNTHETIC pages (pages the
project wrote in a site's markup: they show the code agrees with itself, no more),
then each site's pages of both kinds.

Gold: tests/fixtures/gold/<site>/<name>.json (url, page, provenance, title,
published, authors, "with" and "without" segments) and tests/fixtures/real-pages/
gold.json (file -> url, title, published, authors, with, without, is_article).
Columns:

  project (site)     the site's parser, cleaning and classification (as `extract`)
  project (generic)  the generic parser and cleaning, as for a site without a parser
  trafilatura        trafilatura's defaults (comments left out)
  newspaper4k        newspaper4k, where installed (Hindi needs newspaper4k[hi])

Rows: title, date and authors accuracy (share of article pages where the field
equals the gold one: title exactly, the publication day, the set of authors ignoring
case), non-articles out (share of pages that are not articles -- video, home -- that
the extractor did not take for one: a page_type other than "article", a failure, or
for trafilatura/newspaper4k no text), body precision, recall and F1, and
milliseconds per page (after one warm-up run). An article page taken for a
non-article scores as if nothing had been extracted.

Body scores follow trafilatura's evaluation: a "with" segment found in the body is
a true positive (tp), one missing a false negative (fn); a "without" segment found
is a false positive (fp), one absent a true negative (tn). Precision = tp/(tp+fp),
recall = tp/(tp+fn), F1 = 2*tp/(2*tp+fp+fn), from the counts summed over the set's
pages. Titles, segments and bodies are compared after Unicode NFC, with typographic
quotes made plain and whitespace collapsed."""


def register(commands: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "evaluate",
        help="score extraction on stored pages with gold data, beside trafilatura/newspaper4k",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="SITE",
        help="only this site's gold pages (repeatable; default: all)",
    )
    parser.add_argument(
        "--extractor",
        action="append",
        default=[],
        choices=list(EXTRACTORS),
        help="only this extractor: site, generic, trafilatura or newspaper4k (repeatable; "
        "default: all that are installed)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument(
        "--details",
        action="store_true",
        help="also list, per page, missed and leaked segments and wrong fields",
    )
    parser.add_argument(
        "--gold-dir",
        type=Path,
        help="gold files (default: EVALUATE_GOLD_DIR, tests/fixtures/gold)",
    )
    parser.add_argument(
        "--real-pages-dir",
        type=Path,
        help="shared real captures with their gold.json (default: tests/fixtures/real-pages; "
        "left out when absent)",
    )
    parser.add_argument(
        "--sites-dir",
        type=Path,
        help="stored pages (default: LOCAL_SITES_DIR, tests/fixtures/sites)",
    )
    parser.set_defaults(func=run_evaluate)
    return parser


def run_evaluate(args: argparse.Namespace) -> int:
    settings = project_settings()
    root = Path(settings["LOCAL_SITES_DIR"]).parent
    gold_dir = args.gold_dir or Path(settings.get("EVALUATE_GOLD_DIR") or root / "gold")
    sites_dir = args.sites_dir or Path(settings["LOCAL_SITES_DIR"])
    real_dir = args.real_pages_dir or root / "real-pages"
    try:
        pages = merge_gold(load_gold(gold_dir, args.site), load_real_pages(real_dir, args.site))
        extractors, skipped = available_extractors(args.extractor)
    except (GoldError, ValueError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 1
    if not pages:
        print(f"evaluate: no gold pages in {gold_dir}", file=sys.stderr)
        return 1
    missing = [] if args.site else pages_without_gold(root / "expected", gold_dir)
    # trafilatura warns about every page it gives up on; the table counts those already.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    results = evaluate(pages, extractors, sites_dir)
    if args.json:
        report = report_dict(results, skipped, missing)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(format_tables(results, skipped), end="")
    if missing:
        print(f"\nNo gold file yet for: {', '.join(missing)}")
    if args.details:
        print("\n" + format_details(results), end="")
    return 0
