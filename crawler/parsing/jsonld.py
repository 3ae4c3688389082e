"""schema.org JSON-LD as news pages ship it: several script blocks, @graph
wrappers, lists, and now and then raw control characters, trailing commas,
comments, CDATA/HTML-comment wrappers or unescaped quotes that strict JSON
rejects (real TV9 and Jagran pages). A block strict ``json.loads`` refuses is
repaired with json_repair; values of the wrong JSON type (a number where a
string belongs) are left for the field readers to ignore, never an error."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import json_repair
from parsel import Selector

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
    }
)
NON_ARTICLE_TYPES = {
    "VideoObject": "video",
    "ImageGallery": "gallery",
    "MediaGallery": "gallery",
    "LiveBlogPosting": "live",
}
# Organisations, not people: an author of these types is not a byline.
ORGANIZATION_TYPES = frozenset(
    {"Organization", "NewsMediaOrganization", "Corporation", "WebSite", "Brand"}
)
_WRAPPERS = re.compile(r"^\s*(<!--|(//\s*)?<!\[CDATA\[)|(-->|(//\s*)?\]\]>)\s*$")
# Control characters other than tab/newline/CR: strict=False admits those three only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _unescape_slashes(node: Any) -> Any:
    """json_repair keeps ``\\/`` escapes in strings; JSON means a plain slash."""
    if isinstance(node, str):
        return node.replace("\\/", "/")
    if isinstance(node, list):
        return [_unescape_slashes(v) for v in node]
    if isinstance(node, dict):
        return {k: _unescape_slashes(v) for k, v in node.items()}
    return node


def decode(text: str) -> Any:
    """One JSON-LD block, strictly if it parses, else repaired; ValueError when
    nothing object-like can be read from it."""
    text = _CONTROL.sub(" ", _WRAPPERS.sub("", text.strip()))
    try:
        # strict=False admits raw newlines and tabs inside strings, which CMS
        # templates emit when they paste an article description verbatim.
        return json.loads(text, strict=False)
    except ValueError:
        pass
    repaired = json_repair.loads(text)
    if not isinstance(repaired, dict | list) or not repaired:
        raise ValueError("not a JSON-LD object")
    return _unescape_slashes(repaired)


def _flatten(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for element in node:
            yield from _flatten(element)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _flatten(node["@graph"])


def types_of(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", [])
    if isinstance(kind, str):
        return {kind.removeprefix("http://schema.org/").removeprefix("https://schema.org/")}
    return {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()


class JsonLd:
    """All JSON-LD objects of a page, flattened."""

    def __init__(self, objects: list[dict[str, Any]], errors: int = 0) -> None:
        self.objects = objects
        self.errors = errors  # blocks that did not decode

    @classmethod
    def from_selector(cls, selector: Selector) -> JsonLd:
        objects: list[dict[str, Any]] = []
        errors = 0
        for text in selector.xpath('//script[@type="application/ld+json"]/text()').getall():
            try:
                objects.extend(_flatten(decode(text)))
            except (ValueError, RecursionError):
                errors += 1
                logger.debug("JSON-LD block not readable even when repaired: %.80r", text)
        return cls(objects, errors)

    def first(self, types: frozenset[str] | set[str]) -> dict[str, Any]:
        for obj in self.objects:
            if types_of(obj) & types:
                return obj
        return {}

    @property
    def article(self) -> dict[str, Any]:
        return self.first(ARTICLE_TYPES)

    def article_count(self) -> int:
        """How many distinct stories the JSON-LD describes (a listing names several)."""
        keys = {
            str(o.get("url") or o.get("@id") or o.get("headline") or id(o))
            for o in self.objects
            if types_of(o) & ARTICLE_TYPES
        }
        return len(keys)

    def page_type(self) -> str:
        """'article' when a NewsArticle is present, else the kind of media page, else ''."""
        kinds = set().union(*(types_of(o) for o in self.objects)) if self.objects else set()
        if kinds & (ARTICLE_TYPES - {"LiveBlogPosting"}):
            return "article"
        for kind, page_type in NON_ARTICLE_TYPES.items():
            if kind in kinds:
                return page_type
        return ""

    def breadcrumbs(self) -> list[str]:
        crumbs = self.first({"BreadcrumbList"}).get("itemListElement") or []
        named = []
        for element in crumbs if isinstance(crumbs, list) else []:
            if not isinstance(element, dict):
                continue
            item = element.get("item")
            name = element.get("name") or (item.get("name") if isinstance(item, dict) else None)
            position = element.get("position", len(named) + 1)
            if isinstance(name, str):
                named.append((int(position) if str(position).isdigit() else len(named) + 1, name))
        return [name for _, name in sorted(named, key=lambda pair: pair[0])]


def names(value: Any) -> list[str]:
    """Names from a schema.org author/creator value: a string, a Person, or a list."""
    out: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            out.append(entry["name"])
    return out


def image_objects(value: Any) -> list[dict[str, str]]:
    """(url, caption) pairs from a schema.org image value."""
    out: list[dict[str, str]] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            out.append({"url": entry, "caption": ""})
        elif isinstance(entry, dict):
            url = entry.get("url") or entry.get("contentUrl")
            urls = url if isinstance(url, list) else [url]
            caption = entry.get("caption") or entry.get("description") or ""
            out.extend(
                {"url": u, "caption": caption if isinstance(caption, str) else ""}
                for u in urls
                if isinstance(u, str)
            )
    return out
