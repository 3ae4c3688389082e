"""JavaScript pages: the generic spider renders them in real Chromium through
scrapy-playwright. On the fixture site www.example-hindi-js.in the story text
exists only after the page's script has fetched and inserted it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from crawler import PROJECT_ROOT
from crawler.devtools.localsites import FixtureSiteServer
from crawler.fetch.browser import find_chromium
from crawler.storage.config import connect
from tests.helpers import SITES_DIR, nfc

pytestmark = pytest.mark.browser

JS_ARTICLE = "https://www.example-hindi-js.in/news/delhi-jal-sankat-tanker-987654.html"
FIRST_PARAGRAPH = (
    "नई दिल्ली। राजधानी के कई इलाकों में पिछले एक सप्ताह से पानी की आपूर्ति बाधित है। "
    "संगम विहार, देवली और खानपुर के लोग पूरी तरह टैंकरों पर निर्भर हो गए हैं।"
)
LAST_PARAGRAPH = (
    "जल बोर्ड ने अगले तीन दिनों में स्थिति सामान्य होने का भरोसा दिलाया है और प्रभावित "
    "इलाकों में अतिरिक्त टैंकर भेजने के निर्देश दिए हैं।"
)


@pytest.fixture(scope="module")
def fixture_sites() -> Iterator[str]:
    with FixtureSiteServer(SITES_DIR) as server:
        yield server.url


def crawl_generic(
    local_url: str,
    mongo_uri: str,
    database: str,
    js: bool,
) -> subprocess.CompletedProcess[str]:
    args = ["-a", "site=https://www.example-hindi-js.in/", "-a", "since=2026-11-01"]
    if js:
        args += ["-a", "js=1"]
    env = {**os.environ, "MONGO_URI": mongo_uri, "MONGO_DATABASE": database}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "generic",
            *args,
            "-s",
            f"LOCAL_SITES_URL={local_url}",
            "-s",
            "LOG_LEVEL=INFO",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stored_article(mongo_uri: str, database: str) -> dict[str, Any] | None:
    with connect(mongo_uri) as client:
        doc = client[database].articles.find_one({"url": JS_ARTICLE})
        client.drop_database(database)
    return doc


def test_chromium_is_installed() -> None:
    assert find_chromium(), "no Chromium on PATH: `make setup` installs Debian's chromium"


def test_script_rendered_article_is_extracted_in_chromium(
    fixture_sites: str, mongo_server: str
) -> None:
    database = f"js_{uuid.uuid4().hex[:8]}"
    run = crawl_generic(fixture_sites, mongo_server, database, js=True)
    assert run.returncode == 0, run.stderr[-3000:]
    doc = stored_article(mongo_server, database)
    assert doc is not None, run.stderr[-3000:]
    paragraphs = nfc(doc["body"].split("\n\n"))
    assert paragraphs[0] == nfc(FIRST_PARAGRAPH)
    assert paragraphs[-1] == nfc(LAST_PARAGRAPH)
    assert len(paragraphs) == 4
    assert doc["site"] == "example-hindi-js.in"
    assert "playwright/request_count" in run.stderr  # it went through the browser


def test_without_rendering_the_empty_page_is_not_stored(
    fixture_sites: str, mongo_server: str
) -> None:
    database = f"nojs_{uuid.uuid4().hex[:8]}"
    run = crawl_generic(fixture_sites, mongo_server, database, js=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert stored_article(mongo_server, database) is None
    assert "Dropped: body_too_short" in run.stderr or "Dropped: missing_body" in run.stderr
