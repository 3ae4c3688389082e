"""Seed 000 as a page (tests/fixtures/pages/seed000.html): its content div holds
the article, the author box and a 'Recent Posts' widget, as WordPress themes
render it. Whatever the extraction path takes in, the stored body must keep
every article paragraph and none of that furniture."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import extract_page
from crawler.parsing.base import ArticleParser
from pipelines.clean import CleanPipeline
from tests.helpers import FIXTURES, nfc

PAGE = FIXTURES / "pages" / "seed000.html"
SEED = FIXTURES / "seeds" / "000_459aabef4b049da1.txt"
URL = "https://www.example-hindi-news.in/politics/akhilesh-yadav-meets-mamata-banerjee-in-kolkata-2024-strategy/"


def seed_parts(path: Path) -> tuple[list[str], list[str]]:
    """The seed's article paragraphs (title line excluded) and its furniture lines."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    byline = lines.index("Vivek Kumar Roy")
    return lines[1:byline], lines[byline:]


class WholeContentParser(ArticleParser):
    """Takes the theme's whole content div, furniture and all, as the body."""

    BODY_SELECTOR = ".entry-content"


@pytest.fixture(scope="module")
def parts() -> tuple[list[str], list[str]]:
    article, furniture = seed_parts(SEED)
    assert len(article) == 6 and furniture[1] == "Recent Posts"  # the seed as described
    return article, furniture


def test_raw_content_div_carries_the_furniture(parts) -> None:
    raw = WholeContentParser().parse(PAGE.read_bytes(), URL, "example").body
    assert "Recent Posts" in raw and "9 minutes ago" in raw and "Vivek Kumar Roy" in raw


def test_cleaned_content_div_is_exactly_the_article(parts) -> None:
    article, _ = parts
    item = WholeContentParser().parse(PAGE.read_bytes(), URL, "example")
    CleanPipeline(None, "NFC").process_item(item)
    assert nfc(item.body.split("\n\n")) == nfc(article)


def test_extract_command_body_is_exactly_the_article(parts) -> None:
    article, furniture = parts
    body = extract_page(PAGE.read_bytes(), None)["body"]
    assert nfc(body.split("\n\n")) == nfc(article)
    for line in furniture:
        assert nfc(line) not in nfc(body)
