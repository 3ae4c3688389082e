"""Stored-page tests: every page with an expected file under
tests/fixtures/expected/<site>/ must extract (parse, clean, classify) to exactly
that output, Devanagari compared after NFC."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import extract_page
from crawler.items import ArticleItem
from tests.helpers import EXPECTED_DIR, SITES_DIR, expected_files, load_expected, nfc


@pytest.mark.parametrize(
    "expected_path", expected_files(), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_page_extracts_to_expected(expected_path: Path) -> None:
    expected = load_expected(expected_path)
    page = (SITES_DIR / expected["page"]).read_bytes()
    result = extract_page(page, expected["url"])
    wanted = {name: expected[name] for name in ArticleItem.PUBLIC_FIELDS}
    assert nfc(result) == nfc(wanted)


def test_every_site_has_expected_pages() -> None:
    from crawler.sites import SITES

    covered = {path.parent.name for path in expected_files()}
    assert set(SITES) <= covered


@pytest.mark.parametrize(
    ("name", "version"), [("real-2020-02-14", "2020"), ("economy-core-sector-october", "2024")]
)
def test_redesigned_site_parses_old_and_new_captures(name: str, version: str) -> None:
    """Business Standard Hindi has two parser versions; each capture gets its own."""
    from crawler.sites import SITES

    expected = load_expected(EXPECTED_DIR / "businessstandardhindi" / f"{name}.json")
    page = (SITES_DIR / expected["page"]).read_bytes()
    item = SITES["businessstandardhindi"].parse(page, expected["url"])
    assert item.parser.endswith(f"/v{version}")
    assert item.title and item.body
