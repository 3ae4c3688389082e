"""The 11 categories an article can have, and the mapping from a site's section
names (or URL path segments) to them. A leaf module: parsing, ml and pipelines
read it, it reads only the text layer."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from crawler.text.fold import fold_spelling

CATEGORIES = (
    "politics",
    "national",
    "international",
    "business",
    "sports",
    "entertainment",
    "technology",
    "health",
    "education",
    "crime",
    "automobile",
)

_INDIAN_STATES = """
    uttar-pradesh bihar rajasthan madhya-pradesh mp chhattisgarh jharkhand haryana punjab
    delhi delhi-ncr ncr uttarakhand himachal himachal-pradesh jammu-kashmir jammu-and-kashmir
    gujarat maharashtra west-bengal odisha
    उत्तर-प्रदेश बिहार राजस्थान मध्य-प्रदेश छत्तीसगढ़ झारखंड हरियाणा पंजाब दिल्ली
    उत्तराखंड हिमाचल जम्मू-कश्मीर गुजरात महाराष्ट्र पश्चिम-बंगाल ओडिशा
""".split()

# Section names and URL path segments most Hindi sites use, folded as `_fold`
# folds them (lowercase, spaces as hyphens, nukta and candrabindu folded). State,
# city and local desks count as national news. Only names that say what their
# articles are about: "lifestyle", "astrology" or a bare "news" are left to the model.
DEFAULT_SECTION_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        **{
            key: "politics"
            for key in """politics राजनीति पॉलिटिक्स सियासत election elections चुनाव
            politics-news election-news assembly-elections lok-sabha-elections
            विधानसभा-चुनाव लोकसभा-चुनाव""".split()
        },
        **{
            key: "national"
            for key in [
                *"national india india-news desh देश राष्ट्रीय state states राज्य local city".split(),
                *"शहर news-hindi national-news".split(),
                *_INDIAN_STATES,
            ]
        },
        **{
            key: "international"
            for key in """world international world-news विदेश दुनिया अंतरराष्ट्रीय
            वर्ल्ड international-news""".split()
        },
        **{
            key: "business"
            for key in """business बिजनेस कारोबार व्यापार economy market बाजार money
            अर्थव्यवस्था business-news markets share-market stock-market शेयर-बाजार
            personal-finance mutual-funds""".split()
        },
        **{
            key: "sports"
            for key in """sports sport खेल cricket क्रिकेट स्पोर्ट्स sports-news
            cricket-news khel football फुटबॉल""".split()
        },
        **{
            key: "entertainment"
            for key in """entertainment मनोरंजन bollywood बॉलीवुड tv movies film
            entertainment-news bollywood-news फिल्म मूवी television टीवी ott ओटीटी
            web-series""".split()
        },
        **{
            key: "technology"
            for key in """technology tech टेक टेक्नोलॉजी gadgets tech-auto
            technology-news tech-news गैजेट्स""".split()
        },
        **{
            key: "health"
            for key in "health स्वास्थ्य सेहत हेल्थ health-news health-news-hindi fitness".split()
        },
        **{
            key: "education"
            for key in """education शिक्षा career करियर jobs जॉब education-news career-news
            jobs-news नौकरी रोजगार sarkari-naukri""".split()
        },
        **{key: "crime" for key in "crime क्राइम अपराध crime-news crime-news-hindi".split()},
        **{
            key: "automobile"
            for key in "auto automobile ऑटो auto-news automobile-news ऑटोमोबाइल cars bikes".split()
        },
    }
)


# The categories generic sections map to: "national" holds state, city, local and
# national desks, which say where a story happened rather than what it is about. The
# classify step lets a confident topic model override them (pipelines/classify.py).
GENERIC_SECTION_CATEGORIES = frozenset({"national"})


def _fold(name: str) -> str:
    # Spelling variants of one section name: nukta (बिज़नेस/बिजनेस), candrabindu (यहाँ/यहां).
    name = fold_spelling(name)
    return "-".join(name.strip().casefold().split())


def section_category(section: str, url: str, overrides: Mapping[str, str] = {}) -> str:
    """The category a section name (or else the URL's path) implies, or ''.

    `overrides` are a site's own section names, consulted before the defaults.
    """
    site_map = {_fold(k): v for k, v in overrides.items()}
    candidates = [_fold(section)] if section else []
    candidates += [_fold(unquote(p)) for p in urlsplit(url).path.split("/")[1:-1] if p]
    for key in candidates:
        category = site_map.get(key) or _DEFAULTS_FOLDED.get(key)
        if category:
            return category
    return ""


_DEFAULTS_FOLDED = {_fold(k): v for k, v in DEFAULT_SECTION_CATEGORIES.items()}
