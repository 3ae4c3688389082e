"""tests/fixtures/PROVENANCE.json says what every fixture page is: a real capture
(source, capture date, licence, original URL) or a page the project wrote (and what it
imitates); expected and gold files say the same of their pages; and the selector table
says which of each site's selectors a real page backs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.devtools.localsites import fixture_path
from tests.helpers import EXPECTED_DIR, FIXTURES, SITES_DIR, expected_files, load_expected
from tests.regenerate_expected import covered, fixture_pages, load_provenance, selector_backing

GOLD_DIR = FIXTURES / "gold"


@pytest.fixture(scope="module")
def provenance() -> dict[str, Any]:
    return load_provenance()


def test_every_fixture_page_has_a_provenance_entry(provenance: dict[str, Any]) -> None:
    missing = [name for name in fixture_pages() if not covered(name, provenance)]
    assert missing == [], "add them: tests/regenerate_expected.py --files --write, then fill in"


def test_every_entry_names_an_existing_file(provenance: dict[str, Any]) -> None:
    gone = [name for name in provenance["files"] if not (FIXTURES / name).is_file()]
    gone += [name for name in provenance["groups"] if not (FIXTURES / name).is_dir()]
    assert gone == []


def test_every_entry_says_real_or_synthetic(provenance: dict[str, Any]) -> None:
    entries = {**provenance["files"], **provenance["groups"]}
    assert [n for n, e in entries.items() if e.get("kind") not in ("real", "synthetic")] == []


def test_the_check_notices_an_unlisted_page(tmp_path: Path, provenance: dict[str, Any]) -> None:
    (tmp_path / "sites" / "www.jagran.com").mkdir(parents=True)
    (tmp_path / "sites" / "www.jagran.com" / "new-page-12345678.html").write_text("<p>x</p>")
    (tmp_path / "sites" / "README.md").write_text("docs")
    pages = fixture_pages(tmp_path)
    assert pages == ["sites/www.jagran.com/new-page-12345678.html"]
    assert not covered(pages[0], provenance)


@pytest.mark.parametrize("kind", ["real", "synthetic"])
def test_entries_are_complete(provenance: dict[str, Any], kind: str) -> None:
    wanted = ("source", "captured", "licence", "url") if kind == "real" else ("imitates",)
    entries = {n: e for n, e in provenance["files"].items() if e["kind"] == kind}
    entries |= {n: e for n, e in provenance["groups"].items() if e["kind"] == kind}
    assert entries
    incomplete = [
        n for n, e in entries.items() if not all(str(e.get(k, "")).strip() for k in wanted)
    ]
    assert incomplete == []
    assert {e["kind"] for e in provenance["files"].values()} == {"real", "synthetic"}


def test_real_site_pages_sit_at_their_urls(provenance: dict[str, Any]) -> None:
    """A real page in a site tree is stored where the fixture server answers its URL."""
    real = {n: e for n, e in provenance["files"].items() if e["kind"] == "real"}
    in_trees = {n: e for n, e in real.items() if n.startswith("sites/")}
    assert len(in_trees) >= 6  # jagran, amarujala, 2 bhaskar, 2 business-standard
    for name, entry in in_trees.items():
        parts = urlsplit(entry["url"])
        found = fixture_path(SITES_DIR, parts.hostname or "", parts.path, parts.query)
        assert found == (FIXTURES / name).resolve(), name


def test_expected_files_say_what_they_are(provenance: dict[str, Any]) -> None:
    wrong = []
    for path in expected_files():
        expected = load_expected(path)
        kind = provenance["files"]["sites/" + expected["page"]]["kind"]
        # A page the project wrote can only be checked against the project's own output.
        snapshot = kind == "synthetic"
        if expected.get("provenance") != kind or expected.get("snapshot") is not snapshot:
            wrong.append(path.relative_to(EXPECTED_DIR).as_posix())
    assert wrong == []


def test_gold_files_say_what_their_pages_are(provenance: dict[str, Any]) -> None:
    wrong = [
        path.relative_to(GOLD_DIR).as_posix()
        for path in sorted(GOLD_DIR.glob("*/*.json"))
        if (gold := json.loads(path.read_text(encoding="utf-8"))).get("provenance")
        != provenance["files"]["sites/" + gold["page"]]["kind"]
    ]
    assert wrong == []


def test_selector_table_matches_the_parsers_and_real_pages(provenance: dict[str, Any]) -> None:
    assert provenance["sites"] == selector_backing(provenance), (
        "parsers or real pages changed: review `.venv/bin/python tests/regenerate_expected.py "
        "--selectors` and write it with --write"
    )


def test_sites_without_real_pages_have_no_backed_selectors(provenance: dict[str, Any]) -> None:
    for name, site in provenance["sites"].items():
        if not site["real_pages"]:
            assert all(not p["backed"] for p in site["parsers"].values()), name


def test_regeneration_rewrites_snapshots_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A changed snapshot is shown and, with --write, rewritten; a file written by
    reading a real page is shown and never touched."""
    from tests import regenerate_expected

    copies = {}
    for name in ("business-upi-record", "real-2020-11-28"):
        original = (EXPECTED_DIR / "jagran" / f"{name}.json").read_text(encoding="utf-8")
        edited = original.replace('"title": "', '"title": "EDITED ', 1)
        assert edited != original
        (tmp_path / "jagran").mkdir(exist_ok=True)
        (tmp_path / "jagran" / f"{name}.json").write_text(edited, encoding="utf-8")
        copies[name] = (original, edited)
    monkeypatch.setattr(regenerate_expected, "EXPECTED_DIR", tmp_path)
    monkeypatch.setattr(regenerate_expected, "FIXTURES", FIXTURES)
    assert regenerate_expected.main(["jagran", "--write"]) == 1  # the reference still differs
    out = capsys.readouterr().out
    assert out.count('-  "title": "EDITED ') == 2
    assert "real-2020-11-28.json: written by reading the page, left alone" in out
    snapshot = (tmp_path / "jagran" / "business-upi-record.json").read_text(encoding="utf-8")
    reference = (tmp_path / "jagran" / "real-2020-11-28.json").read_text(encoding="utf-8")
    assert snapshot == copies["business-upi-record"][0]
    assert reference == copies["real-2020-11-28"][1]
