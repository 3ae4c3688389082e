"""The extractors the evaluation compares, and running them over the gold pages:
the project as ``extract`` runs it (the site's parser), the project's generic path
on every page, trafilatura and newspaper4k out of the box.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from crawler.devtools.evaluation.gold import GoldPage, read_page
from crawler.devtools.evaluation.scoring import Extraction, PageResult, judge
from crawler.parsing.registry import generic_site_name

logger = logging.getLogger(__name__)


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
