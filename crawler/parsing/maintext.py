"""The main text of an article page of any site: what the generic parser reads as the
body, and what a site's parser falls back to when its own selectors find none.

The body comes from three sources, each doing what it is best at:

1. The page's own structure (crawler/parsing/density.py): text-rich, link-poor
   blocks and their text-rich siblings, furniture inside them left out by what it is.
2. JSON-LD ``articleBody``, the publisher's own text of the article: where a page has
   one, only the page paragraphs it contains are kept (and a lead of running text
   before them, which some CMSs leave out of it), and where it is complete and the
   page structure yields less, it is the body.
3. trafilatura, a well-kept extractor built on other heuristics, when neither of the
   above finds an article-sized text (unusual markup, frames of tables); on a Hindi
   page never an English text.

The project's cleaning (pipelines/clean.py) then removes the labels and teasers that
remain inside paragraphs.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from typing import Any

import trafilatura
from parsel import Selector

from crawler.parsing.density import SENTENCE_END, DensityExtractor, norm
from crawler.parsing.judge import MIN_DEVANAGARI_SHARE, devanagari_share, hindi_page

logger = logging.getLogger(__name__)

# Less running text than this from the page structure is not taken for an article.
MIN_BODY_CHARS = 150


def main_text(
    selector: Selector, page: str, url: str, *, article: dict[str, Any], title: str, language: str
) -> list[str]:
    """The article's paragraphs: the page structure checked against the JSON-LD
    ``article``'s articleBody, else trafilatura's text when that is longer. ``title`` is
    the page's headline (never a paragraph of the body), ``language`` its declared one."""
    # Judged on the page's headings, not only on the chosen title: a page whose <title>
    # is an English slug still has a Hindi story (and an English widget beside it).
    hindi = hindi_page(selector, language) or devanagari_share(title) >= 0.5
    try:
        found = DensityExtractor(copy.deepcopy(selector.root), title, hindi).paragraphs()
    except RecursionError:  # tags nested beyond Python's stack: let trafilatura try
        found = []
    source = "structure"
    article_body = article_body_text(article)
    if article_body:
        found = reconcile_with_article_body(found, article_body)
        source = "structure+articleBody"
    if sum(len(norm(p)) for p in found) < MIN_BODY_CHARS:
        fallback = trafilatura_paragraphs(page, url)
        foreign = hindi and devanagari_share(" ".join(fallback)) < MIN_DEVANAGARI_SHARE
        if sum(map(len, fallback)) > sum(map(len, found)) and not foreign:
            found, source = fallback, "trafilatura"
    logger.debug("Generic body of %s from %s: %d paragraphs", url, source, len(found))
    return found


# --- JSON-LD articleBody ------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
# A complete articleBody shorter than this is not trusted over the page.
MIN_ARTICLE_BODY_CHARS = 200
_SENTENCE_SPLIT = re.compile(r"(?<=[।?!.])\s+")


def article_body_text(article: dict[str, Any]) -> str:
    """The JSON-LD articleBody as plain text (some CMSs put HTML in it)."""
    value = article.get("articleBody")
    if isinstance(value, list):
        value = " ".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return ""
    return norm(html.unescape(_TAG.sub(" ", value)))


def _truncated(text: str) -> bool:
    return text.endswith(("...", "…")) or not SENTENCE_END.search(text[-3:] + " ")


def _covered(paragraph: str, reference: str) -> bool:
    """Whether the reference text contains the paragraph, sentence by sentence."""
    text = norm(paragraph)
    if text in reference:
        return True
    sentences = [s for s in _SENTENCE_SPLIT.split(text) if s]
    found = sum(len(s) for s in sentences if s in reference)
    return found >= 0.6 * len(text)


def _lead_like(paragraph: str) -> bool:
    """Running text of two sentences or more, not a label, byline or kicker."""
    text = norm(paragraph)
    return len(text) >= 120 and len(SENTENCE_END.findall(text)) >= 2


def reconcile_with_article_body(paragraphs: list[str], body: str) -> list[str]:
    """Page paragraphs checked against the publisher's articleBody.

    A truncated articleBody (a teaser) says nothing about the rest and is ignored.
    Otherwise paragraphs it does not contain are furniture the page put inside the
    article (teasers, promos); and when the paragraphs it does contain cover too little
    of it, the page structure missed text and the articleBody is the body.
    """
    if not body or _truncated(body):
        return paragraphs
    inside = [_covered(p, body) for p in paragraphs]
    kept = [p for p, covered in zip(paragraphs, inside, strict=True) if covered]
    covered = sum(len(norm(p)) for p in kept)
    if kept and covered >= 0.8 * len(body):
        # Running text right before the first paragraph it holds is a lead the CMS
        # left out of articleBody (Amar Ujala's feature stories), not furniture.
        first = inside.index(True)
        lead = [p for p in paragraphs[:first] if _lead_like(p)]
        return lead + kept
    if len(body) >= max(MIN_ARTICLE_BODY_CHARS, covered):
        return [body]
    return paragraphs


# --- trafilatura ------------------------------------------------------------------------------


def trafilatura_paragraphs(page: str, url: str) -> list[str]:
    """trafilatura's main text, recall-leaning: it is asked only when the page
    structure found nothing article-sized, so missing text is the worse error."""
    text = trafilatura.extract(
        page,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_recall=True,
        deduplicate=False,
    )
    return [line.strip() for line in (text or "").split("\n") if line.strip()]
