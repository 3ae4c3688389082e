"""The parser every site parser derives from.

No field has a single point of failure. The site's own selectors (class constants
of the subclass) refine; they never decide alone:

* body: the site's selectors, then the JSON-LD ``articleBody``, then the generic
  extractor (crawler/parsing/maintext.py), the first that yields a plausible body
  (long enough, Devanagari on a Hindi page, not a copy of the description);
* title: the visible headline (the site's title selector, else the page's <h1>) when it
  agrees with what the page's metadata call the story, then the JSON-LD headline (the
  full og:title when the headline is cut short), then og:title, then <title> without
  its site name and SEO tail (crawler/parsing/titles.py);
* authors: people only (selector, JSON-LD, meta author), never organisations, desks
  or web producers; news agencies go to ``agency``;
* dates: JSON-LD, meta tags, the site's date selector, the page text
  (crawler/parsing/pagedates.py).

Which path produced each field is recorded in the item's ``extraction``
(:data:`EXTRACTION_PATHS`); :func:`is_fallback` tells a site parser's article read
by a fallback, for the ``parser_drift`` monitor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.items import ArticleItem
from crawler.parsing import blocks, pagedates, titles
from crawler.parsing.blocks import clean_value
from crawler.parsing.bylines import person_names, split_byline
from crawler.parsing.images import distinct_photos
from crawler.parsing.jsonld import JsonLd, image_objects
from crawler.parsing.judge import (
    MIN_DEVANAGARI_SHARE,
    article_body_paragraphs,
    devanagari_share,
    hindi_page,
    holds,
    plausible_body,
)
from crawler.parsing.maintext import main_text


class ParseError(ValueError):
    """The page cannot be read as HTML at all."""


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if v and not (v in seen or seen.add(v))]


def _inside(node: Selector, excluded: set[Any]) -> bool:
    return node.root in excluded or any(a in excluded for a in node.root.iterancestors())


def page_canonical_url(page: str | bytes) -> str:
    """The absolute canonical (or og:url) link of a page; ValueError when it has none."""
    if isinstance(page, bytes):
        page = page.decode("utf-8", errors="replace")
    selector = Selector(text=page)
    for candidate in (
        selector.css('link[rel="canonical"]::attr(href)').get(),
        selector.css('meta[property="og:url"]::attr(content)').get(),
    ):
        if candidate and candidate.strip().startswith(("http://", "https://")):
            return candidate.strip()
    raise ValueError("the page names no canonical URL; pass its URL with --url")


# --- which path produced a field -------------------------------------------------------

# The vocabulary of ``ArticleItem.extraction`` values: the site's selectors, the page's
# JSON-LD, its meta tags, the generic extractor, the page's <h1>, its <title>, a date
# found in the page text, or nothing found.
EXTRACTION_PATHS = frozenset(
    {"selector", "jsonld", "meta", "generic", "h1", "title_tag", "page_text", "none"}
)


def is_fallback(extraction: Mapping[str, str]) -> bool:
    """Whether a site parser's article was read by a fallback: its body did not come
    from the parser's own selectors (but from JSON-LD, the generic extractor, or
    nowhere). The ``parser_drift`` monitor and the spiders' ``extraction/fallback``
    stats count these per site. Only meaningful for a registered site's parser: the
    generic parser's bodies are "generic" by design. An empty mapping (an item from
    before extraction paths were recorded) is not a fallback."""
    body = extraction.get("body")
    return body is not None and body != "selector"


class ArticleParser:
    """Turns one article page into an ArticleItem. Subclasses set selectors."""

    name: ClassVar[str] = "generic"
    version: ClassVar[str] = "1"

    # The element(s) holding the article text.
    BODY_SELECTOR: ClassVar[str] = "article"
    # Paragraph elements inside BODY_SELECTOR; empty means walk the container's blocks.
    PARAGRAPH_SELECTOR: ClassVar[str] = ""
    # Furniture inside the body container: related stories, ads, share bars.
    EXCLUDE_SELECTORS: ClassVar[tuple[str, ...]] = ()
    # The article's own <img> elements; empty means every img in BODY_SELECTOR.
    IMAGE_SELECTOR: ClassVar[str] = ""
    TITLE_SELECTOR: ClassVar[str] = "h1"
    AUTHOR_SELECTOR: ClassVar[str] = ""
    TAG_SELECTOR: ClassVar[str] = ""
    DATE_SELECTOR: ClassVar[str] = ""
    # URL shapes of pages that are not articles even without telling JSON-LD.
    NON_ARTICLE_URLS: ClassVar[dict[str, str]] = {
        r"/videos?/": "video",
        r"/photos?/|/photo-gallery/|/gallery/|/photogallery/": "gallery",
        r"/live-updates?/|/live-blog/": "live",
    }

    # The path the parser's own body_paragraphs counts as ("generic" for GenericParser).
    BODY_PATH: ClassVar[str] = "selector"
    # A page with fewer sentence-like text and at least this many links, and no
    # article in its JSON-LD, is a listing (a section front, a search page).
    LISTING_MIN_LINKS: ClassVar[int] = 40

    def parse(self, page: str | bytes, url: str, site: str) -> ArticleItem:
        if isinstance(page, bytes):
            page = page.decode("utf-8", errors="replace")
        if "<" not in page:
            raise ParseError(f"{url}: not an HTML page")
        selector = Selector(text=page)
        ld = JsonLd.from_selector(selector)
        article = ld.article
        canonical = self.canonical_url(selector, article, url)
        item = ArticleItem(url=canonical, site=site, parser=f"{self.name}/v{self.version}")
        item.language = self.language(selector, article)
        publishers = self.publisher_names(selector, ld, article)
        hindi = hindi_page(selector, item.language)
        item.title, title_path = self.title_with_path(selector, article, publishers, hindi)
        item.description = self.description(selector, article)
        body, body_path = self.body_with_path(
            selector, page, url, ld, hindi, (item.description, item.title)
        )
        item.body = "\n\n".join(body)
        item.authors, item.agency, authors_path = self.byline(selector, article, publishers)
        item.published_at, date_path = self.published_with_path(selector, article, page, canonical)
        item.modified_at = self.modified_at(selector, article)
        item.section = self.section(selector, ld, article)
        item.tags = self.tags(selector, article)
        item.images = self.images(selector, article, canonical)
        has_body = plausible_body(item.body, hindi)
        item.page_type = self.page_type(ld, canonical, selector, has_body)
        item.extraction = {
            "title": title_path,
            "body": body_path,
            "published_at": date_path,
            "authors": authors_path,
        }
        return item

    # --- fields -----------------------------------------------------------

    def canonical_url(self, selector: Selector, article: dict[str, Any], url: str) -> str:
        for candidate in (
            selector.css('link[rel="canonical"]::attr(href)').get(),
            selector.css('meta[property="og:url"]::attr(content)').get(),
        ):
            if candidate and candidate.strip().startswith(("http://", "https://", "/")):
                return urljoin(url, candidate.strip())
        return url

    def title(self, selector: Selector, article: dict[str, Any]) -> str:
        """The headline (see :meth:`title_with_path`)."""
        ld = JsonLd([article] if article else [])
        return self.title_with_path(selector, article, self.publisher_names(selector, ld, article))[
            0
        ]

    def title_with_path(
        self,
        selector: Selector,
        article: dict[str, Any],
        publishers: set[str] = frozenset(),  # type: ignore[assignment]
        hindi: bool = False,
    ) -> tuple[str, str]:
        """(headline, path): the visible headline (the title selector's, else the <h1>)
        when it agrees with the page's metadata, else the JSON-LD headline, og:title or
        <title> (crawler/parsing/titles.py)."""
        return titles.title_with_path(selector, article, publishers, hindi, self.TITLE_SELECTOR)

    def publisher_names(self, selector: Selector, ld: JsonLd, article: dict[str, Any]) -> set[str]:
        """The site's and publisher's names (squashed): never an author, never a title."""
        return titles.publisher_names(selector, ld, article)

    def description(self, selector: Selector, article: dict[str, Any]) -> str:
        return (
            clean_value(article.get("description"))
            or clean_value(selector.css('meta[name="description"]::attr(content)').get())
            or clean_value(selector.css('meta[property="og:description"]::attr(content)').get())
        )

    def body_with_path(
        self,
        selector: Selector,
        page: str,
        url: str,
        ld: JsonLd,
        hindi: bool,
        copies: tuple[str, ...] = (),
    ) -> tuple[list[str], str]:
        """(paragraphs, path): the parser's own body, else the JSON-LD articleBody (or a
        live blog's entries), else the generic extractor: the first plausible one. With
        none plausible, the first that found anything (validation judges it)."""

        def own() -> list[str]:
            return self.body_paragraphs(selector, page, url)

        def from_jsonld() -> list[str]:
            live = live_entries(ld)
            if live:
                return live
            return article_body_paragraphs(ld.article)

        def generic() -> list[str]:
            return generic_paragraphs(selector, page, url, ld.article)

        steps = [(own, self.BODY_PATH), (from_jsonld, "jsonld")]
        if self.BODY_PATH != "generic":
            steps.append((generic, "generic"))
        found: list[tuple[list[str], str]] = []
        for step, path in steps:
            paragraphs = step()
            if plausible_body("\n".join(paragraphs), hindi, copies):
                if path == "jsonld" and self.BODY_PATH != "generic" and len(paragraphs) == 1:
                    # One run without breaks: the page's own paragraphs, when they hold
                    # the same text, keep the breaks (and a lead the CMS left out of it).
                    paged = generic()
                    if holds("\n".join(paged), paragraphs[0]):
                        return paged, "generic"
                return paragraphs, path
            found.append((paragraphs, path))
        for paragraphs, path in found:
            text = "\n".join(paragraphs)
            # Never an English widget or menu for a Hindi page's story.
            if text and not (hindi and devanagari_share(text) < MIN_DEVANAGARI_SHARE):
                return paragraphs, path
        return [], "none"

    def body_paragraphs(self, selector: Selector, page: str, url: str) -> list[str]:
        """The article's paragraphs as the site's selectors find them."""
        containers = selector.css(self.BODY_SELECTOR) if self.BODY_SELECTOR else []
        if not self.PARAGRAPH_SELECTOR:
            return blocks.paragraphs(containers, self.EXCLUDE_SELECTORS)
        excluded = self.excluded_elements(selector)
        found = [
            blocks.element_text(p)
            for container in containers
            for p in container.css(self.PARAGRAPH_SELECTOR)
            if not _inside(p, excluded)
        ]
        return [p for p in found if p]

    def excluded_elements(self, selector: Selector) -> set[Any]:
        return {match.root for css in self.EXCLUDE_SELECTORS for match in selector.css(css)}

    def authors(self, selector: Selector, article: dict[str, Any]) -> list[str]:
        """The bylined people (see :meth:`byline`)."""
        ld = JsonLd([article] if article else [])
        return self.byline(selector, article, self.publisher_names(selector, ld, article))[0]

    def byline(
        self, selector: Selector, article: dict[str, Any], publishers: set[str]
    ) -> tuple[list[str], list[str], str]:
        """(people, agencies, path): the first of the site's author selector, the
        JSON-LD authors (not organisations) and the meta author that names a person.
        Agencies are gathered from all three."""
        steps: list[tuple[list[str], str]] = []
        if self.AUTHOR_SELECTOR:
            steps.append(
                (selector.css(self.AUTHOR_SELECTOR).xpath("string()").getall(), "selector")
            )
        steps.append((person_names(article.get("author")), "jsonld"))
        steps.append((selector.css('meta[name="author"]::attr(content)').getall(), "meta"))
        people: list[str] = []
        agencies: list[str] = []
        path = "none"
        for bylines, step_path in steps:
            for text in bylines:
                named, agency = split_byline(text, publishers)
                agencies += agency
                if path in ("none", step_path):
                    people += named
            if people and path == "none":
                path = step_path
        return _unique(people), _unique(agencies), path

    def published_at(
        self, selector: Selector, article: dict[str, Any], page: str = "", url: str = ""
    ) -> datetime | None:
        return self.published_with_path(selector, article, page, url)[0]

    def published_with_path(
        self, selector: Selector, article: dict[str, Any], page: str = "", url: str = ""
    ) -> tuple[datetime | None, str]:
        """(date, path): JSON-LD, meta tags, the site's date selector, the page text
        (crawler/parsing/pagedates.py)."""
        return pagedates.published_with_path(selector, article, page, url, self.DATE_SELECTOR)

    def modified_at(self, selector: Selector, article: dict[str, Any]) -> datetime | None:
        return pagedates.modified_at(selector, article)

    def section(self, selector: Selector, ld: JsonLd, article: dict[str, Any]) -> str:
        crumbs = ld.breadcrumbs()
        if len(crumbs) >= 3:  # home, section, ..., the article itself
            return clean_value(crumbs[1])
        section = article.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else ""
        return clean_value(section) or clean_value(
            selector.css('meta[property="article:section"]::attr(content)').get()
        )

    def tags(self, selector: Selector, article: dict[str, Any]) -> list[str]:
        keywords = article.get("keywords")
        if not keywords and self.TAG_SELECTOR:
            keywords = selector.css(self.TAG_SELECTOR).xpath("string()").getall()
        if not keywords:
            keywords = selector.css('meta[name="news_keywords"]::attr(content)').get() or (
                selector.css('meta[name="keywords"]::attr(content)').get()
            )
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        return _unique([clean_value(k) for k in keywords or [] if isinstance(k, str)])

    def images(self, selector: Selector, article: dict[str, Any], url: str) -> list[dict[str, str]]:
        found = image_objects(article.get("image"))
        if not found:
            og = selector.css('meta[property="og:image"]::attr(content)').get()
            found = [{"url": og, "caption": ""}] if og else []
        excluded = self.excluded_elements(selector)
        image_css = self.IMAGE_SELECTOR or (self.BODY_SELECTOR and f"{self.BODY_SELECTOR} img")
        for img in selector.css(image_css) if image_css else []:
            src = (img.attrib.get("data-src") or img.attrib.get("src") or "").strip()
            if not src or _inside(img, excluded):
                continue
            caption = img.xpath("ancestor::figure[1]//figcaption").xpath("string()").get()
            found.append({"url": src, "caption": caption or img.attrib.get("alt", "")})
        return distinct_photos(found, url)

    def language(self, selector: Selector, article: dict[str, Any]) -> str:
        for value in (
            article.get("inLanguage"),
            selector.xpath("/html/@lang").get(),
            selector.css('meta[property="og:locale"]::attr(content)').get(),
            selector.css('meta[http-equiv="content-language"]::attr(content)').get(),
        ):
            if isinstance(value, str) and value.strip():
                return re.split(r"[-_]", value.strip().lower())[0]
        return ""

    def page_type(
        self, ld: JsonLd, url: str, selector: Selector | None = None, has_body: bool = True
    ) -> str:
        """article, video, gallery, live, home or listing ("unknown" when nothing tells).

        The site root is the home page whatever its og:type claims. JSON-LD names media
        pages; so do URL shapes. A page with many links whose JSON-LD lists several
        stories, or that has neither an article in its JSON-LD nor an article-sized
        body, is a listing (a section front)."""
        parts = urlsplit(url)
        path = parts.path
        if path.strip("/") == "" or re.fullmatch(r"/(?:index|home|default)\.\w+", path):
            return "home"
        declared = ld.page_type()
        if declared and declared != "article":
            return declared
        for pattern, page_type in self.NON_ARTICLE_URLS.items():
            if re.search(pattern, path):
                return page_type
        if declared == "article" and ld.article_count() < 3:
            # Even without a body found: a missed body is retried, a listing is not.
            return "article"
        links = len(selector.css("a[href]")) if selector is not None else 0
        if links >= self.LISTING_MIN_LINKS and (declared == "article" or not has_body):
            return "listing"
        return "article" if has_body else "unknown"


def live_entries(ld: JsonLd) -> list[str]:
    """A live blog's entries (headline and text of each liveBlogUpdate), in page order."""
    live = ld.first({"LiveBlogPosting"})
    updates = live.get("liveBlogUpdate") if live else None
    out: list[str] = []
    for update in updates if isinstance(updates, list) else [updates] if updates else []:
        if not isinstance(update, dict):
            continue
        for key in ("headline", "articleBody"):
            text = clean_value(update.get(key))
            if text and text not in out:
                out.append(text)
    return out


def generic_paragraphs(
    selector: Selector,
    page: str,
    url: str,
    article: dict[str, Any],
    reader: ArticleParser | None = None,
) -> list[str]:
    """The body as the generic parser finds it (crawler/parsing/maintext.py), with the
    headline and language as ``reader`` reads them: by default as on a site without
    selectors, since a site's own selectors may be what failed."""
    plain = reader or ArticleParser()
    return main_text(
        selector,
        page,
        url,
        article=article,
        title=plain.title(selector, article),
        language=plain.language(selector, article),
    )
