"""Paragraphs from an HTML container: block elements end a paragraph, inline
elements and bare text runs join into one, furniture elements are skipped whole.

Hindi sites mix both styles: Jagran and Bhaskar wrap paragraphs in <p>, Amar
Ujala's older pages put bare text runs between ad <div>s. Walking the tree
handles both without per-site code.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

BLOCK_TAGS = frozenset(
    """
    address article aside blockquote br dd div dl dt figure footer form h1 h2 h3 h4
    h5 h6 header hr li main nav ol p pre section table tbody td th thead tr ul
    """.split()
)
# Never article text, whatever class a site gives them.
SKIP_TAGS = frozenset(
    """
    script style noscript iframe form button svg figure figcaption picture img video
    audio template select input textarea nav aside footer header center ins object
    embed
    """.split()
)


def collapse(text: str) -> str:
    return " ".join(text.split())


class _Walker:
    def __init__(self, skip: set[HtmlElement]) -> None:
        self.skip = skip
        self.paragraphs: list[str] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = collapse("".join(self.buffer))
        if text:
            self.paragraphs.append(text)
        self.buffer.clear()

    def walk(self, element: HtmlElement) -> None:
        # Comments and processing instructions have a non-string tag.
        if not isinstance(element.tag, str):
            return
        tag = element.tag.lower()
        if element in self.skip or tag in SKIP_TAGS:
            # A skipped block (an ad box between two text runs) still ends a paragraph.
            if tag in BLOCK_TAGS:
                self.flush()
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        if element.text:
            self.buffer.append(element.text)
        for child in element:
            self.walk(child)
            if child.tail:
                self.buffer.append(child.tail)
        if block:
            self.flush()


def paragraphs(containers: Iterable[Selector], exclude: Iterable[str] = ()) -> list[str]:
    """Text paragraphs of the containers, skipping elements that match `exclude` (CSS)."""
    exclude = tuple(exclude)
    result: list[str] = []
    for container in containers:
        skip = {match.root for css in exclude for match in container.css(css)}
        walker = _Walker(skip)
        walker.walk(container.root)
        walker.flush()
        result.extend(walker.paragraphs)
    return result


def element_text(selector: Selector) -> str:
    """All text below one element, whitespace collapsed (scripts and styles left out)."""
    root = selector.root
    if not isinstance(root, etree._Element):
        return collapse(str(root))
    walker = _Walker(set())
    walker.walk(root)
    walker.flush()
    return " ".join(walker.paragraphs)


def clean_value(value: Any) -> str:
    """A metadata value as text: entities decoded, spaces collapsed; '' for non-strings."""
    return collapse(html.unescape(value)) if isinstance(value, str) else ""
