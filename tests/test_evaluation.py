"""The extraction evaluation: trafilatura's with/without scoring, field accuracy, the
gold files themselves, and the `evaluate` command."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import html

from crawler.cli import main
from crawler.evaluation import (
    ALL_SET,
    REAL_SET,
    BodyCounts,
    Extraction,
    GoldError,
    GoldPage,
    evaluate,
    format_tables,
    judge,
    load_gold,
    normalize,
    pages_without_gold,
    report_dict,
    score_body,
)
from tests.helpers import FIXTURES, SITES_DIR, nfc

GOLD_DIR = FIXTURES / "gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*/*.json"))

PAGE = GoldPage(
    site="jagran",
    name="example",
    url="https://www.jagran.com/example-1.html",
    page="www.jagran.com/example-1.html",
    title="बिजली बिल पर आंदोलन",
    published="2020-11-28",
    authors=("Brijesh Srivastava",),
    with_segments=("पहला वाक्य।", "दूसरा वाक्य।", "तीसरा वाक्य।", "चौथा वाक्य।"),
    without_segments=("ये भी पढ़ें", "विज्ञापन", "Copyright ©2020"),
)


# --- body scoring ------------------------------------------------------------------------------


def test_body_counts_follow_trafilaturas_definition() -> None:
    # Three of four "with" segments found, one "without" segment leaked.
    body = "पहला वाक्य। दूसरा वाक्य।\n\nतीसरा वाक्य। विज्ञापन"
    counts = score_body(body, PAGE).counts
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (3, 1, 1, 2)
    assert counts.precision == pytest.approx(3 / 4)
    assert counts.recall == pytest.approx(3 / 4)
    assert counts.f1 == pytest.approx(6 / 8)


def test_segments_match_after_nfc_and_whitespace_collapsing() -> None:
    # "ये भी पढ़ें" with a decomposed nukta letter and a line break inside.
    decomposed = unicodedata.normalize("NFD", "ये भी\n  पढ़ें")
    assert decomposed != "ये भी पढ़ें"
    assert score_body(decomposed, PAGE).leaked == ["ये भी पढ़ें"]


def test_nothing_extracted_misses_every_with_and_leaks_no_without() -> None:
    score = score_body(None, PAGE)
    counts = score.counts
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (0, 4, 0, 3)
    assert counts.f1 == 0.0
    assert counts.precision is None  # nothing extracted: no precision to speak of


def test_counts_add_up_before_ratios_are_taken() -> None:
    total = BodyCounts(tp=4, fn=0, fp=0, tn=3) + BodyCounts(tp=0, fn=4, fp=1, tn=2)
    assert (total.tp, total.fn, total.fp, total.tn) == (4, 4, 1, 5)
    assert total.precision == pytest.approx(4 / 5)
    assert total.recall == pytest.approx(4 / 8)


# --- field accuracy --------------------------------------------------------------------------


def test_fields_are_right_when_title_day_and_authors_match() -> None:
    got = Extraction(
        title=" बिजली  बिल पर\nआंदोलन ",
        # 01:00 in India is still the day before in UTC: the page's own day counts.
        published=datetime(2020, 11, 28, 1, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        authors=["brijesh srivastava"],
    )
    result = judge(PAGE, "x", got, 0.01)
    assert (result.title_ok, result.date_ok, result.authors_ok) == (True, True, True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "बिजली बिल पर आंदोलन - Jagran"),
        ("published", date(2020, 11, 27)),
        ("authors", ["Brijesh Srivastava", "Jagran"]),
    ],
)
def test_a_different_field_is_wrong(field: str, value: object) -> None:
    fields = {
        "title": PAGE.title,
        "published": date(2020, 11, 28),
        "authors": ["Brijesh Srivastava"],
    }
    got = Extraction(**{**fields, field: value})  # type: ignore[arg-type]
    result = judge(PAGE, "x", got, 0.01)
    wrong = {
        "title": not result.title_ok,
        "published": not result.date_ok,
        "authors": not result.authors_ok,
    }
    assert wrong == {name: name == field for name in wrong}


# --- gold files ---------------------------------------------------------------------------------


def test_gold_form_is_checked() -> None:
    good = {
        "url": PAGE.url,
        "page": PAGE.page,
        "title": PAGE.title,
        "published": "2020-11-28",
        "authors": [],
        "with": ["a"],
        "without": ["b"],
    }
    assert GoldPage.from_dict(good, "jagran", "x").authors == ()
    for broken in ({**good, "with": []}, {**good, "published": "28 Nov 2020"}, {**good, "url": 3}):
        with pytest.raises(GoldError):
            GoldPage.from_dict(broken, "jagran", "x")


def test_pages_without_gold_are_named(tmp_path: Path) -> None:
    (tmp_path / "expected" / "jagran").mkdir(parents=True)
    (tmp_path / "gold" / "jagran").mkdir(parents=True)
    for name in ("a", "b"):
        (tmp_path / "expected" / "jagran" / f"{name}.json").write_text("{}")
    (tmp_path / "gold" / "jagran" / "a.json").write_text("{}")
    assert pages_without_gold(tmp_path / "expected", tmp_path / "gold") == ["jagran/b"]


def _page_text(path: Path) -> str:
    tree = html.fromstring(path.read_bytes())
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    return normalize(tree.text_content())


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_file_fits_its_page(gold_path: Path) -> None:
    gold = GoldPage.from_file(gold_path)
    assert (FIXTURES / "expected" / gold.site / gold_path.name).exists()
    assert 3 <= len(gold.with_segments) <= 6 and 3 <= len(gold.without_segments) <= 6
    text = _page_text(SITES_DIR / gold.page)
    missing = [s for s in (*gold.with_segments, *gold.without_segments) if normalize(s) not in text]
    assert missing == []
    assert nfc(gold.title) == gold.title  # written in NFC, as extraction compares


# --- running and reporting -------------------------------------------------------------------


class Fixed:
    """An extractor that returns the same extraction for every page."""

    def __init__(self, name: str, body: str, fail: bool = False) -> None:
        self.name = name
        self.body = body
        self.fail = fail

    def extract(self, page: bytes, url: str) -> Extraction:
        if self.fail:
            raise ValueError("broken page")
        return Extraction(title="बिजली बिल पर आंदोलन", body=self.body)


def _gold_copy(tmp_path: Path, name: str) -> GoldPage:
    (tmp_path / "sites").mkdir(exist_ok=True)
    (tmp_path / "sites" / f"{name}.html").write_bytes(b"<html><body><p>x</p></body></html>")
    return GoldPage(**{**PAGE.__dict__, "name": name, "page": f"{name}.html"})


def test_sets_keep_real_pages_apart_and_failures_score_as_nothing(tmp_path: Path) -> None:
    pages = [_gold_copy(tmp_path, "real-2020-11-28"), _gold_copy(tmp_path, "upi-record")]
    extractors = [
        Fixed("good", "पहला वाक्य। दूसरा वाक्य। तीसरा वाक्य। चौथा वाक्य।"),
        Fixed("bad", "", True),
    ]
    report = report_dict(evaluate(pages, extractors, tmp_path / "sites"))
    assert list(report["sets"]) == [REAL_SET, "site jagran", ALL_SET]
    assert report["sets"][ALL_SET]["good"]["body_f1"] == 1.0
    assert report["sets"][ALL_SET]["good"]["pages"] == 2
    bad = report["sets"][ALL_SET]["bad"]
    assert (bad["errors"], bad["body_recall"], bad["title_accuracy"]) == (2, 0.0, 0.0)


def test_table_has_one_column_per_extractor_and_one_row_per_metric(tmp_path: Path) -> None:
    pages = [_gold_copy(tmp_path, "upi-record")]
    table = format_tables(
        evaluate(pages, [Fixed("alpha", ""), Fixed("beta", "")], tmp_path / "sites")
    )
    lines = table.splitlines()
    assert lines[0] == "site jagran (1 page)"
    assert lines[1].split() == ["alpha", "beta"]
    rows = [line.split("  ")[1].strip() for line in lines[2:9]]
    assert rows == [
        "title accuracy",
        "date accuracy",
        "authors accuracy",
        "body precision",
        "body recall",
        "body F1",
        "ms/page",
    ]


def test_help_documents_the_body_scores(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2*tp/(2*tp+fp+fn)" in text
    assert "NFC" in text


def test_command_prints_json_for_one_site(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["evaluate", "--site", "jagran", "--extractor", "site", "--json"])
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    real = len(list((GOLD_DIR / "jagran").glob("real-*.json")))
    reproduced = len(list((GOLD_DIR / "jagran").glob("*.json"))) - real
    assert report["sets"][REAL_SET]["project (site)"]["pages"] == real
    assert report["sets"]["site jagran"]["project (site)"]["pages"] == reproduced
    assert {row["extractor"] for row in report["pages"]} == {"project (site)"}


def test_command_refuses_an_empty_gold_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--gold-dir", str(tmp_path)]) == 1
    assert "no gold pages" in capsys.readouterr().err


def test_load_gold_reads_only_the_sites_asked_for() -> None:
    pages = load_gold(GOLD_DIR, ["bhaskar"])
    assert pages and {page.site for page in pages} == {"bhaskar"}
