"""The gold pages of the extraction evaluation, and the stored pages they describe.

Gold data, one JSON file per page in ``tests/fixtures/gold/<site>/<name>.json``
(``<name>`` as in ``tests/fixtures/expected/<site>/``)::

    {"url": ..., "page": "<host>/<path> under tests/fixtures/sites",
     "provenance": "real" | "synthetic",
     "title": ..., "published": "2026-11-20", "authors": [...],
     "with": [segments of the article that must be extracted],
     "without": [page furniture that must not be]}

and, for the shared real captures in ``tests/fixtures/real-pages/``, one
``gold.json`` there: ``{file: {url, title, published (IST day or null), authors,
with, without, is_article}}`` (all real).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from crawler.parsing.registry import generic_site_name

PROVENANCES = ("real", "synthetic")


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


def read_page(sites_dir: Path, page: GoldPage) -> bytes:
    """The stored page, decompressed when stored gzipped (as the shared captures are)."""
    data = (page.file or sites_dir / page.page).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
