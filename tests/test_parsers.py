"""Stored-page tests: every page with an expected file under
tests/fixtures/expected/<site>/ must extract (parse, clean, classify) to exactly
that output, Devanagari compared after NFC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from crawler.extract import extract_page
from crawler.items import ArticleItem
from crawler.parsing.base import ArticleParser, is_fallback
from tests.helpers import EXPECTED_DIR, SITES_DIR, expected_files, load_expected, nfc


@pytest.mark.parametrize(
    "expected_path", expected_files(), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_page_extracts_to_expected(expected_path: Path) -> None:
    expected = load_expected(expected_path)
    page = (SITES_DIR / expected["page"]).read_bytes()
    result = extract_page(page, expected["url"])
    wanted = {name: expected[name] for name in ArticleItem.fields_with("public")}
    assert nfc(result) == nfc(wanted)


def test_every_site_has_expected_pages() -> None:
    from crawler.parsing.registry import SITES

    covered = {path.parent.name for path in expected_files()}
    assert set(SITES) <= covered


@pytest.mark.parametrize(
    ("name", "version"), [("real-2020-02-14", "2020"), ("economy-core-sector-october", "2024")]
)
def test_redesigned_site_parses_old_and_new_captures(name: str, version: str) -> None:
    """Business Standard Hindi has two parser versions; each capture gets its own."""
    from crawler.parsing.registry import SITES

    expected = load_expected(EXPECTED_DIR / "businessstandardhindi" / f"{name}.json")
    page = (SITES_DIR / expected["page"]).read_bytes()
    item = SITES["businessstandardhindi"].parse(page, expected["url"])
    assert item.parser.endswith(f"/v{version}")
    assert item.title and item.body


# --- field by field, without a single point of failure (synthetic snippets) ---------------

LEAD = (
    "लखनऊ नगर निगम ने शुक्रवार से शहर में बीस नई इलेक्ट्रिक बसें चलानी शुरू कर दीं। "
    "ये बसें चारबाग से गोमतीनगर और आलमबाग के बीच चलेंगी।"
)
SECOND = (
    "महापौर ने बताया कि किराया न्यूनतम दस रुपये रखा गया है और महिलाओं के लिए हर बस में "
    "आगे की छह सीटें आरक्षित रहेंगी।"
)
HEADLINE = "नगर निगम ने शुरू की बीस नई इलेक्ट्रिक बसें"
STORY_URL = "https://www.example-samachar.in/desh/bus-seva-123.html"


class BrokenSelectorParser(ArticleParser):
    """A site parser whose selectors were written for markup the page no longer has."""

    name = "broken"
    version = "1"
    BODY_SELECTOR = "div.story-body-that-is-gone"
    TITLE_SELECTOR = "h1.gone"
    AUTHOR_SELECTOR = ".byline-gone"


def _jsonld(*objects: object, raw: str = "") -> str:
    blocks = [json.dumps(o, ensure_ascii=False) for o in objects] + ([raw] if raw else [])
    return "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)


def _page(body: str = "", head: str = "", title: str = HEADLINE) -> str:
    return (
        f'<!DOCTYPE html><html lang="hi"><head><meta charset="utf-8"><title>{title}</title>'
        f"{head}</head><body><nav><a href='/'>होम</a> <a href='/desh'>देश</a></nav>"
        f"{body}</body></html>"
    )


def _story(**fields: object) -> dict[str, object]:
    return {"@context": "https://schema.org", "@type": "NewsArticle", **fields}


def test_body_falls_back_to_jsonld_when_the_selectors_find_nothing() -> None:
    head = _jsonld(_story(headline=HEADLINE, articleBody=f"{LEAD}\n\n{SECOND}"))
    item = BrokenSelectorParser().parse(_page(f"<h1>{HEADLINE}</h1>", head), STORY_URL, "x")
    assert nfc(item.body.split("\n\n")) == nfc([LEAD, SECOND])
    assert item.extraction["body"] == "jsonld"
    assert is_fallback(item.extraction)


def test_body_falls_back_to_the_generic_extractor_without_jsonld() -> None:
    body = f'<h1>{HEADLINE}</h1><div class="story"><p>{LEAD}</p><p>{SECOND}</p></div>'
    item = BrokenSelectorParser().parse(_page(body), STORY_URL, "x")
    assert nfc(item.body.split("\n\n")) == nfc([LEAD, SECOND])
    assert item.extraction == {
        "title": "h1",
        "body": "generic",
        "published_at": "none",
        "authors": "none",
    }
    assert is_fallback(item.extraction)


def test_a_selector_body_that_is_only_the_description_is_not_taken() -> None:
    class TeaserParser(ArticleParser):
        BODY_SELECTOR = "div.teaser"

    head = f'<meta name="description" content="{LEAD}">'
    body = (
        f'<h1>{HEADLINE}</h1><div class="teaser">{LEAD}</div>'
        f'<div class="story"><p>{LEAD}</p><p>{SECOND}</p></div>'
    )
    item = TeaserParser().parse(_page(body, head), STORY_URL, "x")
    assert nfc(item.body.split("\n\n")) == nfc([LEAD, SECOND])
    assert item.extraction["body"] == "generic"


def test_a_selector_body_is_not_a_fallback() -> None:
    body = f"<h1>{HEADLINE}</h1><article><p>{LEAD}</p><p>{SECOND}</p></article>"
    item = ArticleParser().parse(_page(body), STORY_URL, "x")
    assert item.extraction["body"] == "selector"
    assert not is_fallback(item.extraction)
    assert not is_fallback({})  # an item from before paths were recorded


def test_site_parse_prefers_the_version_whose_selectors_read_the_page() -> None:
    from crawler.parsing.registry import Site

    class Old(ArticleParser):
        name, version, BODY_SELECTOR = "s", "2020", "div.story"

    site = Site(name="s", title="S", domains=("www.example-samachar.in",), parsers=(Old,))
    redesigned = Site(**{**site.__dict__, "parsers": (Old, BrokenSelectorParser)})
    body = f'<h1>{HEADLINE}</h1><div class="story"><p>{LEAD}</p><p>{SECOND}</p></div>'
    item = redesigned.parse(_page(body), STORY_URL)
    assert item.parser == "s/v2020" and item.extraction["body"] == "selector"
    # No version's selectors match: the newest version's fallback reading is the article.
    only_broken = Site(**{**site.__dict__, "parsers": (BrokenSelectorParser,)})
    item = only_broken.parse(
        _page(f"<h1>{HEADLINE}</h1><div><p>{LEAD}</p><p>{SECOND}</p></div>"), STORY_URL
    )
    assert item.parser == "broken/v1" and item.body and item.extraction["body"] == "generic"


# --- lenient JSON-LD (real TV9 and Jagran pages carry blocks strict JSON rejects) ---------


@pytest.mark.parametrize(
    "raw",
    [
        # a raw newline and a control character inside a string
        '{"@type": "NewsArticle", "headline": "पहली\nपंक्ति\x0b", "author": {"name": "राम"}}',
        # trailing commas and a comment
        '{"@type": "NewsArticle", /* cms */ "headline": "पहली पंक्ति",'
        ' "author": [{"name": "राम"},],}',
        # an HTML comment and a CDATA wrapper around the block
        '<!-- {"@type": "NewsArticle", "headline": "पहली पंक्ति", "author": {"name": "राम"}} -->',
        '//<![CDATA[\n{"@type": "NewsArticle", "headline": "पहली पंक्ति", "author": "राम"}\n//]]>',
        # unescaped quotes inside a string, as on TV9's pages
        '{"@type": "NewsArticle", "headline": "पहली "पंक्ति"", "author": {"name": "राम"}}',
    ],
)
def test_jsonld_that_strict_json_rejects_is_read(raw: str) -> None:
    from crawler.parsing.jsonld import JsonLd

    ld = JsonLd.from_selector(Selector(text=_page(head=_jsonld(raw=raw))))
    assert ld.errors == 0
    assert "पहली" in ld.article["headline"]
    assert "राम" in json.dumps(ld.article["author"], ensure_ascii=False)


def test_jsonld_graph_several_blocks_entities_and_escaped_slashes() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "WebSite", "name": "S"}, _story(headline="राम &amp; श्याम")],
    }
    broken = '{"@type": "Organization", "name": "x", "url": "https:\\/\\/example.in\\/",}'
    item = ArticleParser().parse(_page(head=_jsonld(graph, raw=broken)), STORY_URL, "x")
    assert item.title == "राम & श्याम"
    from crawler.parsing.jsonld import decode

    assert decode(broken)["url"] == "https://example.in/"


def test_numbers_where_strings_belong_do_not_lose_the_page() -> None:
    story = _story(
        headline=12345,
        author=[7, {"@type": "Person", "name": 8}],
        image=3,
        keywords=[1, "बस"],
        articleSection=5,
        datePublished=20261120,
        description=9,
        inLanguage=1,
    )
    story["@type"] = ["NewsArticle", 4]
    body = f"<h1>{HEADLINE}</h1><article><p>{LEAD}</p><p>{SECOND}</p></article>"
    item = ArticleParser().parse(_page(body, _jsonld(story, {"@type": 17})), STORY_URL, "x")
    assert nfc(item.title) == nfc(HEADLINE) and item.authors == [] and item.tags == ["बस"]
    assert item.body and item.images == []


# --- titles: the visible headline ----------------------------------------------------------


def test_a_cut_short_jsonld_headline_gives_way_to_the_full_og_title() -> None:
    full = f"{HEADLINE}, महिलाओं के लिए आरक्षित सीटें"
    head = f'<meta property="og:title" content="{full}">' + _jsonld(
        _story(headline=f"{HEADLINE}, महिलाओं के ...")
    )
    item = ArticleParser().parse(
        _page("<h1><a href='/'><img alt='logo'></a></h1>", head), STORY_URL, "x"
    )
    assert (nfc(item.title), item.extraction["title"]) == (nfc(full), "meta")


def test_a_logo_h1_is_not_the_headline() -> None:
    head = _jsonld(_story(headline=HEADLINE), {"@type": "Organization", "name": "Example Samachar"})
    item = ArticleParser().parse(_page("<h1>Example Samachar</h1>", head), STORY_URL, "x")
    assert (nfc(item.title), item.extraction["title"]) == (nfc(HEADLINE), "jsonld")


def test_a_kicker_span_keeps_its_space() -> None:
    body = f'<h1><span class="c5">बस सेवा:</span>{HEADLINE}</h1>'
    head = f'<meta property="og:title" content="बस सेवा:  {HEADLINE}">'
    item = ArticleParser().parse(_page(body, head), STORY_URL, "x")
    assert nfc(item.title) == nfc(f"बस सेवा: {HEADLINE}")


@pytest.mark.parametrize(
    "title_tag",
    [
        f"Nagar nigam starts twenty new electric buses | {HEADLINE} | Hindi News, देश",
        f"{HEADLINE} - Example Samachar",
    ],
)
def test_title_tag_without_site_name_and_seo_tail(title_tag: str) -> None:
    head = '<meta property="og:site_name" content="Example Samachar">'
    item = ArticleParser().parse(_page("<p>x</p>", head, title=title_tag), STORY_URL, "x")
    assert (nfc(item.title), item.extraction["title"]) == (nfc(HEADLINE), "title_tag")


# --- authors are people; agencies apart ---------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors", "agency"),
    [
        ("Written By: ब्रह्म प्रकाश दुबे", ["ब्रह्म प्रकाश दुबे"], []),
        ("Written By: राम कुमार Edited By: श्याम लाल", ["राम कुमार"], []),
        ("Edited By: श्याम लाल", [], []),
        ("एंटरटेनमेंट डेस्क, अमर उजाला Published by: कामेश द्विवेदी", [], []),
        ("वाराणसी ब्यूरो", [], []),
        ("Web Team", [], []),
        ("Example Samachar", [], []),
        ("नई दिल्ली, भाषा", [], ["भाषा"]),
        ("PTI", [], ["PTI"]),
        ("सीमा शर्मा और अजय सिंह", ["सीमा शर्मा", "अजय सिंह"], []),
        ("राजेश कुमार, Senior Correspondent", ["राजेश कुमार"], []),
        ("बिजनेस डेस्क, अमर उजाला, नई दिल्ली", [], []),
    ],
)
def test_bylines(byline: str, authors: list[str], agency: list[str]) -> None:
    class BylineParser(ArticleParser):
        AUTHOR_SELECTOR = ".byline"

    head = '<meta property="og:site_name" content="Example Samachar">'
    item = BylineParser().parse(_page(f'<div class="byline">{byline}</div>', head), STORY_URL, "x")
    assert (nfc(item.authors), item.agency) == (nfc(authors), agency)


def test_jsonld_organisation_and_publisher_are_not_authors() -> None:
    story = _story(
        headline=HEADLINE,
        publisher={"@type": "Organization", "name": "दैनिक उदाहरण"},
        author=[
            {"@type": "Organization", "name": "Amar Ujala Digital Team"},
            {"@type": "Person", "name": "दैनिक उदाहरण"},
            {"@type": "Person", "name": "सीमा शर्मा"},
            {"@type": "Person", "name": "IANS"},
        ],
    )
    item = ArticleParser().parse(_page(head=_jsonld(story)), STORY_URL, "x")
    assert (item.authors, item.agency, item.extraction["authors"]) == (
        ["सीमा शर्मा"],
        ["IANS"],
        "jsonld",
    )


# --- page types ---------------------------------------------------------------------------------


def test_the_site_root_is_the_home_page_whatever_og_type_says() -> None:
    head = '<meta property="og:type" content="article">'
    item = ArticleParser().parse(
        _page("<h1>Hindi News</h1>", head), "https://www.example-samachar.in/", "x"
    )
    assert item.page_type == "home"


def test_a_section_front_of_links_is_a_listing() -> None:
    links = "".join(
        f'<li><a href="/desh/story-{i}.html">खबर संख्या {i} का शीर्षक</a></li>' for i in range(50)
    )
    item = ArticleParser().parse(
        _page(f"<h1>देश</h1><ul>{links}</ul>"), "https://www.example-samachar.in/desh", "x"
    )
    assert item.page_type == "listing"


def test_video_object_is_a_video_page() -> None:
    head = _jsonld({"@type": "VideoObject", "name": HEADLINE})
    item = ArticleParser().parse(_page(f"<h1>{HEADLINE}</h1>", head), STORY_URL, "x")
    assert item.page_type == "video"


def test_a_live_blog_is_one_article_with_its_entries_in_order() -> None:
    live = {
        "@type": "LiveBlogPosting",
        "headline": HEADLINE,
        "liveBlogUpdate": [
            {"@type": "BlogPosting", "headline": "11:05 बजे", "articleBody": LEAD},
            {"@type": "BlogPosting", "headline": "10:30 बजे", "articleBody": SECOND},
        ],
    }
    item = BrokenSelectorParser().parse(_page(head=_jsonld(live)), STORY_URL, "x")
    assert item.page_type == "live"
    assert nfc(item.body.split("\n\n")) == nfc(["11:05 बजे", LEAD, "10:30 बजे", SECOND])
    assert item.extraction["body"] == "jsonld"
