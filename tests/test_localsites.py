"""The offline fixture sites: file mapping and the local HTTP server."""

from pathlib import Path
from urllib.request import urlopen

import pytest

from crawler.localsites import FixtureSiteServer, fixture_path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    site = tmp_path / "www.example.com"
    (site / "news").mkdir(parents=True)
    (site / "news" / "index.html").write_text("<html>listing</html>", encoding="utf-8")
    (site / "news" / "story-123").write_text("<html>कहानी</html>", encoding="utf-8")
    (site / "storypage.php?autono=5").write_text("<html>five</html>", encoding="utf-8")
    (site / "sitemap.xml").write_text('<?xml version="1.0"?><urlset/>', encoding="utf-8")
    return tmp_path


def test_paths_queries_and_directories_map_to_files(tree: Path) -> None:
    site = tree / "www.example.com"
    assert fixture_path(tree, "www.example.com", "/news/story-123") == site / "news" / "story-123"
    assert fixture_path(tree, "www.example.com", "/news/") == site / "news" / "index.html"
    assert fixture_path(tree, "www.example.com", "/storypage.php", "autono=5") == (
        site / "storypage.php?autono=5"
    )
    assert fixture_path(tree, "www.example.com", "/missing") is None


def test_paths_cannot_escape_the_tree(tree: Path) -> None:
    (tree.parent / "secret.txt").write_text("no", encoding="utf-8")
    assert fixture_path(tree, "www.example.com", "/../../secret.txt") is None


def test_server_serves_files_with_sniffed_types(tree: Path) -> None:
    with FixtureSiteServer(tree) as server:
        with urlopen(f"{server.url}/www.example.com/news/story-123") as response:
            assert response.read().decode("utf-8") == "<html>कहानी</html>"
            assert response.headers["Content-Type"].startswith("text/html")
        with urlopen(f"{server.url}/www.example.com/sitemap.xml") as response:
            assert response.headers["Content-Type"].startswith("application/xml")
