"""Real captures of today's sites (tests/fixtures/real-pages, copied from
../shared/data/real-pages with their hand-written gold.json; see its README.md): each
article extracts to its gold (title, IST day, authors exact; every `with` segment in
the body and no `without` segment, compared as ../shared/tools/score_real_pages.py
compares them), and the video and home pages do not come out as articles.

Below, the generic path (the parser of sites without one) on every real article with
gold, its JSON-LD and meta tags removed, as pages of unknown sites come."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from parsel import Selector

from crawler.devtools.evaluation.extractors import generic_extract
from crawler.devtools.evaluation.gold import load_gold, load_real_pages, read_page
from crawler.extract import extract_page
from crawler.parsing.base import EXTRACTION_PATHS
from crawler.parsing.pagedates import dateline_below_headline
from crawler.text.dates import date_from_page
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


# --- the generic path on real pages stripped of their structured data -------------------
#
# A site without a parser (a state government's news page, a small paper) often has no
# JSON-LD and no article:* / og:* meta tags: the generic path then has only the visible
# page. Each real article here (the shared captures above and the real captures in the
# site trees, with their hand-written gold in tests/fixtures/gold/<site>/real-*.json) is
# read with its JSON-LD and its meta tags removed at test time -- the markup is otherwise
# the real one -- and must still give the visible headline, the IST day and the story.
# Authors are not checked: without JSON-LD or a meta author, bylines are not read (yet).

_JSONLD = re.compile(rb"<script[^>]*application/ld\+json[^>]*>.*?</script>", re.S | re.I)
_META = re.compile(
    rb"<meta[^>]*(?:article:|itemprop|name=.author|og:|twitter:|name=.description)[^>]*>", re.I
)
_REAL_GOLD = [
    *load_real_pages(REAL_PAGES),
    *(page for page in load_gold(FIXTURES / "gold") if page.real),
]
REAL_ARTICLES = {page.key: page for page in _REAL_GOLD if page.is_article}
# An English weather table of the kind a government news page carries beside its story
# (synthetic: written here, put at the top of the real page's <body>).
_WEATHER = (
    '<div class="weather-widget"><table><tr><th>City</th><th>Temp</th><th>Forecast</th></tr>'
    + "".join(
        f"<tr><td>City {i}</td><td>{20 + i} C</td><td>Partly cloudy with a chance of light "
        f"rain in the evening hours, winds from the north-west at {5 + i} km/h.</td></tr>"
        for i in range(25)
    )
    + "</table></div>"
).encode()


def bare(page: bytes) -> bytes:
    return _META.sub(b"", _JSONLD.sub(b"", page))


def with_weather(page: bytes) -> bytes:
    return re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + _WEATHER, page, count=1)


def generic_of(key: str, change: Any) -> dict[str, Any]:
    page = REAL_ARTICLES[key]
    return generic_extract(change(read_page(FIXTURES / "sites", page)), page.url)


def test_the_stripped_pages_have_lost_their_structured_data() -> None:
    assert len(REAL_ARTICLES) >= 9
    for page in REAL_ARTICLES.values():
        html = bare(read_page(FIXTURES / "sites", page))
        assert b"application/ld+json" not in html and b"og:title" not in html
        assert b"article:published_time" not in html


@pytest.mark.parametrize("key", sorted(REAL_ARTICLES))
def test_generic_path_without_structured_data(key: str) -> None:
    gold, got = REAL_ARTICLES[key], generic_of(key, bare)
    assert got["page_type"] == "article"
    assert norm(got["title"]) == norm(gold.title)
    assert ist_day(got["published_at"]) == gold.published
    body = norm(got["body"])
    assert [w for w in gold.with_segments if norm(w) not in body] == []
    assert [w for w in gold.without_segments if norm(w) in body] == []


@pytest.mark.parametrize("key", sorted(REAL_ARTICLES))
def test_an_english_widget_never_wins_a_hindi_page(key: str) -> None:
    gold, got = REAL_ARTICLES[key], generic_of(key, lambda page: with_weather(bare(page)))
    body = norm(got["body"])
    assert "partly cloudy" not in body
    assert [w for w in gold.with_segments if norm(w) not in body] == []


def test_the_masthead_clock_is_not_the_publication_day() -> None:
    """Business Standard Hindi (real, 2020) shows the day it was read in its masthead
    ('Wednesday, September 30, 2020 02:45 PM', class txtDate), which htmldate takes;
    the byline under the headline says September 29, the day the story appeared."""
    page = REAL_ARTICLES["businessstandardhindi/real-2020-09-29"]
    html = bare(read_page(FIXTURES / "sites", page)).decode("utf-8")
    assert ist_day(date_from_page(html, page.url).isoformat()) == "2020-09-30"
    assert dateline_below_headline(Selector(text=html)).date().isoformat() == "2020-09-29"


def test_a_dateline_is_a_written_date_between_headline_and_story() -> None:
    """Synthetic markup: a relative stamp and a related story's linked date are passed
    over; a date after the story has begun is not the dateline."""
    page = (
        "<html><body><h1>शीर्षक</h1><span>4 दिन पहले</span>"
        '<a href="/other">12 मार्च 2021 की खबर</a><span>अपडेटेड: 21 नवंबर 2026, 10:15 AM</span>'
        "<p>" + "कहानी का पहला वाक्य है। " * 12 + "</p></body></html>"
    )
    assert dateline_below_headline(Selector(text=page)).date().isoformat() == "2026-11-21"
    late = page.replace("<span>अपडेटेड: 21 नवंबर 2026, 10:15 AM</span>", "")
    late = late.replace("</p>", "</p><span>21 नवंबर 2026</span>")
    assert dateline_below_headline(Selector(text=late)) is None
