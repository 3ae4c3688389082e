"""How well articles come out of stored pages: the evaluation behind
``python -m crawler evaluate``.

Gold data, one JSON file per page in ``tests/fixtures/gold/<site>/<name>.json``
(``<name>`` as in ``tests/fixtures/expected/<site>/``)::

    {"url": ..., "page": "<host>/<path> under tests/fixtures/sites",
     "provenance": "real" | "synthetic",
     "title": ..., "published": "2026-11-20", "authors": [...],
     "with": [segments of the article that must be extracted],
     "without": [page furniture that must not be]}

and, for the shared real captures in ``tests/fixtures/real-pages/``, one
``gold.json`` there: ``{file: {url, title, published (IST day or null), authors,
with, without, is_article}}`` (all real). Real pages are reported apart from the
synthetic ones (pages the project wrote, which only show that the code agrees with
itself), then every site's pages.

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
a set before the ratios are taken, as trafilatura does. Segments and bodies are
compared after NFC, quote straightening and whitespace collapsing. An extractor
that returns nothing (or fails) scores every "with" segment as missed and every
"without" as absent.

Fields: the title must equal the gold title, the publication date (the day in
the page's own time zone) the gold date, and the set of authors the gold set
(case-insensitive); each counts as right or wrong per page.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from crawler.parsing.judge import straighten
from crawler.parsing.registry import generic_site_name

logger = logging.getLogger(__name__)

REAL_SET = "real pages"
SYNTHETIC_SET = "synthetic pages"
PROVENANCES = ("real", "synthetic")
ARTICLE = "article"


# How titles, segments and bodies are compared: NFC, typographic quotes made plain
# (the cleaning step straightens them on purpose, gold copied from a page keeps the
# page's own, as the team's real-page scorer folds them), whitespace runs as one space.
normalize = straighten


# --- gold data -------------------------------------------------------------------------


class GoldError(ValueError):
    """A gold file that is not of the documented form."""


@dataclass(frozen=True)
class GoldPage:
    site: str
    name: str
    url: str
    page: str  # path below the fixture sites directory (or `file`'s name)
    title: str
    published: str | None  # ISO date, YYYY-MM-DD; None only for non-articles
    authors: tuple[str, ...]
    with_segments: tuple[str, ...]
    without_segments: tuple[str, ...]
    provenance: str = "synthetic"  # "real" (a capture) or "synthetic" (written by us)
    is_article: bool = True
    file: Path | None = None  # where the page is when not in the sites tree

    @property
    def real(self) -> bool:
        return self.provenance == "real"

    @property
    def key(self) -> str:
        return f"{self.site}/{self.name}"

    @classmethod
    def from_file(cls, path: Path) -> GoldPage:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GoldError(f"{path}: {exc}") from exc
        return cls.from_dict(data, site=path.parent.name, name=path.stem, where=str(path))

    @classmethod
    def from_dict(
        cls, data: Any, site: str, name: str, where: str = "", file: Path | None = None
    ) -> GoldPage:
        where = where or f"{site}/{name}"
        if not isinstance(data, dict):
            raise GoldError(f"{where}: not a JSON object")
        is_article = data.get("is_article", True)
        if not isinstance(is_article, bool):
            raise GoldError(f"{where}: 'is_article' must be true or false")
        required = ("url", "page", "title") + (("published",) if is_article else ())
        for key in required:
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise GoldError(f"{where}: {key!r} must be a non-empty string")
        if data.get("provenance") not in PROVENANCES:
            raise GoldError(f"{where}: 'provenance' must be 'real' or 'synthetic'")
        for key in ("authors", "with", "without"):
            value = data.get(key)
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise GoldError(f"{where}: {key!r} must be a list of non-empty strings")
        if is_article and (not data["with"] or not data["without"]):
            raise GoldError(f"{where}: 'with' and 'without' need at least one segment each")
        published = data.get("published") or None
        try:
            if published is not None:
                date.fromisoformat(published)
        except (TypeError, ValueError) as exc:
            raise GoldError(f"{where}: 'published' is not an ISO date: {exc}") from exc
        return cls(
            site=site,
            name=name,
            url=data["url"],
            page=data["page"],
            title=data["title"],
            published=published,
            authors=tuple(data["authors"]),
            with_segments=tuple(data["with"]),
            without_segments=tuple(data["without"]),
            provenance=data["provenance"],
            is_article=is_article,
            file=file,
        )


def load_gold(gold_dir: Path, sites: Iterable[str] = ()) -> list[GoldPage]:
    """Every gold page under ``gold_dir`` (``<site>/<name>.json``), optionally of some sites."""
    wanted = set(sites)
    return [
        GoldPage.from_file(path)
        for path in sorted(gold_dir.glob("*/*.json"))
        if not wanted or path.parent.name in wanted
    ]


REAL_PAGES_GOLD = "gold.json"


def load_real_pages(real_dir: Path, sites: Iterable[str] = ()) -> list[GoldPage]:
    """The captured pages in ``real_dir`` with their gold (``real_dir/gold.json``: file ->
    url, title, published, authors, with, without, is_article), optionally of some
    sites; none when the directory or its gold file is absent. A page's site is the
    registered site of its URL, else its host (as for unregistered sites)."""
    from crawler.parsing.registry import site_for_url

    gold_path = real_dir / REAL_PAGES_GOLD
    if not gold_path.is_file():
        return []
    try:
        entries = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{gold_path}: {exc}") from exc
    if not isinstance(entries, dict):
        raise GoldError(f"{gold_path}: not a JSON object of file -> gold")
    wanted = set(sites)
    pages = []
    for file, data in sorted(entries.items()):
        where = f"{gold_path}: {file}"
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            raise GoldError(f"{where}: needs a 'url'")
        if not (real_dir / file).is_file():
            raise GoldError(f"{where}: no such page in {real_dir}")
        registered = site_for_url(data["url"])
        site = registered.name if registered else generic_site_name(data["url"])
        if wanted and site not in wanted:
            continue
        name = file.removesuffix(".gz").removesuffix(".html")
        entry = {**data, "page": file, "provenance": "real"}
        pages.append(GoldPage.from_dict(entry, site, name, where, file=real_dir / file))
    return pages


def merge_gold(*groups: Sequence[GoldPage]) -> list[GoldPage]:
    """All pages, each URL once (the first group's copy wins: a capture that is both in
    a site tree and among the shared real pages is scored once)."""
    seen: set[str] = set()
    merged = []
    for page in (p for group in groups for p in group):
        if page.url not in seen:
            seen.add(page.url)
            merged.append(page)
    return merged


def pages_without_gold(expected_dir: Path, gold_dir: Path) -> list[str]:
    """``site/name`` of the stored-page tests that have no gold file yet."""
    return [
        f"{path.parent.name}/{path.stem}"
        for path in sorted(expected_dir.glob("*/*.json"))
        if not (gold_dir / path.parent.name / path.name).exists()
    ]


# --- scoring ---------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
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
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


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


# --- extractors ------------------------------------------------------------------------


@dataclass
class Extraction:
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
            published=_as_date(result["published_at"]),
            authors=list(result["authors"]),
            body=result["body"],
            page_type=result.get("page_type") or ARTICLE,
        )

    @classmethod
    def of_text(cls, title: str, published: Any, authors: list[str], body: str) -> Extraction:
        """For extractors that have no page type: a page with no text is no article."""
        return cls(title, _as_date(published), authors, body, ARTICLE if body.strip() else "none")


def _as_date(value: Any) -> date | None:
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


class Extractor(Protocol):
    name: str

    def extract(self, page: bytes, url: str) -> Extraction: ...


class SiteExtractor:
    """The project as `extract` runs it: the site's parser, cleaning and classification."""

    name = "project (site)"

    def extract(self, page: bytes, url: str) -> Extraction:
        from crawler.extract import extract_page

        return Extraction.of(extract_page(page, url))


def generic_extract(page: bytes | str, url: str) -> dict[str, Any]:
    """What the project makes of a page of a site it has no parser for: the generic
    parser and the cleaning step (as ``extract`` runs it), whatever the URL's site."""
    from crawler.parsing.generic import GenericParser
    from pipelines.clean import CleanPipeline

    item = GenericParser().parse(page, url, generic_site_name(url))
    CleanPipeline(None, "NFC").process_item(item)
    return item.public_dict()


class GenericExtractor:
    """The project's generic path on every page, as if its site had no parser."""

    name = "project (generic)"

    def extract(self, page: bytes, url: str) -> Extraction:
        return Extraction.of(generic_extract(page, url))


class TrafilaturaExtractor:
    """trafilatura out of the box (its defaults, comments left out), with its metadata."""

    name = "trafilatura"

    def extract(self, page: bytes, url: str) -> Extraction:
        import trafilatura

        doc = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False)
        if doc is None:
            return Extraction(page_type="none")
        authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
        return Extraction.of_text(doc.title or "", doc.date, authors, doc.text or "")


class Newspaper4kExtractor:
    """newspaper4k on the stored HTML (no download), language from the page."""

    name = "newspaper4k"

    def extract(self, page: bytes, url: str) -> Extraction:
        with warnings.catch_warnings():
            # newspaper warns at import when nltk (its optional NLP extra) is absent.
            warnings.simplefilter("ignore")
            from newspaper import Article

            article = Article(url, fetch_images=False)
            article.download(input_html=page.decode("utf-8", errors="replace"))
            article.parse()
        return Extraction.of_text(
            article.title or "",
            article.publish_date,
            list(article.authors or []),
            article.text or "",
        )


def newspaper4k_problem() -> str:
    """Why newspaper4k cannot run on Hindi pages here, or '' when it can."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import newspaper  # noqa: F401
    except ImportError:
        return "newspaper4k is not installed"
    try:
        # Its Hindi stop-words tokenizer comes from indic-nlp-library (newspaper4k[hi]).
        import indicnlp  # noqa: F401
    except ImportError:
        return "newspaper4k needs indic-nlp-library for Hindi pages (pip install newspaper4k[hi])"
    return ""


# Short names (for --extractor) of the extractors, in the order of the table's columns.
EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "site": SiteExtractor,
    "generic": GenericExtractor,
    "trafilatura": TrafilaturaExtractor,
    "newspaper4k": Newspaper4kExtractor,
}


def available_extractors(names: Sequence[str] = ()) -> tuple[list[Extractor], dict[str, str]]:
    """The extractors to run (all, or those named by short name) and, by column name,
    the ones left out with why."""
    chosen = [n for n in EXTRACTORS if n in names] if names else list(EXTRACTORS)
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown:
        raise ValueError(f"unknown extractor {', '.join(unknown)} (known: {', '.join(EXTRACTORS)})")
    skipped: dict[str, str] = {}
    extractors: list[Extractor] = []
    for name in chosen:
        problem = newspaper4k_problem() if name == "newspaper4k" else ""
        if problem:
            skipped[Newspaper4kExtractor.name] = problem
        else:
            extractors.append(EXTRACTORS[name]())
    return extractors, skipped


# --- running ---------------------------------------------------------------------------


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
        and _as_date(got.published) == date.fromisoformat(page.published),
        authors_ok=_author_key(got.authors) == _author_key(page.authors),
        seconds=seconds,
        got=got,
        page_type_ok=said_article == page.is_article,
    )


def read_page(sites_dir: Path, page: GoldPage) -> bytes:
    """The stored page, decompressed when stored gzipped (as the shared captures are)."""
    data = (page.file or sites_dir / page.page).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def run_page(extractor: Extractor, page: GoldPage, html: bytes) -> PageResult:
    start = time.perf_counter()
    try:
        got = extractor.extract(html, page.url)
        error = ""
    except Exception as exc:  # an extractor that fails scores as one that found nothing
        logger.warning("%s failed on %s: %s", extractor.name, page.key, exc)
        got, error = Extraction(page_type="failed"), f"{type(exc).__name__}: {exc}"
    result = judge(page, extractor.name, got, time.perf_counter() - start, failed=bool(error))
    result.error = error
    return result


def evaluate(
    pages: Sequence[GoldPage], extractors: Sequence[Extractor], sites_dir: Path
) -> list[PageResult]:
    """Every extractor on every page. Each extractor runs once on the first page
    before timing starts, so one-off imports and caches are not counted."""
    htmls = {page.key: read_page(sites_dir, page) for page in pages}
    results: list[PageResult] = []
    for extractor in extractors:
        if pages:
            run_page(extractor, pages[0], htmls[pages[0].key])  # warm-up
        results.extend(run_page(extractor, page, htmls[page.key]) for page in pages)
    return results


# --- reporting -------------------------------------------------------------------------


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
            "title_accuracy": _ratio(self.titles, self.articles),
            "date_accuracy": _ratio(self.dates, self.articles),
            "authors_accuracy": _ratio(self.authors, self.articles),
            "non_articles_rejected": _ratio(self.non_articles_rejected, self.non_articles),
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
