"""The article item that flows from parsers through the pipelines into MongoDB.

Each field says in its metadata where it shows: ``public`` (what ``extract``
prints), ``export`` (``export`` columns), ``filter`` (``query --where``),
``sort`` (``query --sort``), ``coverage`` (counted by the coverage pipeline for the
field_coverage monitor). ``ArticleItem.fields_with(role)`` lists them, in field
order; nothing else keeps a copy of these lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any

# Page types the parsers recognise as not being articles: never stored, never counted
# as articles. A page of unknown type (no JSON-LD) is judged by its fields; a live
# blog is stored as one article.
NON_ARTICLE_PAGE_TYPES = frozenset({"video", "gallery", "home", "listing"})

ROLES = frozenset({"public", "export", "filter", "sort", "coverage"})


def shown(*roles: str) -> dict[str, frozenset[str]]:
    """Field metadata: where the field shows (see the module docstring)."""
    unknown = set(roles) - ROLES
    assert not unknown, f"unknown field roles {unknown}"
    return {"roles": frozenset(roles)}


@dataclass
class ArticleItem:
    """One news article.

    Parsers fill the raw fields; pipelines normalize them (clean), drop what is
    not an article (validate), and add ``category`` (classify). Dates are
    timezone-aware; the store writes them as UTC.
    """

    url: str = field(metadata=shown("public", "export", "filter"))
    site: str = field(metadata=shown("public", "export", "filter", "sort"))
    title: str = field(default="", metadata=shown("public", "export", "sort", "coverage"))
    description: str = field(default="", metadata=shown("public", "export", "coverage"))
    # Paragraphs separated by one blank line.
    body: str = field(default="", metadata=shown("public", "export", "coverage"))
    authors: list[str] = field(
        default_factory=list, metadata=shown("public", "export", "filter", "coverage")
    )
    # News agencies the byline names (PTI, IANS, भाषा...); they are not `authors`.
    agency: list[str] = field(default_factory=list, metadata=shown("public"))
    published_at: datetime | None = field(
        default=None, metadata=shown("public", "export", "sort", "coverage")
    )
    modified_at: datetime | None = field(default=None, metadata=shown("public", "export"))
    # As the site names it.
    section: str = field(default="", metadata=shown("public", "export", "filter", "coverage"))
    tags: list[str] = field(
        default_factory=list, metadata=shown("public", "export", "filter", "coverage")
    )
    # {"url", "caption"} each.
    images: list[dict[str, str]] = field(default_factory=list, metadata=shown("public", "coverage"))
    language: str = field(default="", metadata=shown("public", "export", "filter"))
    # One of the 11 categories or "other"; source "section", "model" or "model_over_section".
    category: str = field(
        default="", metadata=shown("public", "export", "filter", "sort", "coverage")
    )
    # "article", "video", "gallery", "live", "listing", "home" or "unknown" (from the parser);
    # a live blog is stored as one article with its entries in order in the body.
    page_type: str = field(default="article", metadata=shown("public"))
    # Which path produced each field: {"title": "h1", "body": "selector", ...}, values
    # from crawler.parsing.base.EXTRACTION_PATHS; see crawler.parsing.base.is_fallback.
    extraction: dict[str, str] = field(default_factory=dict, metadata=shown("public"))
    # Language as identified from the text (ISO 639-1) and how sure; `language` is the page's own.
    detected_language: str = ""
    language_confidence: float | None = None
    # Quality flags from cleaning and language checks, e.g. "legacy_font".
    text_flags: list[str] = field(default_factory=list)
    category_source: str = field(default="", metadata=shown("export", "filter"))
    category_confidence: float | None = field(default=None, metadata=shown("export"))
    category_top: list[dict[str, float | str]] = field(default_factory=list)
    # Enrichment: Indian states (regions), places, political parties, people.
    regions: list[str] = field(default_factory=list, metadata=shown("export", "filter"))
    places: list[str] = field(default_factory=list, metadata=shown("export", "filter"))
    parties: list[str] = field(default_factory=list, metadata=shown("export", "filter"))
    people: list[str] = field(default_factory=list, metadata=shown("export", "filter"))
    # Normalized Hindi tokens for search (NFC, nukta-folded, Latin lowercased, no stop-words).
    search_tokens: list[str] = field(default_factory=list)
    # Near-duplicate cluster across sites; duplicate_of is the earliest copy's URL.
    cluster_id: str = field(default="", metadata=shown("export", "filter"))
    duplicate_of: str = field(default="", metadata=shown("export", "filter"))
    fetched_at: datetime | None = None
    # The sitemap/feed lastmod the article was listed with when fetched.
    listed_modified_at: datetime | None = None
    parser: str = ""  # which parser (and version) produced the fields

    @classmethod
    def fields_with(cls, role: str) -> tuple[str, ...]:
        """The names of the fields that show as ``role``, in field order."""
        return _fields_with(cls, role)

    @classmethod
    def list_fields(cls) -> frozenset[str]:
        """Fields holding a list: a filter on one matches an element."""
        return frozenset(f.name for f in fields(cls) if f.default_factory is list)

    def public_dict(self) -> dict[str, Any]:
        """The stable, JSON-ready view used by `extract` and tests."""
        out: dict[str, Any] = {}
        for name in self.fields_with("public"):
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out


@cache
def _fields_with(cls: type[ArticleItem], role: str) -> tuple[str, ...]:
    assert role in ROLES, f"unknown field role {role!r}"
    return tuple(f.name for f in fields(cls) if role in f.metadata.get("roles", ()))
