"""One extractor's result on one page, judged against the page's gold.

A page whose gold says ``"is_article": false`` (a video page, a home page) is right
when the extractor says it is not an article (``page_type`` other than "article"; for
trafilatura and newspaper4k: no text) or fails on it; it does not count in the
title, date, author and body rows. An article page that an extractor calls a
non-article scores as if nothing had been extracted.

The body is scored as in trafilatura's evaluation (tests/comparison_small.py in
its repository): every "with" segment found in the extracted body is a true
positive, one missing a false negative; every "without" segment found is a false
positive, one absent a true negative. Precision = tp / (tp + fp), recall =
tp / (tp + fn), F1 = 2tp / (2tp + fp + fn). Counts are summed over the pages of
a set before the ratios are taken, as trafilatura does (crawler/devtools/evaluation/
report.py). Segments and bodies are compared after NFC, quote straightening and
whitespace collapsing. An extractor that returns nothing (or fails) scores every
"with" segment as missed and every "without" as absent.

Fields: the title must equal the gold title, the publication date (the day in
the page's own time zone) the gold date, and the set of authors the gold set
(case-insensitive); each counts as right or wrong per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crawler.devtools.evaluation.gold import GoldPage
from crawler.text.fold import straighten

ARTICLE = "article"


# How titles, segments and bodies are compared: NFC, typographic quotes made plain
# (the cleaning step straightens them on purpose, gold copied from a page keeps the
# page's own, as the team's real-page scorer folds them), whitespace runs as one space.
normalize = straighten


def ratio(numerator: int, denominator: int) -> float | None:
    """The share, or None when there is nothing to share (no pages, no segments)."""
    return numerator / denominator if denominator else None


@dataclass
class BodyCounts:
    tp: int = 0  # "with" segments found
    fn: int = 0  # "with" segments missing
    fp: int = 0  # "without" segments found
    tn: int = 0  # "without" segments absent

    def __add__(self, other: BodyCounts) -> BodyCounts:
        return BodyCounts(
            self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn
        )

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass
class BodyScore:
    counts: BodyCounts
    missed: list[str]  # "with" segments not found
    leaked: list[str]  # "without" segments found


def score_body(body: str | None, gold: GoldPage) -> BodyScore:
    """trafilatura's with/without scoring of one extracted body."""
    text = normalize(body or "")
    wanted = [normalize(s) for s in gold.with_segments]
    unwanted = [normalize(s) for s in gold.without_segments]
    missed = [s for s in wanted if not text or s not in text]
    leaked = [s for s in unwanted if text and s in text]
    counts = BodyCounts(
        tp=len(wanted) - len(missed),
        fn=len(missed),
        fp=len(leaked),
        tn=len(unwanted) - len(leaked),
    )
    return BodyScore(counts, missed, leaked)


def _author_key(names: Iterable[str]) -> set[str]:
    return {normalize(n).casefold() for n in names if normalize(n)}


# --- what an extractor found -----------------------------------------------------------


@dataclass
class Extraction:
    """What one extractor made of one page."""

    title: str = ""
    published: date | None = None
    authors: list[str] = field(default_factory=list)
    body: str = ""
    page_type: str = ARTICLE

    @classmethod
    def of(cls, result: dict[str, Any]) -> Extraction:
        """From the dict `extract` prints (`page_type` "article" where it has none)."""
        return cls(
            title=result["title"],
            published=as_date(result["published_at"]),
            authors=list(result["authors"]),
            body=result["body"],
            page_type=result.get("page_type") or ARTICLE,
        )

    @classmethod
    def of_text(cls, title: str, published: Any, authors: list[str], body: str) -> Extraction:
        """For extractors that have no page type: a page with no text is no article."""
        return cls(title, as_date(published), authors, body, ARTICLE if body.strip() else "none")


def as_date(value: Any) -> date | None:
    """The day of a datetime (in its own offset), a date, or an ISO string of either."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


# --- judging ---------------------------------------------------------------------------


@dataclass
class PageResult:
    page: GoldPage
    extractor: str
    body: BodyScore
    title_ok: bool
    date_ok: bool
    authors_ok: bool
    seconds: float
    error: str = ""
    got: Extraction = field(default_factory=Extraction)
    page_type_ok: bool = True  # article pages taken as articles, the others not


def judge(
    page: GoldPage, extractor: str, got: Extraction, seconds: float, failed: bool = False
) -> PageResult:
    said_article = got.page_type == ARTICLE and not failed
    if page.is_article and not said_article:
        got = Extraction(page_type=got.page_type)  # not stored: nothing of it counts
    return PageResult(
        page=page,
        extractor=extractor,
        body=score_body(got.body, page),
        title_ok=normalize(got.title) == normalize(page.title),
        date_ok=page.published is not None
        and as_date(got.published) == date.fromisoformat(page.published),
        authors_ok=_author_key(got.authors) == _author_key(page.authors),
        seconds=seconds,
        got=got,
        page_type_ok=said_article == page.is_article,
    )
