"""The evaluation's scores per set of pages, as tables, per-page details or JSON.

Real pages (captures of live pages) are reported apart from the synthetic ones
(pages the project wrote, which only show that the code agrees with itself), then
every site's pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.devtools.evaluation.gold import GoldPage
from crawler.devtools.evaluation.scoring import BodyCounts, PageResult, ratio

REAL_SET = "real pages"
SYNTHETIC_SET = "synthetic pages"


@dataclass
class Score:
    """One extractor on one set of pages."""

    pages: int = 0
    articles: int = 0  # pages whose gold is an article: the field and body rows
    titles: int = 0
    dates: int = 0
    authors: int = 0
    non_articles: int = 0
    non_articles_rejected: int = 0
    errors: int = 0
    seconds: float = 0.0
    body: BodyCounts = field(default_factory=BodyCounts)

    def add(self, result: PageResult) -> None:
        self.pages += 1
        self.errors += bool(result.error)
        self.seconds += result.seconds
        if not result.page.is_article:
            self.non_articles += 1
            self.non_articles_rejected += result.page_type_ok
            return
        self.articles += 1
        self.titles += result.title_ok
        self.dates += result.date_ok
        self.authors += result.authors_ok
        self.body = self.body + result.body.counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "articles": self.articles,
            "non_articles": self.non_articles,
            "title_accuracy": ratio(self.titles, self.articles),
            "date_accuracy": ratio(self.dates, self.articles),
            "authors_accuracy": ratio(self.authors, self.articles),
            "non_articles_rejected": ratio(self.non_articles_rejected, self.non_articles),
            "body_precision": self.body.precision,
            "body_recall": self.body.recall,
            "body_f1": self.body.f1,
            "ms_per_page": 1000 * self.seconds / self.pages if self.pages else None,
            "errors": self.errors,
            "counts": {
                "tp": self.body.tp,
                "fn": self.body.fn,
                "fp": self.body.fp,
                "tn": self.body.tn,
            },
        }


def set_names(page: GoldPage) -> list[str]:
    """The sets a page is reported in: real or synthetic, and its site."""
    return [REAL_SET if page.real else SYNTHETIC_SET, f"site {page.site}"]


def scores_by_set(results: Sequence[PageResult]) -> dict[str, dict[str, Score]]:
    """set name -> extractor name -> Score; real pages first, then synthetic ones,
    then each site (both kinds) A-Z."""
    table: dict[str, dict[str, Score]] = {}
    for result in results:
        for name in set_names(result.page):
            table.setdefault(name, {}).setdefault(result.extractor, Score()).add(result)

    def order(name: str) -> tuple[int, str]:
        return ({REAL_SET: 0, SYNTHETIC_SET: 1}.get(name, 2), name)

    return {name: table[name] for name in sorted(table, key=order)}


_ROWS: tuple[tuple[str, str], ...] = (
    ("title accuracy", "title_accuracy"),
    ("date accuracy", "date_accuracy"),
    ("authors accuracy", "authors_accuracy"),
    ("non-articles out", "non_articles_rejected"),
    ("body precision", "body_precision"),
    ("body recall", "body_recall"),
    ("body F1", "body_f1"),
    ("ms/page", "ms_per_page"),
)


def _cell(key: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if key == "ms_per_page" else f"{value:.3f}"


def format_tables(results: Sequence[PageResult], skipped: dict[str, str] | None = None) -> str:
    """One table per set: extractors as columns, metrics as rows."""
    lines: list[str] = []
    for set_name, scores in scores_by_set(results).items():
        names = list(scores)
        lines.append(f"{set_name} ({_count_pages(results, set_name)})")
        width = max(14, *(len(n) for n in names))
        lines.append(f"  {'':<17}" + "".join(f"{n:>{width + 2}}" for n in names))
        for label, key in _ROWS:
            cells = [_cell(key, scores[n].as_dict()[key]) for n in names]
            lines.append(f"  {label:<17}" + "".join(f"{c:>{width + 2}}" for c in cells))
        errors = {n: s.errors for n, s in scores.items() if s.errors}
        if errors:
            failed = ", ".join(f"{n} on {count}" for n, count in errors.items())
            lines.append(f"  failed: {failed} page(s)")
        lines.append("")
    for name, reason in (skipped or {}).items():
        lines.append(f"{name}: not run ({reason})")
    return "\n".join(lines).rstrip() + "\n"


def _count_pages(results: Sequence[PageResult], set_name: str) -> str:
    """'7 pages: 2 real, 5 synthetic; 1 not an article' for a set's header."""
    pages = {r.page.key: r.page for r in results if set_name in set_names(r.page)}
    real = sum(p.real for p in pages.values())
    parts = [f"{len(pages)} page{'s' if len(pages) != 1 else ''}"]
    if set_name not in (REAL_SET, SYNTHETIC_SET):
        parts.append(f": {real} real, {len(pages) - real} synthetic")
    non_articles = sum(not p.is_article for p in pages.values())
    if non_articles:
        parts.append(f"; {non_articles} not an article")
    return "".join(parts)


def format_details(results: Sequence[PageResult]) -> str:
    """Per page and extractor, what went wrong: missed and leaked segments, wrong fields."""
    lines: list[str] = []
    for result in results:
        problems = [] if result.page_type_ok else [f"page type: {result.got.page_type}"]
        problems += [f"missed: {s}" for s in result.body.missed]
        problems += [f"leaked: {s}" for s in result.body.leaked]
        if result.page.is_article and not result.title_ok:
            problems.append(f"title: {result.got.title!r}")
        if result.page.is_article and not result.date_ok:
            problems.append(f"date: {result.got.published}")
        if result.page.is_article and not result.authors_ok:
            problems.append(f"authors: {result.got.authors}")
        if result.error:
            problems.append(f"error: {result.error}")
        if problems:
            lines.append(f"{result.page.key} [{result.extractor}]")
            lines.extend(f"    {p[:160]}" for p in problems)
    return "\n".join(lines) + ("\n" if lines else "")


def report_dict(
    results: Sequence[PageResult],
    skipped: dict[str, str] | None = None,
    missing: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole evaluation as JSON-ready data (what ``evaluate --json`` prints)."""
    return {
        "sets": {
            set_name: {name: score.as_dict() for name, score in scores.items()}
            for set_name, scores in scores_by_set(results).items()
        },
        "pages": [
            {
                "page": r.page.key,
                "provenance": r.page.provenance,
                "is_article": r.page.is_article,
                "page_type": r.got.page_type,
                "page_type_ok": r.page_type_ok,
                "extractor": r.extractor,
                "title_ok": r.title_ok,
                "date_ok": r.date_ok,
                "authors_ok": r.authors_ok,
                "body_f1": r.body.counts.f1,
                "missed": r.body.missed,
                "leaked": r.body.leaked,
                "ms": 1000 * r.seconds,
                "error": r.error,
            }
            for r in results
        ],
        "not_run": dict(skipped or {}),
        "pages_without_gold": list(missing),
    }
