"""The command line: argument errors, extract's stable output, query without a match."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crawler import PROJECT_ROOT
from crawler.cli import main
from tests.helpers import SITES_DIR

JAGRAN_PAGE = SITES_DIR / (
    "www.jagran.com/uttar-pradesh/allahabad-city-aam-aadmi-party-workers-will-agitate-on-the"
    "-issue-of-electricity-in-prayagraj-21109565.html"
)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_wrong_argument_is_one_line_and_exit_2() -> None:
    result = run_cli("crawl", "--no-such-flag")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "--no-such-flag" in result.stderr


def test_unknown_site_is_refused() -> None:
    result = run_cli("query", "--site", "nosuchsite")
    assert result.returncode == 2
    assert "nosuchsite" in result.stderr


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("crawl", "query", "extract", "demo", "db"):
        assert command in result.stdout


def test_extract_prints_the_documented_keys_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(JAGRAN_PAGE)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == [
        "url",
        "site",
        "title",
        "description",
        "body",
        "authors",
        "agency",
        "published_at",
        "modified_at",
        "section",
        "tags",
        "images",
        "language",
        "category",
        "page_type",
        "extraction",
    ]
    assert result["site"] == "jagran"
    assert result["published_at"] == "2020-11-28T13:34:47+05:30"


def test_extract_of_a_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "/nonexistent/page.html"]) == 1
    assert "cannot read /nonexistent/page.html" in capsys.readouterr().err


def test_all_leaves_out_opt_in_sites_but_naming_one_crawls_it() -> None:
    from crawler.cli import build_parser, chosen_sites
    from crawler.parsing.registry import SITES

    every = chosen_sites(build_parser().parse_args(["crawl", "--all"]))
    assert "bbchindi" not in every and len(every) == len(SITES) - 1
    assert chosen_sites(build_parser().parse_args(["crawl", "bbchindi"])) == ["bbchindi"]
