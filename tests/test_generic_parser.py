"""The generic parser on pages of sites it has no selectors for: the main text found by
structure, furniture left out by what it is, JSON-LD articleBody, trafilatura as the
last resort, the headline without a glued site name, and the quality on every stored
page as if its site had no parser."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from lxml import html

from crawler.devtools.evaluation.extractors import generic_extract
from crawler.devtools.evaluation.gold import load_gold
from crawler.devtools.evaluation.report import set_names
from crawler.devtools.evaluation.scoring import BodyCounts, score_body
from crawler.parsing.density import class_words
from crawler.parsing.generic import GenericParser
from crawler.parsing.maintext import reconcile_with_article_body
from tests.helpers import FIXTURES, SITES_DIR, nfc

URL = "https://www.example-samachar.in/desh/bus-seva-123.html"

LEAD = (
    "लखनऊ नगर निगम ने शुक्रवार से शहर में बीस नई इलेक्ट्रिक बसें चलानी शुरू कर दीं। "
    "ये बसें चारबाग से गोमतीनगर और आलमबाग के बीच चलेंगी।"
)
SECOND = (
    "महापौर ने बताया कि किराया न्यूनतम दस रुपये रखा गया है और महिलाओं के लिए हर बस में "
    "आगे की छह सीटें आरक्षित रहेंगी।"
)
SUBHEAD = "हर दस मिनट पर मिलेगी बस"
THIRD = (
    "अधिकारियों के मुताबिक सुबह छह बजे से रात दस बजे तक हर रूट पर दस मिनट के अंतर पर "
    "बस उपलब्ध रहेगी, जबकि रात में बीस मिनट के अंतर पर बसें चलेंगी।"
)
LAST = "बसों में जीपीएस और सीसीटीवी कैमरे लगाए गए हैं।"


def page(body: str, head: str = "", title: str = "नगर निगम ने शुरू की नई बस सेवा") -> str:
    return f"""<!DOCTYPE html><html lang="hi"><head><meta charset="utf-8">
<title>{title}</title>{head}</head><body>
<header><a href="/">होम</a> <a href="/desh">देश</a> <a href="/duniya">दुनिया</a></header>
{body}
<footer><p>© 2026 उदाहरण समाचार. सर्वाधिकार सुरक्षित।</p></footer>
</body></html>"""


def jsonld(**fields: object) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", **fields}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def body_of(text: str) -> list[str]:
    item = GenericParser().parse(text, URL, "example-samachar.in")
    return nfc(item.body.split("\n\n")) if item.body else []


def test_paragraphs_and_subheading_without_the_furniture_around_and_inside() -> None:
    text = page(f"""
<div class="layout"><div class="main-col">
  <h1>नगर निगम ने शुरू की नई बस सेवा</h1>
  <div class="story-meta">संवाददाता, लखनऊ | 20 नवंबर 2026</div>
  <div class="story-text">
    <p>{LEAD}</p>
    <div class="share-bar"><a href="#">Facebook</a> <a href="#">WhatsApp</a></div>
    <p>{SECOND}</p>
    <p>ये भी पढ़ें: <a href="/x.html">शहर में पानी की नई पाइपलाइन बिछाने का काम शुरू</a></p>
    <h2>{SUBHEAD}</h2>
    <p>{THIRD}</p>
    <div class="vigyapan"><span>विज्ञापन</span></div>
    <p>{LAST}</p>
    <ul><li><a href="/t/1">बस सेवा</a></li><li><a href="/t/2">लखनऊ नगर निगम</a></li></ul>
  </div>
</div>
<aside><h3>ताज़ा ख़बरें</h3><ul>
  <li><a href="/a.html">गोमती नदी की सफाई के लिए नया अभियान, हर हफ्ते होगी निगरानी</a></li>
  <li><a href="/b.html">राजधानी में ठंड बढ़ी, सुबह छाया घना कोहरा</a></li>
</ul></aside></div>""")
    assert body_of(text) == nfc([LEAD, SECOND, SUBHEAD, THIRD, LAST])


def test_text_runs_between_ad_boxes_and_line_breaks_are_paragraphs() -> None:
    text = page(f"""
<section class="article-detail"><h1>नगर निगम ने शुरू की नई बस सेवा</h1>
<div class="article-desc">{LEAD}<div class="ad-slot"><center>विज्ञापन</center></div>{SECOND}
<br><br>{THIRD}</div></section>""")
    assert body_of(text) == nfc([LEAD, SECOND, THIRD])


def test_a_lead_paragraph_outside_the_main_container_is_kept() -> None:
    text = page(f"""
<article><h1>नगर निगम ने शुरू की नई बस सेवा</h1>
<p class="lead">{LEAD}</p>
<div class="rest"><p>{SECOND}</p><p>{THIRD}</p><p>{LAST}</p></div>
<div class="topics"><a href="/t/1">बस सेवा</a> <a href="/t/2">लखनऊ</a></div>
</article>""")
    assert body_of(text) == nfc([LEAD, SECOND, THIRD, LAST])


def test_a_block_of_teasers_beside_the_article_is_left_out() -> None:
    teaser = (
        '<div><a href="/s/{n}.html">शहर की दूसरी खबर नंबर {n}: नगर निगम की बैठक में कई प्रस्ताव पास</a>'
        "<p>बैठक में सफाई, पानी और सड़कों से जुड़े कई प्रस्तावों पर चर्चा हुई, पार्षदों ने सुझाव दिए।</p></div>"
    )
    teasers = "".join(teaser.format(n=n) for n in range(8))
    text = page(f"""
<div class="wrap"><div class="c"><p>{LEAD}</p><p>{SECOND}</p><p>{THIRD}</p><p>{LAST}</p></div>
<div class="x">{teasers}</div></div>""")
    assert body_of(text) == nfc([LEAD, SECOND, THIRD, LAST])


def test_photo_captions_written_without_figure_are_left_out() -> None:
    text = page(f"""
<article><div class="c1">
<p>{LEAD}</p>
<div class="p1"><picture><img src="/bus.jpg" alt="चारबाग डिपो पर खड़ी नई बसें"></picture></div>
<div class="p2"><span>चारबाग डिपो पर खड़ी नई बसें</span></div>
<p>{SECOND}</p>
<div class="p3"><span>उद्घाटन के मौके पर मौजूद महापौर और अधिकारी।</span></div>
<p>{THIRD}</p>
</div></article>""")
    assert body_of(text) == nfc([LEAD, SECOND, THIRD])


def test_hidden_copies_are_not_read_twice() -> None:
    text = page(f"""
<div class="story"><div style="display: none">{LEAD} {SECOND}</div>
<div hidden>{THIRD}</div>
<p>{LEAD}</p><p>{SECOND}</p><p>{THIRD}</p></div>""")
    assert body_of(text) == nfc([LEAD, SECOND, THIRD])


def test_an_article_laid_out_in_table_cells() -> None:
    text = page(f"""
<table><tr><td class="menu"><a href="/a">बाजार</a><br><a href="/b">कंपनियां</a></td>
<td><h1>नगर निगम ने शुरू की नई बस सेवा</h1>
<div>{LEAD}</div><div>{SECOND}</div><div>{THIRD}</div>
<span class="ctxtblue">Keyword:</span> <a href="/k/1">बस</a> <a href="/k/2">लखनऊ</a>
</td></tr></table>""")
    assert body_of(text) == nfc([LEAD, SECOND, THIRD])


def test_paragraphs_missing_from_the_articlebody_are_dropped() -> None:
    promo = "हमारे व्हाट्सऐप चैनल से जुड़ें और पाएं हर बड़ी खबर सबसे पहले, बस एक क्लिक में।"
    head = jsonld(headline="नगर निगम ने शुरू की नई बस सेवा", articleBody=f"{LEAD} {SECOND} {THIRD}")
    text = page(
        f'<div class="c"><p>{LEAD}</p><p>{SECOND}</p><p>{THIRD}</p><p>{promo}</p></div>', head
    )
    assert body_of(text) == nfc([LEAD, SECOND, THIRD])


def test_a_complete_articlebody_stands_in_for_a_page_without_text() -> None:
    article = f"{LEAD} {SECOND} {THIRD}"
    head = jsonld(headline="नगर निगम ने शुरू की नई बस सेवा", articleBody=article)
    text = page('<article><div id="story">लोड हो रहा है…</div></article>', head)
    assert body_of(text) == nfc([article])


def test_a_truncated_articlebody_does_not_cut_the_page_text() -> None:
    head = jsonld(headline="नगर निगम ने शुरू की नई बस सेवा", articleBody=LEAD[:60] + "...")
    text = page(f'<div class="c"><p>{LEAD}</p><p>{SECOND}</p><p>{THIRD}</p></div>', head)
    assert body_of(text) == nfc([LEAD, SECOND, THIRD])


def test_reconcile_keeps_page_paragraphs_when_the_articlebody_is_a_teaser() -> None:
    paragraphs = [LEAD, SECOND, THIRD]
    assert reconcile_with_article_body(paragraphs, LEAD[:80] + "…") == paragraphs


def test_trafilatura_reads_a_page_the_structure_gives_nothing_for() -> None:
    # Text loose in <body>, no block elements: no container to score.
    text = f"<html><head><title>बस सेवा</title></head><body>{LEAD} {SECOND} {THIRD}</body></html>"
    body = " ".join(body_of(text))
    assert nfc("ये बसें चारबाग से गोमतीनगर और आलमबाग के बीच चलेंगी।") in body


def test_the_headline_loses_a_site_name_glued_to_it() -> None:
    head = jsonld(headline="उदाहरण समाचार नगर निगम ने शुरू की नई बस सेवा")
    text = page(
        f"<h1>नगर निगम ने शुरू की नई बस सेवा</h1><div><p>{LEAD}</p><p>{SECOND}</p></div>",
        head,
        title="उदाहरण समाचार - नगर निगम ने शुरू की नई बस सेवा",
    )
    item = GenericParser().parse(text, URL, "example-samachar.in")
    assert nfc(item.title) == nfc("नगर निगम ने शुरू की नई बस सेवा")


def test_a_kicker_in_the_headline_is_not_a_site_name() -> None:
    head = jsonld(headline="IND vs SA: दूसरे टेस्ट से पहले टीम इंडिया को झटका")
    text = page(
        f"<h1>दूसरे टेस्ट से पहले टीम इंडिया को झटका</h1><div><p>{LEAD}</p><p>{SECOND}</p></div>",
        head,
        title="दूसरे टेस्ट से पहले टीम इंडिया को झटका - उदाहरण समाचार",
    )
    item = GenericParser().parse(text, URL, "example-samachar.in")
    assert nfc(item.title) == nfc("IND vs SA: दूसरे टेस्ट से पहले टीम इंडिया को झटका")


@pytest.mark.parametrize(
    ("markup", "words"),
    [
        ('<div class="adBox ads-box" id="ad_cn"></div>', {"ad", "box", "ads", "cn"}),
        ('<div class="paywallBlockedContent"></div>', {"paywall", "blocked", "content"}),
        ('<div class="header-image"></div>', {"header", "image"}),
    ],
)
def test_class_words(markup: str, words: set[str]) -> None:
    assert class_words(html.fragment_fromstring(markup)) == words


# --- pages it has never seen: Devanagari wins, widgets and rivers never do ----------------

WEATHER = "".join(
    f"<tr><td>{city}: partly cloudy skies through the day, humidity {h}%, winds from the "
    f"north-west at {w} km/h. Max {h // 2}°C, min {w}°C. Air quality: moderate.</td></tr>"
    for city, h, w in [("Delhi", 62, 11), ("Lucknow", 70, 9), ("Patna", 75, 8), ("Jaipur", 40, 14)]
)


def test_a_hindi_story_beside_an_english_weather_table_and_a_menu() -> None:
    """Synthetic: a government-style news page where an English weather widget and a
    long menu hold more text than the Hindi story (the held-out failure)."""
    menu = "".join(
        f'<li><a href="/s{i}">Department service number {i} information</a></li>' for i in range(30)
    )
    text = page(f"""
<div class="row"><div class="col-8">
  <h1>नगर निगम ने शुरू की नई बस सेवा</h1>
  <div class="press-release"><p>{LEAD}</p><p>{SECOND}</p><p>{LAST}</p></div>
</div>
<div class="col-4"><table class="weather">{WEATHER}</table></div></div>
<div class="menu-list"><ul>{menu}</ul></div>""")
    assert body_of(text) == nfc([LEAD, SECOND, LAST])


def test_teasers_wrapped_in_links_never_win() -> None:
    """Synthetic: a recommendation river whose cards wrap headline and summary in one <a>
    (Taboola's markup on the real Amar Ujala 2025 page), longer than the story."""
    card = (
        '<a href="/x{i}"><span class="label"><span class="title">दूसरी खबर संख्या {i}: '
        "बाजार में तेजी जारी, निवेशकों ने कमाए करोड़ों रुपये, जानिए आगे क्या होगा।</span>"
        '<span class="desc">शेयर बाजार में आज फिर तेजी रही। सेंसेक्स और निफ्टी दोनों चढ़े। '
        "विशेषज्ञों ने कहा कि आगे भी तेजी रह सकती है।</span></span></a>"
    )
    river = "".join(card.format(i=i) for i in range(8))
    text = page(
        f'<div class="story"><p>{LEAD}</p><p>{SECOND}</p></div><div class="feed">{river}</div>'
    )
    assert body_of(text) == nfc([LEAD, SECOND])


def test_display_toggle_classes_are_not_hidden_furniture() -> None:
    """Amar Ujala (real, 2025) wraps its story in "hide_micropay_story" and its slides in
    "hide_for_metered_wall": shown to most readers, unlike a plain "hide" class."""
    text = page(
        f'<div class="article-desc hide_micropay_story"><p>{LEAD}</p>'
        f'<div class="slide hide_for_metered_wall"><p>{SECOND}</p></div>'
        f'<div class="slide hide_for_metered_wall"><p>{THIRD}</p></div>'
        f'<div class="hide"><p>{LAST} यह छिपी हुई प्रति है।</p></div></div>'
    )
    assert body_of(text) == nfc([LEAD, SECOND, THIRD])


# --- every stored page through the generic path ------------------------------------------------

# The bar for sites the generic path has never seen.
MIN_BODY_F1 = 0.95


def test_generic_path_body_f1_on_every_stored_set() -> None:
    """Every gold page as if its site had no parser: body F1 per set of pages."""
    totals: dict[str, BodyCounts] = defaultdict(BodyCounts)
    for gold in load_gold(FIXTURES / "gold"):
        body = generic_extract((SITES_DIR / gold.page).read_bytes(), gold.url)["body"]
        for name in set_names(gold):
            totals[name] = totals[name] + score_body(body, gold).counts
    assert totals
    below = {name: round(c.f1 or 0.0, 3) for name, c in totals.items() if (c.f1 or 0) < MIN_BODY_F1}
    assert below == {}
