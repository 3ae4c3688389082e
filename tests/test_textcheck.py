"""crawler.text.textcheck: text decoded with the wrong charset is named, real Hindi is not."""

from __future__ import annotations

import gzip
import json

import pytest

from crawler.text.textcheck import text_problem, text_shares
from tests.helpers import EXPECTED_DIR

# Real: the body of a captured Bhaskar article (tests/fixtures/PROVENANCE.json).
REAL_BODY = json.loads((EXPECTED_DIR / "bhaskar" / "real-2024-09-03.json").read_text("utf-8"))[
    "body"
]


def test_real_hindi_article_passes() -> None:
    assert text_problem(REAL_BODY) is None
    replaced, devanagari = text_shares(REAL_BODY)
    assert replaced == 0.0
    assert devanagari > 0.9


def test_hindi_with_english_names_passes() -> None:
    text = "प्रधानमंत्री ने आज ISRO के Chandrayaan मिशन की तारीफ की और वैज्ञानिकों को बधाई दी।"
    assert text_problem(text) is None


def test_gzipped_body_read_as_utf8_is_replacement_characters() -> None:
    # A body gzipped twice (it happens) and unpacked once.
    garbage = gzip.compress(REAL_BODY.encode("utf-8")).decode("utf-8", errors="replace")
    assert text_problem(garbage) == "replacement_characters"


def test_utf16_bytes_read_as_utf8_are_not_devanagari() -> None:
    # Devanagari in UTF-16 is two ASCII-range bytes per letter: no U+FFFD, no Devanagari.
    garbage = REAL_BODY.encode("utf-16-le").decode("utf-8", errors="replace")
    assert text_problem(garbage) == "not_devanagari"


def test_a_few_replacement_characters_are_tolerated() -> None:
    text = REAL_BODY[:500] + "\ufffd"
    assert text_problem(text) is None


def test_utf8_read_as_windows_1252_is_not_devanagari() -> None:
    mojibake = REAL_BODY.encode("utf-8").decode("cp1252", errors="ignore")
    assert text_problem(mojibake) == "not_devanagari"


def test_english_page_is_not_devanagari_unless_the_site_is_not_hindi() -> None:
    text = "The Reserve Bank of India kept the repo rate unchanged on Friday, citing inflation."
    assert text_problem(text) == "not_devanagari"
    assert text_problem(text, expect_devanagari=False) is None


@pytest.mark.parametrize("text", ["", "   ", "\ufffd\ufffd", "OK"])
def test_too_short_to_judge(text: str) -> None:
    assert text_problem(text) is None
