"""Real captures of today's sites (tests/fixtures/real-pages, copied from
../shared/data/real-pages with their hand-written gold.json; see its README.md): each
article extracts to its gold (title, IST day, authors exact; every `with` segment in
the body and no `without` segment, compared as ../shared/tools/score_real_pages.py
compares them), and the video and home pages do not come out as articles."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from crawler.cli import extract_page
from crawler.parsing.base import EXTRACTION_PATHS
from tests.helpers import FIXTURES

REAL_PAGES = FIXTURES / "real-pages"
GOLD: dict[str, dict[str, Any]] = json.loads((REAL_PAGES / "gold.json").read_text("utf-8"))
IST = timezone(timedelta(hours=5, minutes=30))
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
ARTICLES = sorted(name for name, gold in GOLD.items() if gold.get("is_article", True))
NON_ARTICLES = sorted(name for name, gold in GOLD.items() if not gold.get("is_article", True))


def norm(text: str | None) -> str:
    """As score_real_pages.py: NFC, quotes unified, zero-width marks out, spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "").translate(_QUOTES)
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def extract(name: str) -> dict[str, Any]:
    data = (REAL_PAGES / name).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return extract_page(data, GOLD[name]["url"])


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict[str, Any]]:
    return {name: extract(name) for name in GOLD}


def ist_day(value: str | None) -> str | None:
    return datetime.fromisoformat(value).astimezone(IST).date().isoformat() if value else None


def test_every_gold_page_is_here() -> None:
    assert ARTICLES and NON_ARTICLES
    assert all((REAL_PAGES / name).is_file() for name in GOLD)


@pytest.mark.parametrize("name", ARTICLES)
def test_title_is_the_visible_headline(name: str, extracted: dict[str, dict[str, Any]]) -> None:
    assert norm(extracted[name]["title"]) == norm(GOLD[name]["title"])


@pytest.mark.parametrize("name", ARTICLES)
def test_published_day_in_ist(name: str, extracted: dict[str, dict[str, Any]]) -> None:
    assert ist_day(extracted[name]["published_at"]) == GOLD[name]["published"]


@pytest.mark.parametrize("name", ARTICLES)
def test_authors_are_the_bylined_people(name: str, extracted: dict[str, dict[str, Any]]) -> None:
    assert sorted(map(norm, extracted[name]["authors"])) == sorted(map(norm, GOLD[name]["authors"]))


@pytest.mark.parametrize("name", ARTICLES)
def test_body_has_the_story_and_not_the_furniture(
    name: str, extracted: dict[str, dict[str, Any]]
) -> None:
    body = norm(extracted[name]["body"])
    assert [w for w in GOLD[name]["with"] if norm(w) not in body] == []
    assert [w for w in GOLD[name]["without"] if norm(w) in body] == []


@pytest.mark.parametrize("name", ARTICLES)
def test_articles_are_articles_with_every_path_recorded(
    name: str, extracted: dict[str, dict[str, Any]]
) -> None:
    got = extracted[name]
    assert got["page_type"] == "article"
    assert set(got["extraction"]) == {"title", "body", "published_at", "authors"}
    assert set(got["extraction"].values()) <= EXTRACTION_PATHS


@pytest.mark.parametrize(
    ("name", "page_type"),
    [(n, "video" if "video" in n else "home") for n in NON_ARTICLES],
)
def test_video_and_home_pages_are_not_articles(
    name: str, page_type: str, extracted: dict[str, dict[str, Any]]
) -> None:
    assert extracted[name]["page_type"] == page_type


def test_a_registered_site_redesign_is_read_by_fallback_and_says_so(
    extracted: dict[str, dict[str, Any]],
) -> None:
    """Amar Ujala's 2025 markup and Zee's 2020 markup are not what their parsers'
    selectors were written for: the body comes from a fallback, and the item says so."""
    assert extracted["amarujala_2025-09-23.html.gz"]["extraction"]["body"] == "generic"
    assert extracted["zeenews_2020-10-09.html.gz"]["extraction"]["body"] == "generic"
