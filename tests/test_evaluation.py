"""The extraction evaluation: trafilatura's with/without scoring, field accuracy, the
gold files themselves, and the `evaluate` command."""

from __future__ import annotations

import gzip
import json
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import html

from crawler.cli import main
from crawler.devtools.evaluation.extractors import evaluate
from crawler.devtools.evaluation.gold import (
    GoldError,
    GoldPage,
    load_gold,
    load_real_pages,
    merge_gold,
    pages_without_gold,
    read_page,
)
from crawler.devtools.evaluation.report import (
    REAL_SET,
    SYNTHETIC_SET,
    format_tables,
    report_dict,
)
from crawler.devtools.evaluation.scoring import (
    BodyCounts,
    Extraction,
    judge,
    normalize,
    score_body,
)
from tests.helpers import FIXTURES, SITES_DIR, nfc

GOLD_DIR = FIXTURES / "gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*/*.json"))
# The shared real captures (with their gold.json), once they are copied into the tests.
REAL_PAGES_DIR = FIXTURES / "real-pages"

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
    provenance="synthetic",
)
VIDEO = GoldPage(
    **{
        **PAGE.__dict__,
        "name": "video",
        "is_article": False,
        "published": None,
        "with_segments": (),
    }
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


def test_typographic_quotes_compare_as_plain_ones() -> None:
    # The cleaning step straightens the page's ‘…’; the gold keeps the page's own.
    assert normalize("‘12वीं फेल’ के “किस्से”") == normalize("'12वीं फेल' के \"किस्से\"")
    assert normalize("12वीं फेल") != normalize("12वी फेल")  # Devanagari itself stays exact


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
        ("page_type", "video"),
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
    if field == "page_type":  # an article taken for a video is not stored: all of it lost
        assert not result.page_type_ok and all(wrong.values())
        return
    assert result.page_type_ok
    assert wrong == {name: name == field for name in wrong}


@pytest.mark.parametrize(
    ("page_type", "failed", "right"),
    [
        ("video", False, True),
        ("home", False, True),
        ("article", True, True),
        ("article", False, False),
    ],
)
def test_a_non_article_is_right_when_not_taken_for_an_article(
    page_type: str, failed: bool, right: bool
) -> None:
    got = Extraction(title=VIDEO.title, body="जापान की राजनीति", page_type=page_type)
    assert judge(VIDEO, "x", got, 0.01, failed=failed).page_type_ok is right


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
        "provenance": "real",
    }
    assert GoldPage.from_dict(good, "jagran", "x").authors == ()
    assert GoldPage.from_dict(good, "jagran", "x").real
    for broken in (
        {**good, "with": []},
        {**good, "published": "28 Nov 2020"},
        {**good, "published": None},  # only a non-article may go without a date
        {**good, "url": 3},
        {**good, "provenance": "copied"},
        {k: v for k, v in good.items() if k != "provenance"},
    ):
        with pytest.raises(GoldError):
            GoldPage.from_dict(broken, "jagran", "x")
    home = {**good, "is_article": False, "published": None, "with": [], "without": []}
    assert not GoldPage.from_dict(home, "navbharattimes", "home").is_article


def test_pages_without_gold_are_named(tmp_path: Path) -> None:
    (tmp_path / "expected" / "jagran").mkdir(parents=True)
    (tmp_path / "gold" / "jagran").mkdir(parents=True)
    for name in ("a", "b"):
        (tmp_path / "expected" / "jagran" / f"{name}.json").write_text("{}")
    (tmp_path / "gold" / "jagran" / "a.json").write_text("{}")
    assert pages_without_gold(tmp_path / "expected", tmp_path / "gold") == ["jagran/b"]


def _page_text(page: bytes) -> str:
    tree = html.fromstring(page)
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    return normalize(tree.text_content())


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_file_fits_its_page(gold_path: Path) -> None:
    gold = GoldPage.from_file(gold_path)
    assert (FIXTURES / "expected" / gold.site / gold_path.name).exists()
    assert 3 <= len(gold.with_segments) <= 6 and 3 <= len(gold.without_segments) <= 6
    text = _page_text(read_page(SITES_DIR, gold))
    missing = [s for s in (*gold.with_segments, *gold.without_segments) if normalize(s) not in text]
    assert missing == []
    assert nfc(gold.title) == gold.title  # written in NFC, as extraction compares


@pytest.mark.skipif(not (REAL_PAGES_DIR / "gold.json").exists(), reason="no real-pages/ yet")
def test_real_pages_gold_fits_its_pages() -> None:
    pages = load_real_pages(REAL_PAGES_DIR)
    assert pages and all(page.real for page in pages)
    for page in pages:
        text = _page_text(read_page(SITES_DIR, page))
        segments = (*page.with_segments, *page.without_segments)
        assert [s for s in segments if normalize(s) not in text] == [], page.key


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


def _gold_copy(tmp_path: Path, name: str, provenance: str = "synthetic") -> GoldPage:
    (tmp_path / "sites").mkdir(exist_ok=True)
    (tmp_path / "sites" / f"{name}.html").write_bytes(b"<html><body><p>x</p></body></html>")
    return GoldPage(
        **{**PAGE.__dict__, "name": name, "page": f"{name}.html", "provenance": provenance}
    )


def test_sets_keep_real_pages_apart_and_failures_score_as_nothing(tmp_path: Path) -> None:
    # The name says nothing: provenance decides which set a page is in.
    pages = [_gold_copy(tmp_path, "capture", "real"), _gold_copy(tmp_path, "real-upi-record")]
    extractors = [
        Fixed("good", "पहला वाक्य। दूसरा वाक्य। तीसरा वाक्य। चौथा वाक्य।"),
        Fixed("bad", "", True),
    ]
    report = report_dict(evaluate(pages, extractors, tmp_path / "sites"))
    assert list(report["sets"]) == [REAL_SET, SYNTHETIC_SET, "site jagran"]
    assert [report["sets"][name]["good"]["pages"] for name in report["sets"]] == [1, 1, 2]
    assert report["sets"][REAL_SET]["good"]["body_f1"] == 1.0
    bad = report["sets"]["site jagran"]["bad"]
    assert (bad["errors"], bad["body_recall"], bad["title_accuracy"]) == (2, 0.0, 0.0)
    real_rows = [row for row in report["pages"] if row["provenance"] == "real"]
    assert {row["page"] for row in real_rows} == {"jagran/capture"}


def test_non_articles_are_counted_apart_from_the_article_rows(tmp_path: Path) -> None:
    video = GoldPage(**{**_gold_copy(tmp_path, "video", "real").__dict__, "is_article": False})
    pages = [_gold_copy(tmp_path, "capture", "real"), video]
    report = report_dict(evaluate(pages, [Fixed("takes all", "पहला वाक्य।")], tmp_path / "sites"))
    real = report["sets"][REAL_SET]["takes all"]
    # The video page came out as an article: wrong; the article rows see one page only.
    assert (real["pages"], real["articles"], real["non_articles"]) == (2, 1, 1)
    assert real["non_articles_rejected"] == 0.0
    assert real["title_accuracy"] == 1.0
    assert (real["counts"]["tp"], real["counts"]["fn"]) == (1, 3)


def _real_pages_dir(tmp_path: Path) -> Path:
    """A real-pages directory in the shared layout: a gzipped page and a home page."""
    real = tmp_path / "real-pages"
    real.mkdir()
    article = "<html><body><h1>बिजली बिल पर आंदोलन</h1><p>पहला वाक्य। दूसरा वाक्य।</p></body></html>"
    (real / "jagran_2020-11-28.html.gz").write_bytes(gzip.compress(article.encode()))
    (real / "nbt_home.html").write_bytes(b"<html><body><a href='/a'>a</a></body></html>")
    gold = {
        "jagran_2020-11-28.html.gz": {
            **{k: v for k, v in PAGE.__dict__.items() if k in ("url", "title", "published")},
            "authors": [],
            "with": ["पहला वाक्य।"],
            "without": ["विज्ञापन"],
            "is_article": True,
        },
        "nbt_home.html": {
            "url": "https://navbharattimes.indiatimes.com/",
            "title": "Hindi News",
            "published": None,
            "authors": [],
            "with": [],
            "without": [],
            "is_article": False,
        },
    }
    (real / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return real


def test_real_pages_are_read_with_their_site_from_the_url(tmp_path: Path) -> None:
    pages = load_real_pages(_real_pages_dir(tmp_path))
    assert [(p.site, p.name, p.real, p.is_article) for p in pages] == [
        ("jagran", "jagran_2020-11-28", True, True),
        ("navbharattimes", "nbt_home", True, False),
    ]
    assert b"<h1>" in read_page(tmp_path / "unused", pages[0])  # gunzipped
    assert [p.site for p in load_real_pages(tmp_path / "real-pages", ["navbharattimes"])] == [
        "navbharattimes"
    ]
    assert load_real_pages(tmp_path / "absent") == []


def test_a_real_pages_gold_entry_without_its_page_is_refused(tmp_path: Path) -> None:
    real = _real_pages_dir(tmp_path)
    (real / "nbt_home.html").unlink()
    with pytest.raises(GoldError, match=r"nbt_home\.html: no such page"):
        load_real_pages(real)


def test_a_page_in_both_places_is_scored_once(tmp_path: Path) -> None:
    in_tree = _gold_copy(tmp_path, "real-2020-11-28", "real")
    shared = load_real_pages(_real_pages_dir(tmp_path))
    merged = merge_gold([in_tree], shared)
    assert [p.key for p in merged] == ["jagran/real-2020-11-28", "navbharattimes/nbt_home"]


def test_table_has_one_column_per_extractor_and_one_row_per_metric(tmp_path: Path) -> None:
    pages = [_gold_copy(tmp_path, "upi-record")]
    table = format_tables(
        evaluate(pages, [Fixed("alpha", ""), Fixed("beta", "")], tmp_path / "sites")
    )
    lines = table.splitlines()
    assert lines[0] == "synthetic pages (1 page)"
    assert lines[1].split() == ["alpha", "beta"]
    assert lines[11] == "site jagran (1 page: 0 real, 1 synthetic)"
    rows = [line.split("  ")[1].strip() for line in lines[2:10]]
    assert rows == [
        "title accuracy",
        "date accuracy",
        "authors accuracy",
        "non-articles out",
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


def test_command_prints_json_for_one_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only the site trees' pages: the shared captures have a test of their own.
    no_shared = ["--real-pages-dir", str(tmp_path)]
    status = main(["evaluate", "--site", "jagran", "--extractor", "site", "--json", *no_shared])
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    kinds = [
        json.loads(p.read_text("utf-8"))["provenance"] for p in (GOLD_DIR / "jagran").glob("*")
    ]
    assert kinds.count("real") >= 1 and kinds.count("synthetic") >= 1
    sets = report["sets"]
    assert list(sets) == [REAL_SET, SYNTHETIC_SET, "site jagran"]
    assert sets[REAL_SET]["project (site)"]["pages"] == kinds.count("real")
    assert sets[SYNTHETIC_SET]["project (site)"]["pages"] == kinds.count("synthetic")
    assert sets["site jagran"]["project (site)"]["pages"] == len(kinds)
    assert {row["extractor"] for row in report["pages"]} == {"project (site)"}


def test_command_headlines_the_shared_real_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = _real_pages_dir(tmp_path)
    args = ["evaluate", "--site", "navbharattimes", "--extractor", "site", "--real-pages-dir"]
    assert main([*args, str(real)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("real pages (")
    assert out.index("real pages (") < out.index("synthetic pages (") < out.index("site nav")
    assert "1 not an article" in out.split("\n", 1)[0]


def test_command_refuses_an_empty_gold_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = ["--gold-dir", str(tmp_path), "--real-pages-dir", str(tmp_path)]
    assert main(["evaluate", *empty]) == 1
    assert "no gold pages" in capsys.readouterr().err


def test_load_gold_reads_only_the_sites_asked_for() -> None:
    pages = load_gold(GOLD_DIR, ["bhaskar"])
    assert pages and {page.site for page in pages} == {"bhaskar"}


def test_extractors_without_a_page_type_refuse_a_page_by_finding_no_text() -> None:
    assert Extraction.of_text("Hindi News", None, [], " \n").page_type == "none"
    assert Extraction.of_text("x", "2020-10-09T10:54:52+05:30", [], "पाठ").page_type == "article"
    assert Extraction.of_text("x", "2020-10-09T10:54:52+05:30", [], "पाठ").published == date(
        2020, 10, 9
    )
