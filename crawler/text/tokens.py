"""Search tokens: the normalized words of an article, for search without text indexes.

SecantusDB (and the project's own queries) have no text index; instead every article
carries ``search_tokens``, its distinct normalized words, under an ordinary multikey
index, and a search asks for documents whose tokens include all of the query's:

    {"search_tokens": {"$all": query_tokens("अखिलेश यादव")}}

Articles and queries go through the same steps, so spelling variants meet:

* NFC, joiners (ZWJ/ZWNJ) out, Devanagari digits as ASCII;
* nukta folded (क़ानून/कानून, ज़्यादा/ज्यादा, ऩ/न), candrabindu as anusvara (यहाँ/यहां), and
  a nasal consonant + virama before a consonant of its own class as anusvara
  (हिन्दी/हिंदी, सम्बन्ध/संबंध, दिसम्बर/दिसंबर);
* Latin lowercased (casefold);
* split at anything that is not a letter, a Devanagari sign or a digit (punctuation,
  danda, hyphens, apostrophes); tokens of one character, digits-only tokens and
  stop-words (crawler/data/stopwords-hi.txt, Hindi and English, folded the same way)
  dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from crawler import PACKAGE_DATA
from crawler.text.fold import search_form

__all__ = ["STOPWORDS_PATH", "article_tokens", "fold", "query_tokens", "stopwords", "tokenize"]

STOPWORDS_PATH = PACKAGE_DATA / "stopwords-hi.txt"

# A token: a run of Latin letters/digits, or of Devanagari letters, signs and digits.
# Everything else (spaces, punctuation, danda U+0964/5, abbreviation sign U+0970,
# hyphens, apostrophes) separates tokens.
_TOKEN_RE = re.compile(
    r"[0-9a-z\u00df-\u00f6\u00f8-\u024f]+|[\u0900-\u0963\u0966-\u096f\u0971-\u097f]+"
)
_MIN_TOKEN_CHARS = 2


def fold(text: str) -> str:
    """The search form of ``text``: NFC, nukta/candrabindu/nasal folded, casefolded."""
    return search_form(text)


@cache
def stopwords() -> frozenset[str]:
    """The curated Hindi and English stop-words, folded like tokens."""
    words: set[str] = set()
    for line in STOPWORDS_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words.update(_TOKEN_RE.findall(fold(line)))
    return frozenset(words)


def tokenize(text: str) -> list[str]:
    """The normalized tokens of ``text`` in order, repeats included, stop-words out."""
    stop = stopwords()
    return [
        token
        for token in _TOKEN_RE.findall(fold(text))
        if len(token) >= _MIN_TOKEN_CHARS and not token.isdigit() and token not in stop
    ]


def _distinct(tokens: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tokens))


def article_tokens(title: str = "", description: str = "", body: str = "") -> list[str]:
    """An article's distinct search tokens (title first, then description and body)."""
    return _distinct(token for text in (title, description, body) for token in tokenize(text))


def query_tokens(text: str) -> list[str]:
    """A user's search string as the tokens an article must all have.

    Empty when the string holds only stop-words, digits or punctuation: such a search
    matches nothing (``{"$all": []}`` matches no document).
    """
    return _distinct(tokenize(text))
