"""The article's paragraphs from the page structure alone, knowing no site.

Text-rich, link-poor blocks vote for the elements around them (readability's
paragraph-density idea); text inside a link (a teaser card) never votes, nor, on a
Hindi page, text that is not mostly Devanagari (an English weather widget, a menu).
The best-scored element and its text-rich siblings are the article. Inside it,
furniture is left out by what it is, not by site: hidden copies, captions, link lists
and "also read" lines (link density), boxes whose class or id names an ad, share bar,
related list, byline or tag cloud, and short byline/date/tag lines before the first
and after the last sentence-like paragraph. Paragraph breaks and subheadings survive,
which trafilatura's precision mode drops.

crawler/parsing/maintext.py puts this together with the JSON-LD articleBody and
trafilatura.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from lxml.html import HtmlElement
from parsel import Selector

from crawler.parsing import blocks
from crawler.parsing.judge import MIN_DEVANAGARI_SHARE, devanagari_share

# Elements that never hold article text; removed before anything is scored.
_DROP_TAGS = (
    "script style noscript template iframe svg canvas map object embed video audio "
    "picture figure figcaption button select input textarea label nav aside footer header "
    "dialog"
).split()
# Landmark roles of page furniture.
_FURNITURE_ROLES = frozenset(
    "navigation banner contentinfo complementary search dialog alert menu menubar".split()
)
# Words in a class or id that name furniture (ads, share bars, related lists,
# bylines, tags...). Matched per word, so "adBox", "ads-box" and "ad_cn" name an ad
# while "header-image" and "paywallBlockedContent" are not taken for one. "vigyapan"
# is Hindi for advertisement, as many Hindi sites name their ad slots.
FURNITURE_WORDS = frozenset(
    """
    ad ads adv advt advert adverts advertisement advertisements adslot adunit adtext
    vigyapan sponsor sponsored promo promotion promoted outbrain taboola colombia dfp
    share sharing sharebar social follow whatsapp telegram facebook twitter gnews
    related recommended recommendation recommendations trending popular mostread
    readmore alsoread also more next prev nxt latest
    tag tags keywords breadcrumb breadcrumbs byline author authors meta timestamp
    caption credit credits comment comments disqus
    newsletter subscribe subscription signup login
    footer header masthead nav navbar navigation menu sidebar rhs widget
    copyright disclaimer cookie cookies gdpr consent modal popup overlay
    podcast speak tts texttospeech listen audio player download print email
    pagination pager
    """.split()
)
# Words that mark the article's own container (a mild bonus when choosing it).
CONTENT_WORDS = frozenset(
    "article articles story content body entry post text detail main news".split()
)
_CLASS_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Sentence ends and clause marks in Hindi and English text.
SENTENCE_END = re.compile(r"[।?!]|\.(?:\s|$)")
_CLAUSE_MARK = re.compile(r"[,;،]")
_FINAL_DANDA = re.compile(r"[।?!][\"'”’)\]]*$")
_TEXT_BLOCKS = frozenset("p pre blockquote td dd li div section article main span font".split())
_BLOCK_CONTAINERS = frozenset("div section article main ul ol li table tbody tr td p span".split())


# Text beside a picture up to this length is its caption.
MAX_CAPTION_CHARS = 250
# When this share of the article's text is in paragraph elements, loose short text
# between them is not running text.
PARAGRAPH_SHARE = 0.8
_PARAGRAPH_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd")


def norm(text: str) -> str:
    """NFC with whitespace runs as one space: how paragraphs are compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def class_words(element: HtmlElement) -> set[str]:
    """The words of an element's class and id: "adBox ads-box" -> {"ad", "box", "ads"}."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return {word.lower() for word in _CLASS_WORD.findall(names)}


def _is_furniture(element: HtmlElement) -> bool:
    role = (element.get("role") or "").lower()
    return role in _FURNITURE_ROLES or bool(class_words(element) & FURNITURE_WORDS)


# Whole class names that hide an element. Compounds are toggles for some readers
# only (Amar Ujala wraps its story in "hide_micropay_story hide_for_metered_wall").
_HIDDEN_CLASSES = frozenset(
    "hidden hide d-none invisible sr-only visually-hidden is-hidden hidden-xs-up".split()
)


def _is_hidden(element: HtmlElement) -> bool:
    return (
        bool(set((element.get("class") or "").lower().split()) & _HIDDEN_CLASSES)
        or element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(element.get("style") or ""))
    )


def _sentence_like(text: str) -> bool:
    """A paragraph of running text rather than a label, byline, date or heading: long,
    or ending like a sentence (short closing sentences are common in Hindi news)."""
    if len(text) >= 120 or (len(text) >= 40 and SENTENCE_END.search(text)):
        return True
    return len(text.split()) >= 3 and bool(_FINAL_DANDA.search(text))


# --- the page structure ------------------------------------------------------------------


@dataclass
class _Measure:
    text: int = 0  # characters of text below the element (whitespace collapsed)
    links: int = 0  # of which inside <a>
    anchors: int = 0  # <a> elements below it
    # The same without link lists below it (they are left out of an article anyway).
    net_text: int = 0
    net_links: int = 0

    @property
    def link_density(self) -> float:
        return self.links / self.text if self.text else 0.0

    @property
    def net_link_density(self) -> float:
        return self.net_links / self.net_text if self.net_text else 0.0


class DensityExtractor:
    """The article's paragraphs from the page structure alone."""

    # A text block shorter than this does not vote for its ancestors.
    MIN_BLOCK_CHARS: ClassVar[int] = 25
    # Blocks (and lists) that are mostly link text are navigation or teasers.
    MAX_LINK_DENSITY: ClassVar[float] = 0.5
    # A paragraph with this many links and this share of link text is a link line.
    LINK_LINE_ANCHORS: ClassVar[int] = 3
    LINK_LINE_DENSITY: ClassVar[float] = 0.3

    def __init__(self, root: HtmlElement, title: str = "", hindi: bool = False) -> None:
        self.root = root
        self.title = norm(title)
        # On a Hindi page, text that is not mostly Devanagari (an English weather
        # widget, a menu, an ad) does not vote for where the article is.
        self.hindi = hindi
        self.measures: dict[HtmlElement, _Measure] = {}
        self.scores: dict[HtmlElement, float] = {}
        self.pictures: set[HtmlElement] = set()  # elements that held a picture
        self.alts: set[str] = set()  # pictures' alt texts
        self.linked: set[HtmlElement] = set()  # elements inside an <a>

    def paragraphs(self) -> list[str]:
        self._prune()
        self._measure(self.root)
        found: list[str] = []
        for node in self._article_nodes():
            for element in list(self._furniture_below(node)):
                _blank(element)
            found.extend(blocks.paragraphs([Selector(root=node)]))
        return _trim(_unique(p for p in found if norm(p) != self.title))

    # --- preparation ---------------------------------------------------------------

    def _prune(self) -> None:
        """Drops what is never article text: scripts, media, forms, landmarks, hidden copies.
        Where pictures were is remembered, to know their captions."""
        for picture in self.root.iter("img", "picture", "amp-img", "figure"):
            alt = norm(picture.get("alt") or "")
            if alt:
                self.alts.add(alt)
            if picture.getparent() is not None:
                self.pictures.add(picture.getparent())
        doomed = [
            element
            for element in self.root.iter()
            if isinstance(element.tag, str)
            and (
                element.tag.lower() in _DROP_TAGS
                # The title is a field of its own (a long <h1> is broken markup, not one).
                or (element.tag.lower() == "h1" and len(element.text_content()) < 400)
                or _is_hidden(element)
                or (element.get("role") or "").lower() in _FURNITURE_ROLES
            )
        ]
        for element in doomed:
            if element.getparent() is not None:
                element.drop_tree()

    def _measure(self, root: HtmlElement) -> None:
        """Text and link-text lengths of every element, children before parents (no
        recursion: broken pages nest unclosed tags thousands deep)."""
        for element in reversed(list(root.iter())):
            if not isinstance(element.tag, str):
                continue
            own = len(norm(element.text or ""))
            measure = _Measure(text=own, net_text=own)
            for child in element:
                tail = len(norm(child.tail or ""))
                measure.text += tail
                measure.net_text += tail
                sub = self.measures.get(child)
                if sub is None:
                    continue
                measure.text += sub.text
                measure.links += sub.links
                measure.anchors += sub.anchors
                if not (
                    child.tag in _BLOCK_CONTAINERS and sub.link_density > self.MAX_LINK_DENSITY
                ):
                    measure.net_text += sub.net_text
                    measure.net_links += sub.net_links
            if element.tag == "a":
                measure.links = measure.net_links = measure.text
                measure.anchors += 1
            self.measures[element] = measure

    # --- choosing the article ---------------------------------------------------------

    def _block_score(self, element: HtmlElement) -> float:
        """What one text block is worth: its own running text, not its sub-blocks'."""
        if element.tag not in _TEXT_BLOCKS or element in self.linked:
            return 0.0
        measure = self.measures[element]
        if element.tag in ("p", "pre", "blockquote", "td", "dd", "li"):
            text = norm(element.text_content())
        else:  # a div (span, font) counts for the text runs directly inside it
            text = norm(_direct_text(element))
        if len(text) < self.MIN_BLOCK_CHARS or measure.link_density > self.MAX_LINK_DENSITY:
            return 0.0
        if self.hindi and devanagari_share(text) < MIN_DEVANAGARI_SHARE:
            return 0.0
        marks = len(SENTENCE_END.findall(text)) + len(_CLAUSE_MARK.findall(text))
        return 1.0 + marks + min(len(text) / 100, 3.0)

    def _article_nodes(self) -> list[HtmlElement]:
        # Text inside a link is a teaser's, never the story's (a recommendation card
        # that wraps its headline and summary in one <a>).
        self.linked = {d for a in self.root.iter("a") for d in a.iterdescendants()}
        scores: dict[HtmlElement, float] = {}
        for element in self.root.iter():
            if not isinstance(element.tag, str):
                continue
            score = self._block_score(element)
            if not score:
                continue
            ancestor = element.getparent()
            for level in range(3):
                if ancestor is None:
                    break
                scores[ancestor] = scores.get(ancestor, 0.0) + score / (1, 2, 3)[level]
                ancestor = ancestor.getparent()
        if not scores:
            return []
        # Squared: a list of teasers (a headline link and a line of summary each) must
        # not outscore a short article, while a few inline links cost an article little.
        weighted = {
            element: score * (1 - self.measures[element].link_density) ** 2 * _class_weight(element)
            for element, score in scores.items()
        }
        # On a tie the deeper element: it holds the same text with less around it.
        top = max(weighted, key=lambda e: (weighted[e], len(list(e.iterancestors()))))
        # A neighbour is judged by its text without the link lists it holds (a related
        # slider inside the second half of a story), which are left out anyway.
        self.scores = {
            element: score * (1 - self.measures[element].net_link_density) * _class_weight(element)
            for element, score in scores.items()
        }
        parent = top.getparent()
        if parent is None:
            return [top]
        threshold = max(10.0, weighted[top] * 0.2)
        return [
            sibling
            for sibling in parent
            if sibling is top or self._belongs_with(sibling, threshold, top)
        ]

    def _belongs_with(self, sibling: Any, threshold: float, top: HtmlElement) -> bool:
        """Readability's sibling rule: text-rich neighbours of the best block are article
        too (a lead paragraph outside the container that holds the rest)."""
        if not isinstance(sibling.tag, str) or _is_furniture(sibling):
            return False
        density = self.measures[sibling].net_link_density
        same_class = bool(sibling.get("class")) and sibling.get("class") == top.get("class")
        score = self.scores.get(sibling, 0.0) + (0.2 * threshold if same_class else 0.0)
        if score >= threshold:
            # Not a block of teasers: headline links with a line of summary each.
            return density < 0.3
        if sibling.tag != "p":
            return False
        text = norm(sibling.text_content())
        if len(text) > 80:
            return density < 0.25
        return bool(text) and density == 0 and bool(SENTENCE_END.search(text[-2:] + " "))

    # --- furniture inside the article --------------------------------------------------

    def _furniture_below(self, node: HtmlElement) -> Iterator[HtmlElement]:
        total = self.measures[node].text or 1
        loose_text_is_furniture = self._paragraph_share(node) >= PARAGRAPH_SHARE
        for element in node.iterdescendants():
            if not isinstance(element.tag, str):
                continue
            measure = self.measures.get(element)
            if measure is None:
                continue
            # A box named like furniture (unless it holds most of the article), or a
            # block of links.
            named = _is_furniture(element) and measure.text < 0.5 * total
            links = element.tag in _BLOCK_CONTAINERS and self._is_link_block(element, measure)
            loose = loose_text_is_furniture and self._is_loose_text(element, measure)
            if named or links or loose or self._is_caption(element, measure):
                yield element

    def _is_caption(self, element: HtmlElement, measure: _Measure) -> bool:
        """A picture's caption written without <figure>: a short box holding a picture,
        right after one, or repeating a picture's alt text."""
        if element.tag not in ("div", "span", "section") or not (
            0 < measure.text <= MAX_CAPTION_CHARS
        ):
            return False
        if next(element.iter("p"), None) is not None:
            return False
        if next(element.iter("img", "amp-img"), None) is not None:
            return True
        previous = element.getprevious()
        return (previous is not None and previous in self.pictures) or norm(
            element.text_content()
        ) in self.alts

    def _is_loose_text(self, element: HtmlElement, measure: _Measure) -> bool:
        """Where the article's running text is in paragraph elements, a short run of
        text loose in a <div> or <span> between them is a caption, label or widget."""
        return (
            element.tag in ("div", "span", "section", "font")
            and 0 < measure.text <= MAX_CAPTION_CHARS
            and not any(a.tag in _PARAGRAPH_TAGS for a in element.iterancestors())
            and bool(norm(_direct_text(element)))
        )

    def _paragraph_share(self, node: HtmlElement) -> float:
        """The share of a node's text inside paragraph-like elements."""
        inside = sum(
            self.measures[e].text
            for e in node.iter(*_PARAGRAPH_TAGS)
            if not any(a.tag in _PARAGRAPH_TAGS for a in e.iterancestors())
        )
        return inside / (self.measures[node].text or 1)

    def _is_link_block(self, element: HtmlElement, measure: _Measure) -> bool:
        if not measure.text:
            return False
        if measure.link_density > self.MAX_LINK_DENSITY:
            return True
        return (
            measure.anchors >= self.LINK_LINE_ANCHORS
            and measure.link_density > self.LINK_LINE_DENSITY
            and measure.text < 400
        )


def _class_weight(element: HtmlElement) -> float:
    words = class_words(element)
    if words & FURNITURE_WORDS or (element.get("role") or "").lower() in _FURNITURE_ROLES:
        return 0.3
    return 1.25 if words & CONTENT_WORDS else 1.0


def _blank(element: HtmlElement) -> None:
    """Empties a furniture element in place. A block keeps its place as a paragraph
    break (an ad box between two text runs), and the text after it stays."""
    block = element.tag in blocks.BLOCK_TAGS
    element.clear(keep_tail=True)
    element.tag = "hr" if block else "span"


def _direct_text(element: HtmlElement) -> str:
    """Text of the runs directly inside an element and inside its inline children."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in blocks.BLOCK_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _unique(paragraphs: Iterable[str]) -> list[str]:
    """Paragraphs without exact repeats (a lead printed twice, a duplicated teaser)."""
    seen: set[str] = set()
    out = []
    for paragraph in paragraphs:
        key = norm(paragraph)
        if key and key not in seen:
            seen.add(key)
            out.append(paragraph)
    return out


def _trim(paragraphs: list[str]) -> list[str]:
    """Without the short lines before the first and after the last paragraph of running
    text: bylines, dates, labels and tag lists around the story, not subheadings in it."""
    running = [i for i, p in enumerate(paragraphs) if _sentence_like(norm(p))]
    if not running:
        return paragraphs
    return paragraphs[running[0] : running[-1] + 1]
