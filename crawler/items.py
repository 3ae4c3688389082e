"""The article item that flows from parsers through the pipelines into MongoDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Page types the parsers recognise as not being articles: never stored, never counted
# as articles. A page of unknown type (no JSON-LD) is judged by its fields; a live
# blog is stored as one article.
NON_ARTICLE_PAGE_TYPES = frozenset({"video", "gallery", "home", "listing"})


@dataclass
class ArticleItem:
    """One news article.

    Parsers fill the raw fields; pipelines normalize them (clean), drop what is
    not an article (validate), and add ``category`` (classify). Dates are
    timezone-aware; the store writes them as UTC.
    """

    url: str
    site: str
    title: str = ""
    description: str = ""
    body: str = ""  # paragraphs separated by one blank line
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    section: str = ""  # as the site names it
    tags: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)  # {"url", "caption"}
    language: str = ""
    # "article", "video", "gallery", "live", "listing", "home" or "unknown" (from the parser);
    # a live blog is stored as one article with its entries in order in the body.
    page_type: str = "article"
    # News agencies the byline names (PTI, IANS, भाषा...); they are not `authors`.
    agency: list[str] = field(default_factory=list)
    # Which path produced each field: {"title": "h1", "body": "selector", ...}, values
    # from crawler.parsing.base.EXTRACTION_PATHS; see crawler.parsing.base.is_fallback.
    extraction: dict[str, str] = field(default_factory=dict)
    # Language as identified from the text (ISO 639-1) and how sure; `language` is the page's own.
    detected_language: str = ""
    language_confidence: float | None = None
    # Quality flags from cleaning and language checks, e.g. "legacy_font".
    text_flags: list[str] = field(default_factory=list)
    # One of the 11 categories or "other"; source "section" or "model".
    category: str = ""
    category_source: str = ""
    category_confidence: float | None = None
    category_top: list[dict[str, float | str]] = field(default_factory=list)
    # Enrichment: Indian states (regions), places, political parties, people.
    regions: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    # Normalized Hindi tokens for search (NFC, nukta-folded, Latin lowercased, no stop-words).
    search_tokens: list[str] = field(default_factory=list)
    # Near-duplicate cluster across sites; duplicate_of is the earliest copy's URL.
    cluster_id: str = ""
    duplicate_of: str = ""
    fetched_at: datetime | None = None
    # The sitemap/feed lastmod the article was listed with when fetched.
    listed_modified_at: datetime | None = None
    parser: str = ""  # which parser (and version) produced the fields

    # Fields the `extract` command prints, in this order.
    PUBLIC_FIELDS = (
        "url",
        "site",
        "title",
        "description",
        "body",
        "authors",
        "agency",
        "published_at",
        "modified_at",
        "section",
        "tags",
        "images",
        "language",
        "category",
        "page_type",
        "extraction",
    )

    def public_dict(self) -> dict[str, Any]:
        """The stable, JSON-ready view used by `extract` and tests."""
        out: dict[str, Any] = {}
        for name in self.PUBLIC_FIELDS:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out
