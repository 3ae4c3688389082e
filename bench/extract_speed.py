"""How fast the project turns a stored page into clean article text, beside trafilatura.

    .venv/bin/python bench/extract_speed.py              # 5 rounds over every fixture page
    .venv/bin/python bench/extract_speed.py --rounds 20

Pages: every article page named by tests/fixtures/expected/<site>/*.json, read from
tests/fixtures/sites (real captured pages, "provenance": "real" in the expected file,
apart from the synthetic ones the project wrote).
Per page and round, each method runs once; a round's time per page is its total time
divided by the pages, and the figure printed is the median over the rounds (after
one untimed warm-up round, so imports and caches are not counted).

* site path + clean:    the site's parser (parse_page) and the clean step
* generic path + clean: GenericParser and the clean step, as for a site without a parser
* trafilatura:          trafilatura.extract with its defaults (main text only)
* trafilatura + meta:   trafilatura.bare_extraction with metadata (title, date, authors),
                        closer to what the project's parsers return

Ratios are the project's time over trafilatura's (below 1.0: the project is faster).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from crawler.parsing.generic import GenericParser  # noqa: E402
from crawler.parsing.registry import parse_page  # noqa: E402
from pipelines.clean import CleanPipeline  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


@dataclass(frozen=True)
class Page:
    key: str
    url: str
    html: bytes
    real: bool


def load_pages() -> list[Page]:
    pages = []
    for path in sorted((FIXTURES / "expected").glob("*/*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        pages.append(
            Page(
                key=f"{path.parent.name}/{path.stem}",
                url=expected["url"],
                html=(FIXTURES / "sites" / expected["page"]).read_bytes(),
                real=expected["provenance"] == "real",
            )
        )
    return pages


def site_path(page: Page) -> object:
    item = parse_page(page.html, page.url)
    return CleanPipeline(None, "NFC").process_item(item)


def generic_path(page: Page) -> object:
    item = GenericParser().parse(page.html, page.url, "bench")
    return CleanPipeline(None, "NFC").process_item(item)


def trafilatura_text(page: Page) -> object:
    return trafilatura.extract(page.html, url=page.url, include_comments=False)


def trafilatura_meta(page: Page) -> object:
    return trafilatura.bare_extraction(
        page.html, url=page.url, include_comments=False, with_metadata=True
    )


METHODS: dict[str, Callable[[Page], object]] = {
    "site path + clean": site_path,
    "generic path + clean": generic_path,
    "trafilatura": trafilatura_text,
    "trafilatura + meta": trafilatura_meta,
}
RATIOS = (
    ("site path + clean", "trafilatura"),
    ("generic path + clean", "trafilatura"),
    ("site path + clean", "trafilatura + meta"),
    ("generic path + clean", "trafilatura + meta"),
)


def ms_per_page(method: Callable[[Page], object], pages: list[Page], rounds: int) -> float:
    """Median over rounds of the milliseconds per page."""
    for page in pages:  # warm-up: imports, dateparser's language data, regex caches
        method(page)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for page in pages:
            method(page)
        times.append(1000 * (time.perf_counter() - start) / len(pages))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs pages it discards

    pages = load_pages()
    sets = {
        "real pages": [p for p in pages if p.real],
        "synthetic pages": [p for p in pages if not p.real],
        "all pages": pages,
    }
    sets = {name: members for name, members in sets.items() if members}
    sizes = {
        name: sum(len(p.html) for p in members) / len(members) for name, members in sets.items()
    }
    print(
        ", ".join(
            f"{name}: {len(sets[name])} (avg {size / 1024:.0f} KB)" for name, size in sizes.items()
        )
        + f"; median of {args.rounds} rounds"
    )
    figures = {
        method: {name: ms_per_page(fn, members, args.rounds) for name, members in sets.items()}
        for method, fn in METHODS.items()
    }
    width = 40
    print(f"{'ms/page':<{width}}" + "".join(f"{name:>17}" for name in sets))
    for method, row in figures.items():
        print(f"{method:<{width}}" + "".join(f"{row[name]:>17.2f}" for name in sets))
    print()
    print("ratio (project / trafilatura)")
    for ours, theirs in RATIOS:
        label = f"{ours.split(' +')[0]} / {theirs}"
        cells = "".join(f"{figures[ours][n] / figures[theirs][n]:>16.2f}x" for n in sets)
        print(f"  {label:<{width - 2}}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
