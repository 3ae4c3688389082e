"""Stored-page tests: every page with an expected file under
tests/fixtures/expected/<site>/ must extract (parse, clean, classify) to exactly
that output, Devanagari compared after NFC."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import extract_page
from crawler.items import ArticleItem
from tests.helpers import SITES_DIR, expected_files, load_expected, nfc


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
