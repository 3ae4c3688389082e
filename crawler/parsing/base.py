"""The parser every site parser derives from.

Order of trust, field by field: the page's JSON-LD NewsArticle, then the
site's own selectors (class constants of the subclass), then the page's
meta tags. A site parser is usually only selectors.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.dates import date_from_page, find_date, first_valid_date, not_in_future, parse_date
from crawler.items import ArticleItem
from crawler.parsing import blocks
from crawler.parsing.jsonld import JsonLd, image_objects, names


class ParseError(ValueError):
    """The page cannot be read as HTML at all."""


def _clean(value: Any) -> str:
    return blocks.collapse(html.unescape(value)) if isinstance(value, str) else ""


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if v and not (v in seen or seen.add(v))]


# Icons, logos, app badges, placeholders and tracking pixels are not article images.
_NOT_A_PHOTO = re.compile(
    r"^data:|\.svg(\?|$)|\.gif(\?|$)|logo|icon|sprite|qr-|default_\d+\.png|nopreview|placeholder",
    re.I,
)


def _inside(node: Selector, excluded: set[Any]) -> bool:
    return node.root in excluded or any(a in excluded for a in node.root.iterancestors())


# Meta tags that carry dates, in order of trust after JSON-LD.
_PUBLISHED_META = (
    'meta[property="article:published_time"]',
    'meta[property="article:published_date"]',
    'meta[itemprop="datePublished"]',
)
_MODIFIED_META = (
    'meta[property="article:modified_time"]',
    'meta[property="article:modified_date"]',
)


def _first_date(
    selector: Selector, jsonld_value: Any, meta_css: tuple[str, ...]
) -> datetime | None:
    """The JSON-LD date if it parses, else the first meta tag's date that does."""
    candidates = [jsonld_value, *(selector.css(f"{css}::attr(content)").get() for css in meta_css)]
    return next((d for d in map(parse_date, candidates) if d is not None), None)


def _image_key(url: str) -> str:
    # CDNs serve one picture under resized paths (thumb/1200x900/...); the
    # file name is what identifies it.
    return urlsplit(url).path.rsplit("/", 1)[-1] or url


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
        item.title = self.title(selector, article)
        item.description = self.description(selector, article)
        item.body = "\n\n".join(self.body_paragraphs(selector, page, url))
        item.authors = self.authors(selector, article)
        item.published_at = self.published_at(selector, article, page, canonical)
        item.modified_at = self.modified_at(selector, article)
        item.section = self.section(selector, ld, article)
        item.tags = self.tags(selector, article)
        item.images = self.images(selector, article, canonical)
        item.language = self.language(selector, article)
        item.page_type = self.page_type(ld, canonical)
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
        return (
            _clean(article.get("headline"))
            or (
                self.TITLE_SELECTOR
                and blocks.collapse(
                    " ".join(selector.css(self.TITLE_SELECTOR).xpath("string()").getall()[:1])
                )
            )
            or _clean(selector.css('meta[property="og:title"]::attr(content)').get())
        )

    def description(self, selector: Selector, article: dict[str, Any]) -> str:
        return (
            _clean(article.get("description"))
            or _clean(selector.css('meta[name="description"]::attr(content)').get())
            or _clean(selector.css('meta[property="og:description"]::attr(content)').get())
        )

    def body_paragraphs(self, selector: Selector, page: str, url: str) -> list[str]:
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
        found = [_clean(n) for n in names(article.get("author"))]
        if not found and self.AUTHOR_SELECTOR:
            found = [
                _clean(t) for t in selector.css(self.AUTHOR_SELECTOR).xpath("string()").getall()
            ]
        if not found:
            found = [_clean(selector.css('meta[name="author"]::attr(content)').get())]
        return _unique(found)

    def published_at(
        self, selector: Selector, article: dict[str, Any], page: str = "", url: str = ""
    ) -> datetime | None:
        candidates = [article.get("datePublished")]
        candidates += [selector.css(f"{css}::attr(content)").get() for css in _PUBLISHED_META]
        found = first_valid_date(candidates)  # a future JSON-LD date falls through to meta
        if found is None and self.DATE_SELECTOR:
            text = selector.css(self.DATE_SELECTOR).xpath("string()").get() or ""
            found = not_in_future(find_date(blocks.collapse(text)))
        if found is None and page:
            found = date_from_page(page, url)  # htmldate and datelines in the page text
        return found

    def modified_at(self, selector: Selector, article: dict[str, Any]) -> datetime | None:
        return _first_date(selector, article.get("dateModified"), _MODIFIED_META)

    def section(self, selector: Selector, ld: JsonLd, article: dict[str, Any]) -> str:
        crumbs = ld.breadcrumbs()
        if len(crumbs) >= 3:  # home, section, ..., the article itself
            return _clean(crumbs[1])
        section = article.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else ""
        return _clean(section) or _clean(
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
        return _unique([_clean(k) for k in keywords or [] if isinstance(k, str)])

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
        images: dict[str, dict[str, str]] = {}
        for image in found:
            absolute = urljoin(url, image["url"].strip())
            if _NOT_A_PHOTO.search(absolute):
                continue
            key = _image_key(absolute)
            caption = _clean(image["caption"])
            if key not in images:
                images[key] = {"url": absolute, "caption": caption}
            elif not images[key]["caption"]:
                images[key]["caption"] = caption
        return list(images.values())

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

    def page_type(self, ld: JsonLd, url: str) -> str:
        declared = ld.page_type()
        if declared and declared != "article":
            return declared
        path = urlsplit(url).path
        for pattern, page_type in self.NON_ARTICLE_URLS.items():
            if re.search(pattern, path):
                return page_type
        return "article" if declared == "article" else "unknown"
