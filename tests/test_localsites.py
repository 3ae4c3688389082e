"""The offline fixture sites: file mapping and the local HTTP server."""

import asyncio
from pathlib import Path
from urllib.request import urlopen

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.devtools.localsites import FixtureSiteServer, LocalSitesDownloadHandler, fixture_path


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


class _LatencyRecordingHandler:
    """Stands in for Scrapy's HTTP handler, which writes download_latency on its request."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    async def download_request(self, request: Request) -> Response:
        self.urls.append(request.url)
        request.meta["download_latency"] = 0.25
        return Response(request.url, body=b"<html></html>")


def test_rerouted_request_hands_its_latency_back_for_autothrottle() -> None:
    inner = _LatencyRecordingHandler()
    handler = LocalSitesDownloadHandler(
        get_crawler(), inner, "http://127.0.0.1:9", frozenset({"www.example.com"})
    )
    request = Request("https://www.example.com/news/story-123?page=2")

    response = asyncio.run(handler.download_request(request))

    assert inner.urls == ["http://127.0.0.1:9/www.example.com/news/story-123?page=2"]
    assert response.url == request.url
    assert request.meta["download_latency"] == 0.25
