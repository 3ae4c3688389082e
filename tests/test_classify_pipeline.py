"""The classify and enrich pipelines on single items with real Scrapy stats; the two
seed articles as the acceptance case; a stored article filtered by its entities
in a real MongoDB (SecantusDB)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter
from pymongo.database import Database
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.categories import CATEGORIES, section_category
from crawler.items import ArticleItem
from crawler.storage.store import ArticleStore
from crawler.text.dates import IST
from pipelines.classify import ClassifyPipeline
from pipelines.clean import CleanPipeline
from pipelines.enrich import EnrichPipeline
from tests.helpers import FIXTURES, project_settings

SEEDS = FIXTURES / "seeds"
BODY = "पहला अनुच्छेद। " * 20
# A plain cricket story: what the model should call sports.
CRICKET = {
    "title": "IPL 2026: धोनी की टीम ने मुंबई को 5 विकेट से हराया",
    "body": "चेन्नई की टीम ने आखिरी ओवर में मैच जीत लिया। " * 10,
}


def article(**fields: object) -> ArticleItem:
    defaults = {
        "url": "https://www.jagran.com/politics/national-x-1234567.html",
        "site": "jagran",
        "title": "शीर्षक",
        "body": BODY,
        "published_at": datetime(2026, 11, 20, 10, 0, tzinfo=IST),
    }
    return ArticleItem(**{**defaults, **fields})


def make_crawler(**settings: Any) -> Any:
    crawler = get_crawler(settings_dict=project_settings(**settings))
    crawler.stats.open_spider()
    return crawler


@pytest.fixture(scope="module")
def crawler() -> Any:
    return make_crawler()


@pytest.fixture(scope="module")
def classify(crawler: Any) -> ClassifyPipeline:
    return ClassifyPipeline.from_crawler(crawler)


# --- the section decides where it maps --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "section", "category"),
    [
        ("https://www.jagran.com/cricket/x-2.html", "क्रिकेट", "sports"),
        ("https://www.amarujala.com/business/x-4", "Business", "business"),
        ("https://www.example.com/x-5", "बिज़नेस", "business"),  # nukta folded
        ("https://www.example.com/x-6", "हेल्थ", "health"),
        ("https://www.example.com/crime-news/x-7", "", "crime"),  # from the URL path
    ],
)
def test_section_maps_to_category(
    classify: ClassifyPipeline, url: str, section: str, category: str
) -> None:
    item = article(url=url, section=section, **CRICKET)
    classify.process_item(item)
    assert (item.category, item.category_source, item.category_confidence) == (
        category,
        "section",
        1.0,
    )
    # The model's view is kept beside the section's category.
    assert item.category_top[0]["label"] == "sports"


# --- a generic section gives way to a confident model ----------------------------------------

GENERIC = [
    ("https://www.jagran.com/uttar-pradesh/x-1.html", "उत्तर प्रदेश"),
    ("https://www.bhaskar.com/local/bihar/x-3.html", "Local"),
    ("https://www.example.com/national/x-8.html", "National"),
]
# A fraud story as a city desk runs it (from the Jagran fixture's Lucknow story).
FRAUD = {
    "title": "डिजिटल अरेस्ट का डर दिखाकर रिटायर्ड इंजीनियर से 48 लाख की ठगी",
    "body": "साइबर ठगों ने खुद को जांच एजेंसी का अधिकारी बताया। पीड़ित की तहरीर पर साइबर "
    "क्राइम थाने में मुकदमा दर्ज किया गया है। पुलिस ने दो खातों में रकम फ्रीज कराई। " * 3,
}
# A city-page story about the city: no specific topic for the model to be sure of
# (topics-v2 gives crime 0.30, international 0.22, national 0.13).
CIVIC = {
    "title": "शहर में नए फ्लाईओवर का काम अगले महीने शुरू होगा, नगर निगम ने दी जानकारी",
    "body": "नगर निगम के अधिकारियों ने बताया कि फ्लाईओवर बनने से शहर के लोगों को जाम से "
    "राहत मिलेगी। काम दो साल में पूरा होगा। " * 3,
}


@pytest.mark.parametrize(("url", "section"), GENERIC)
@pytest.mark.parametrize(("text", "category"), [(CRICKET, "sports"), (FRAUD, "crime")])
def test_confident_model_wins_over_a_generic_section(
    classify: ClassifyPipeline,
    crawler: Any,
    url: str,
    section: str,
    text: dict[str, str],
    category: str,
) -> None:
    assert section_category(section, url) == "national"
    before = crawler.stats.get_value("pipelines/classify/source/model_over_section") or 0
    item = article(url=url, section=section, **text)
    classify.process_item(item)
    assert (item.category, item.category_source) == (category, "model_over_section")
    assert item.category_confidence == item.category_top[0]["confidence"] >= 0.6
    assert crawler.stats.get_value("pipelines/classify/source/model_over_section") == before + 1


@pytest.mark.parametrize(("url", "section"), GENERIC)
def test_generic_section_stands_when_the_model_is_not_specific(
    classify: ClassifyPipeline, url: str, section: str
) -> None:
    item = article(url=url, section=section, **CIVIC)
    classify.process_item(item)
    assert item.category_top[0]["confidence"] < 0.6  # unsure what else it could be
    assert (item.category, item.category_source) == ("national", "section")


def test_override_needs_the_confidence_setting() -> None:
    pipeline = ClassifyPipeline.from_crawler(make_crawler(CLASSIFY_OVER_SECTION_CONFIDENCE=1.01))
    url, section = GENERIC[0]
    item = article(url=url, section=section, **FRAUD)
    pipeline.process_item(item)
    assert item.category_top[0]["label"] == "crime"
    assert (item.category, item.category_source) == ("national", "section")


@pytest.mark.parametrize(
    ("section_category_", "label", "confidence", "overrides"),
    [
        ("national", "crime", 0.6, True),
        ("national", "crime", 0.59, False),
        ("national", "politics", 0.9, True),
        ("national", "international", 0.9, False),  # not more specific than a city page
        ("business", "sports", 0.99, False),  # a specific section stands
        ("crime", "national", 0.99, False),
    ],
)
def test_which_classes_override_which_sections(
    classify: ClassifyPipeline,
    section_category_: str,
    label: str,
    confidence: float,
    overrides: bool,
) -> None:
    assert classify._overrides(section_category_, label, confidence) is overrides


@pytest.mark.parametrize("section", ["Astrology", "लाइफस्टाइल", "न्यूज़", ""])
def test_sections_that_say_nothing_map_to_nothing(section: str) -> None:
    assert section_category(section, "https://www.example.com/x/y-1.html") == ""


# --- otherwise the model ---------------------------------------------------------------------


def test_unmapped_section_goes_to_the_model(classify: ClassifyPipeline, crawler: Any) -> None:
    item = article(url="https://www.amarujala.com/astrology/x-5", section="Astrology", **CRICKET)
    before = crawler.stats.get_value("pipelines/classify/source/model") or 0
    classify.process_item(item)
    assert (item.category, item.category_source) == ("sports", "model")
    assert item.category_confidence == item.category_top[0]["confidence"]
    assert len(item.category_top) == 3
    assert all(t["label"] in CATEGORIES for t in item.category_top)
    confidences = [t["confidence"] for t in item.category_top]
    assert confidences == sorted(confidences, reverse=True)
    assert crawler.stats.get_value("pipelines/classify/source/model") == before + 1


def test_low_confidence_is_other() -> None:
    pipeline = ClassifyPipeline.from_crawler(make_crawler(CLASSIFY_MIN_CONFIDENCE=1.01))
    item = article(url="https://www.example.com/x/y-1.html", **CRICKET)
    pipeline.process_item(item)
    assert (item.category, item.category_source) == ("other", "model")
    assert 0 < item.category_confidence < 1


def test_without_a_model_only_sections_decide() -> None:
    pipeline = ClassifyPipeline.from_crawler(make_crawler(CLASSIFY_MODEL_PATH=""))
    item = article(url="https://www.amarujala.com/astrology/x-5", section="Astrology")
    pipeline.process_item(item)
    assert (item.category, item.category_source, item.category_top) == ("", "", [])


@pytest.mark.parametrize(
    ("pipeline", "setting"),
    [(ClassifyPipeline, "CLASSIFY_ENABLED"), (EnrichPipeline, "ENRICH_ENABLED")],
)
def test_pipelines_switch_off(pipeline: Any, setting: str) -> None:
    with pytest.raises(NotConfigured):
        pipeline.from_crawler(make_crawler(**{setting: False}))


# --- enrichment ----------------------------------------------------------------------------


def test_enrich_fills_the_four_fields(crawler: Any) -> None:
    item = article(
        title="लखनऊ में भाजपा की बैठक",
        description="मुख्यमंत्री योगी आदित्यनाथ ने कार्यकर्ताओं से बात की",
        body="बैठक के बाद सपा ने आरोप लगाए। कानपुर और पटना से भी नेता आए।",
    )
    EnrichPipeline.from_crawler(crawler).process_item(item)
    assert item.places == ["Lucknow", "Kanpur", "Patna"]
    assert item.regions == ["Uttar Pradesh", "Bihar"]
    assert item.parties == ["BJP", "SP"]
    assert item.people == ["Yogi Adityanath"]
    assert crawler.stats.get_value("pipelines/enrich/with/parties") >= 1


# --- acceptance: the two seed articles ------------------------------------------------------


def seed_item(name: str) -> ArticleItem:
    """A seed as the parser would hand it over: first line the title, the rest the body,
    from a site whose section maps to no category (so the model decides)."""
    title, _, body = (SEEDS / name).read_text(encoding="utf-8").partition("\n")
    return article(url=f"https://news.example.org/{Path(name).stem}", title=title, body=body)


SEED_EXPECTED = {
    "000_459aabef4b049da1.txt": (
        {"SP", "TMC", "BJP", "Congress"},
        {"Akhilesh Yadav", "Mamata Banerjee"},
        {"Kolkata", "West Bengal", "Uttar Pradesh"},
    ),
    "002_56af3a7b83ac3a6e.txt": (
        {"SP", "TMC", "BJP", "Congress"},
        {"Akhilesh Yadav", "Mamata Banerjee", "Shivpal Yadav"},
        {"Kolkata", "West Bengal", "Uttar Pradesh", "Etawah"},
    ),
}


@pytest.mark.parametrize("name", sorted(SEED_EXPECTED))
def test_seed_articles(classify: ClassifyPipeline, crawler: Any, name: str) -> None:
    item = seed_item(name)
    classify.process_item(item)
    EnrichPipeline.from_crawler(crawler).process_item(item)
    assert (item.category, item.category_source) == ("politics", "model")
    parties, people, places = SEED_EXPECTED[name]
    assert set(item.parties) >= parties
    assert set(item.people) >= people
    assert set(item.places) >= places
    assert set(item.regions) >= {"West Bengal", "Uttar Pradesh"}


@pytest.mark.parametrize("name", sorted(SEED_EXPECTED))
def test_cleaned_seed_articles_are_still_politics(
    classify: ClassifyPipeline, crawler: Any, name: str
) -> None:
    """After cleaning (the "Recent Posts" list of seed 000 and the teaser headline that
    ends seed 002 go) the article is still politics; Etawah was only in the teaser."""
    item = seed_item(name)
    CleanPipeline(None, "NFC").process_item(item)
    classify.process_item(item)
    EnrichPipeline.from_crawler(crawler).process_item(item)
    assert item.category == "politics"
    assert "Etawah" not in item.places
    assert {"SP", "TMC", "BJP", "Congress"} <= set(item.parties)


# --- stored and filtered in MongoDB -----------------------------------------------------------


def test_entities_are_stored_and_filter_queries(
    mongo_db: Database[dict[str, Any]], classify: ClassifyPipeline, crawler: Any
) -> None:
    item = seed_item("002_56af3a7b83ac3a6e.txt")
    classify.process_item(item)
    EnrichPipeline.from_crawler(crawler).process_item(item)
    other = article(url="https://www.example.com/x/2.html", **CRICKET)
    classify.process_item(other)
    EnrichPipeline.from_crawler(crawler).process_item(other)
    store = ArticleStore(mongo_db)
    store.upsert_articles([ItemAdapter(item).asdict(), ItemAdapter(other).asdict()])
    found = store.find_articles(where={"parties": "SP", "people": "Shivpal Yadav"})
    assert [doc["url"] for doc in found] == [item.url]
    doc = found[0]
    assert (doc["category"], doc["category_source"]) == ("politics", "model")
    assert doc["regions"] == item.regions
    assert doc["category_top"][0]["label"] == "politics"
    assert store.find_articles(where={"places": "Etawah"})[0]["url"] == item.url
