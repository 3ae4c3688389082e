"""Live smoke check per site (`pytest -m live`): fetches the site's robots.txt,
follows its sitemaps to one article and parses it with the site's parser, so
users see which parsers a redesign broke. Skipped where the site is unreachable
(as on machines without internet)."""

from __future__ import annotations

import socket
import urllib.request
from urllib.parse import urlsplit

import pytest
from lxml import etree

from crawler.settings import USER_AGENT
from crawler.sites import SITES, Site

pytestmark = pytest.mark.live


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.read()


def reachable(host: str) -> bool:
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError:
        return False
    return True


def first_article_url(site: Site, sitemap_url: str, depth: int = 0) -> str | None:
    root = etree.fromstring(fetch(sitemap_url), parser=etree.XMLParser(recover=True))
    locs = [el.text.strip() for el in root.iter("{*}loc") if el.text]
    if etree.QName(root).localname == "sitemapindex":
        for loc in locs[:3] if depth < 2 else []:
            found = first_article_url(site, loc, depth + 1)
            if found:
                return found
        return None
    return next((loc for loc in locs if site.is_article_url(loc)), None)


@pytest.mark.parametrize("name", sorted(SITES))
def test_site_parser_still_reads_a_live_article(name: str) -> None:
    site = SITES[name]
    start = site.sitemaps[0]
    if not reachable(urlsplit(start).hostname or ""):
        pytest.skip(f"{name}: no network route to the site")
    sitemaps = [start]
    if start.endswith("/robots.txt"):
        sitemaps = [
            line.split(":", 1)[1].strip()
            for line in fetch(start).decode("utf-8", "replace").splitlines()
            if line.lower().startswith("sitemap:")
        ]
    url = next((u for s in sitemaps[:6] if (u := first_article_url(site, s))), None)
    assert url, f"{name}: no article URL found through {start}"
    item = site.parse(fetch(url), url)
    assert item.title, f"{name}: no title from {url}"
    assert len(item.body) > 200, f"{name}: body too short from {url}"
    assert item.published_at is not None, f"{name}: no date from {url}"
