"""`python -m crawler capture`: a site's discovery files and a few articles saved in the
fixture layout with CAPTURE.json, tried on the local fixture sites (real HTTP over
127.0.0.1, the real spider): what it saves must be byte for byte what was served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.devtools.capture import MANIFEST, _make_room, capture_path
from crawler.devtools.localsites import fixture_path
from tests.helpers import SITES_DIR

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One capture of ndtvindia (two hosts, a sitemap whose URL has a query string, a
    listing directory) from the fixture sites, two articles at most."""
    out = tmp_path_factory.mktemp("capture")
    env = {k: v for k, v in os.environ.items() if k != "LOCAL_SITES_URL"}
    args = ["--articles", "2", "--out", str(out), "--local-sites", "--since", "2020-01-01"]
    run = subprocess.run(
        [sys.executable, "-m", "crawler", "capture", "ndtvindia", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "capture: " in run.stdout
    return out, json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def test_captured_files_are_the_served_files_byte_for_byte(
    captured: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = captured
    assert manifest["files"]
    for entry in manifest["files"]:
        assert (out / entry["file"]).read_bytes() == (SITES_DIR / entry["file"]).read_bytes()


def test_manifest_lists_every_file_with_url_status_and_utc_time(
    captured: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = captured
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk - {MANIFEST} == {e["file"] for e in manifest["files"]}
    for entry in manifest["files"]:
        parts = urlsplit(entry["url"])
        # The file is where the fixture server looks for that URL.
        served = fixture_path(out, parts.hostname or "", parts.path, parts.query)
        assert served == (out / entry["file"]).resolve()
        assert entry["status"] == 200
        assert datetime.fromisoformat(entry["captured_at"]).utcoffset() == UTC.utcoffset(None)


def test_discovery_files_and_at_most_n_articles_are_captured(
    captured: tuple[Path, dict[str, Any]],
) -> None:
    _, manifest = captured
    by_kind: dict[str, list[str]] = {}
    for entry in manifest["files"]:
        by_kind.setdefault(entry["kind"], []).append(entry["file"])
    assert "ndtv.in/robots.txt" in by_kind["robots"]
    assert "feeds.feedburner.com/ndtvkhabar-latest" in by_kind["feed"]
    assert (
        "ndtv.in/sitemap.xml?yyyy=2026&mm=11&sitename=ndtv-khabar&category=" in by_kind["sitemap"]
    )
    assert 1 <= len(by_kind["article"]) <= 2
    assert manifest["site"] == "ndtvindia"


def test_capture_paths_follow_the_fixture_layout() -> None:
    for url, file in [
        ("https://www.aajtak.in/rssfeeds/?id=home", "www.aajtak.in/rssfeeds?id=home/index.html"),
        ("https://www.jansatta.com/feed/", "www.jansatta.com/feed/index.html"),
        (
            "https://www.jansatta.com/sitemap.xml?yyyy=2026&mm=11&dd=19",
            "www.jansatta.com/sitemap.xml?yyyy=2026&mm=11&dd=19",
        ),
        ("https://hindi.business-standard.com//storypage.php?autono=166607", None),
    ]:
        parts = urlsplit(url)
        served = fixture_path(SITES_DIR, parts.hostname or "", parts.path, parts.query)
        assert capture_path(SITES_DIR, url) == served
        if file:
            assert served == (SITES_DIR / file).resolve()


def test_a_url_cannot_write_outside_the_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="leaves the capture directory"):
        capture_path(tmp_path, "https://example.com/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd")


def test_a_page_that_turns_out_to_be_a_directory_becomes_its_index(tmp_path: Path) -> None:
    first = _make_room(tmp_path, capture_path(tmp_path, "https://example.com/india-news"))
    first.write_bytes(b"listing")
    second = _make_room(tmp_path, capture_path(tmp_path, "https://example.com/india-news/a-1"))
    second.write_bytes(b"article")
    assert (tmp_path / "example.com/india-news/index.html").read_bytes() == b"listing"
    assert (tmp_path / "example.com/india-news/a-1").read_bytes() == b"article"
    again = _make_room(tmp_path, capture_path(tmp_path, "https://example.com/india-news"))
    assert again == tmp_path / "example.com/india-news/index.html"


def test_an_unknown_site_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from crawler.cli import main

    assert main(["capture", "nosuchsite", "--out", str(tmp_path)]) == 2
    assert "unknown site nosuchsite" in capsys.readouterr().err
