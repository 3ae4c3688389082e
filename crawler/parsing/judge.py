"""Judgements on text found in a page, for the parsers' fallback chains: is a body
plausible for an article, is a heading the story's headline, is the page Hindi,
what is a <title> without its site name, what are the paragraphs of a JSON-LD
articleBody."""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

from parsel import Selector

from crawler.parsing import blocks
from crawler.parsing.bylines import squash
from crawler.text.fold import fold_text

# --- plausibility ---------------------------------------------------------------------

# A body shorter than this, or with fewer sentence ends, is not taken for an article
# from one path while another path may have more; 200 is also what validation requires.
MIN_BODY_CHARS = 200
MIN_BODY_SENTENCES = 2
# On a Hindi page at least this share of a body's letters are Devanagari (an English
# weather table, menu or ad text is not the story).
MIN_DEVANAGARI_SHARE = 0.5
# Sentence ends: danda (or the "|" typed for one), ?, !, and a full stop before a space.
_SENTENCE_END = re.compile(r"[।?!|]|\.(?:\s|$)")
ELLIPSIS = re.compile(r"\s*(?:\.{3}|…)\s*$")


def devanagari_share(text: str) -> float:
    """The share of the letters in ``text`` that are Devanagari (0.0 without letters)."""
    counts = Counter(text)  # each distinct character judged once
    devanagari = sum(n for c, n in counts.items() if "\u0900" <= c <= "\u097f" and c.isalpha())
    latin = sum(n for c, n in counts.items() if c.isascii() and c.isalpha())
    return devanagari / (devanagari + latin) if devanagari + latin else 0.0


def plausible_body(body: str, hindi: bool, copies: tuple[str, ...] = ()) -> bool:
    """A body worth taking: article-sized (MIN_BODY_CHARS and MIN_BODY_SENTENCES),
    mostly Devanagari on a Hindi page, and not merely the description or title again."""
    text = " ".join(body.split())
    if len(text) < MIN_BODY_CHARS or len(_SENTENCE_END.findall(text)) < MIN_BODY_SENTENCES:
        return False
    if hindi and devanagari_share(text) < MIN_DEVANAGARI_SHARE:
        return False
    folded = fold_text(text)
    return not any(copy and folded in fold_text(copy) for copy in copies)


def heading_text(node: Selector) -> str:
    """A heading's text; inline parts that end in punctuation get a space after them
    (Bhaskar's "<span>kicker:</span>headline")."""
    parts = node.xpath(".//text()[not(ancestor::script or ancestor::style)]").getall()
    text = ""
    for part in parts:
        if text and not text[-1].isspace() and text[-1] in ":;,।|!?" and part[:1].strip():
            text += " "
        text += part
    return blocks.collapse(html.unescape(text))


def heading_agrees(shown: str, references: list[str]) -> bool:
    """Whether a visible heading is the story's headline as the page's metadata name it
    (and not a logo, a section name or another story's heading)."""
    if not references:
        return len(shown.split()) >= 3
    mine = fold_text(shown)
    words = set(mine.split())
    for reference in map(fold_text, references):
        reference = ELLIPSIS.sub("", reference)
        if mine in reference or reference in mine:
            return True
        theirs = set(reference.split())
        if words and len(words & theirs) >= 0.6 * len(words):
            return True
    return False


# Separators between a headline and the site name or SEO keywords in <title>.
TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|\s*\|\s*")


def strip_title_tag(title: str, site_names: set[str], hindi: bool) -> str:
    """A <title> without the site name and the SEO parts sites glue to it ("English
    headline | हिंदी हेडलाइन | Hindi News, देश", "Headline - Dainik Bhaskar"): the part
    that is not a site name and, on a Hindi page, the most Devanagari one."""
    parts = [p.strip() for p in TITLE_PARTS.split(blocks.collapse(title)) if p.strip()]
    named = {squash(n) for n in site_names}
    parts = [p for p in parts if squash(p) not in named] or parts
    if not parts:
        return ""
    if hindi:
        return max(parts, key=lambda p: (devanagari_share(p) >= 0.5, len(p)))
    return max(parts, key=len)


def hindi_page(selector: Selector, language: str) -> bool:
    """Hindi by its declared language or by its headings (some Hindi pages say "en", many
    declare nothing): the rule that keeps an English widget from being a Hindi story."""
    return language == "hi" or devanagari_share(page_sample(selector)) >= 0.5


def page_sample(selector: Selector) -> str:
    """Text that tells the page's language: its title and headings."""
    return " ".join(selector.css("title::text, h1 *::text, h1::text, h2::text").getall())


def holds(text: str, run: str) -> bool:
    """Whether ``text`` holds nearly all sentences of ``run`` (a one-paragraph body)."""
    folded = fold_text(text)
    sentences = [s for s in re.split(r"(?<=[।?!.])\s+", fold_text(run)) if len(s) > 15]
    if not sentences:
        return False
    return sum(1 for s in sentences if s in folded) >= 0.8 * len(sentences)


_BREAKS = re.compile(r"(?i)<\s*(?:br|/p|/div|/h\d|/li)\s*/?>|\n")
_TAG = re.compile(r"<[^>]+>")


def article_body_paragraphs(article: dict[str, Any]) -> list[str]:
    """The JSON-LD articleBody as paragraphs: its line breaks (or the HTML breaks some
    CMSs leave in it) end a paragraph."""
    value = article.get("articleBody")
    if isinstance(value, list):
        value = "\n".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return []
    text = _TAG.sub(" ", _BREAKS.sub("\n", value))
    return [p for p in (blocks.collapse(html.unescape(line)) for line in text.split("\n")) if p]
