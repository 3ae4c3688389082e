"""What a news site is to the project: the Site record and the mapping from a
site's section names to the 11 categories. The registry of sites is
crawler/sites.py; each site's entry lives beside its parser in
crawler/parsing/publishers/<site>.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from crawler.parsing.base import ArticleParser

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

# Spelling variants of one section name: nukta (बिज़नेस/बिजनेस), candrabindu (यहाँ/यहां).
_SECTION_FOLD = {0x093C: None, 0x0901: 0x0902}


def _fold(name: str) -> str:
    name = unicodedata.normalize("NFC", name).translate(_SECTION_FOLD)
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


# Path segments of pages that are never articles, whatever lists them: videos, photo
# galleries, web/visual stories, live TV, podcasts, AMP copies, topic and tag pages.
NON_ARTICLE_PATH = (
    r"(?i)^/(?:[^?#]*/)?(?:videos?|video-?gallery|videoshow|photos?|photo-?gallery|photoshow"
    r"|galler(?:y|ies)|web-?stor(?:y|ies)|visual-?stor(?:y|ies)|live-?tv|podcasts?|shorts|amp"
    r"|topics?|tags?)(?:/|$)"
)


# Longer URLs are never taken for articles (and never meet the patterns' regexes).
MAX_URL_CHARS = 2048


def host_matches(host: str, domains: tuple[str, ...]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class Site:
    name: str
    title: str
    domains: tuple[str, ...]
    # Parser versions, oldest first; the newest is tried first (see `parse`).
    parsers: tuple[type[ArticleParser], ...]
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    # Section listing pages; their article links are discovered too, and their
    # rel=next pagination followed up to CRAWL_MAX_LISTING_PAGES.
    listings: tuple[str, ...] = ()
    # A link found on a listing or home page is an article when it matches this.
    article_url: str = r"."
    # A URL from a sitemap or feed is an article unless its path matches this.
    non_article_url: str = NON_ARTICLE_PATH
    # Hosts besides `domains` (and their subdomains) that discovery documents may
    # point at, e.g. a sitemap CDN; anything else they name is refused.
    hosts: tuple[str, ...] = ()
    # Site-specific section names → category; consulted before the defaults.
    sections: Mapping[str, str] = field(default_factory=dict)
    # Left out of `crawl --all`: the site's terms ask crawlers to stay away, so the
    # user names it explicitly after getting permission (e.g. BBC Hindi's robots.txt).
    opt_in: bool = False
    # Render every article in Chromium, or only those whose URL matches js_urls.
    needs_js: bool = False
    js_urls: str = ""

    def is_article_url(self, url: str) -> bool:
        """A link on a listing or home page that looks like one of the site's articles."""
        return len(url) <= MAX_URL_CHARS and bool(re.search(self.article_url, url))

    def is_listed_article(self, url: str) -> bool:
        """A URL a sitemap or feed lists: an article unless its path says otherwise."""
        if len(url) > MAX_URL_CHARS:
            return False
        path = urlsplit(url).path
        return path.strip("/") != "" and not re.search(self.non_article_url, path)

    def owns_url(self, url: str) -> bool:
        """http(s) on the site's own hosts: the only URLs discovery documents may lead to."""
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:  # an unparseable netloc ('http://[::1')
            return False
        return parts.scheme in ("http", "https") and host_matches(
            host, (*self.domains, *self.hosts)
        )

    @property
    def parser_version(self) -> str:
        """The newest parser's name and version, as items carry it (``parser``)."""
        newest = self.parsers[-1] if self.parsers else None
        if newest is None:
            return ""
        return f"{getattr(newest, 'name', newest.__name__)}/v{getattr(newest, 'version', '')}"

    @property
    def uses_browser(self) -> bool:
        return self.needs_js or bool(self.js_urls)

    def needs_browser(self, url: str) -> bool:
        return self.needs_js or bool(self.js_urls and re.search(self.js_urls, url))

    def category_for(self, section: str, url: str) -> str:
        return section_category(section, url, self.sections)

    def parse(self, page: str | bytes, url: str) -> ArticleItem:
        """The article as the newest parser version whose own selectors read it.

        A redesign gets a new parser version beside the old one; old captures
        still parse, because an older version is tried when a newer one's selectors
        find no body. Every version falls back to JSON-LD and the generic extractor;
        when no version's selectors find the body, the newest version's fallback
        reading is the article (its ``extraction`` says so, for parser_drift).
        """
        from crawler.parsing.base import is_fallback

        items = []
        for parser_class in reversed(self.parsers):
            item = parser_class().parse(page, url, self.name)
            if item.title and item.body and not is_fallback(item.extraction):
                return item
            items.append(item)
        assert items, f"site {self.name} has no parser"
        return next((i for i in items if i.title and i.body), items[0])
