"""Is an article's text what it claims to be? Cheap checks for the pipelines.

A page decoded with the wrong charset comes out as U+FFFD replacement characters
(bytes that were not UTF-8) or as Latin letters (UTF-8 read as Windows-1252,
"à¤•" for "क"); the language identifier then guesses English at a low confidence
and the article was kept. ``text_problem`` names the fault so the pipeline can drop
the item with that reason:

* ``replacement_characters``: more than ``max_replacement_share`` of the visible
  characters are U+FFFD;
* ``not_devanagari``: the site writes Devanagari (Hindi) but fewer than
  ``min_devanagari_share`` of the letters are Devanagari.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from crawler.text.normalize import DEVANAGARI

REPLACEMENT = "\ufffd"
REPLACEMENT_CHARACTERS = "replacement_characters"
NOT_DEVANAGARI = "not_devanagari"
# Defaults: a real Hindi article has no U+FFFD, and 80-100 % of its letters are
# Devanagari (English names and brands make up the rest).
MAX_REPLACEMENT_SHARE = 0.02
MIN_DEVANAGARI_SHARE = 0.5
# Shorter texts say too little to judge.
MIN_CHARS = 20

_DEVANAGARI_RE = re.compile(f"[{DEVANAGARI}]")


def text_shares(text: str) -> tuple[float, float]:
    """(share of visible characters that are U+FFFD, share of letters that are Devanagari)."""
    visible = letters = devanagari = replaced = 0
    # Each distinct character is judged once: an article has a few hundred of them.
    for char, count in Counter(text).items():
        if char.isspace():
            continue
        visible += count
        if char == REPLACEMENT:
            replaced += count
            continue
        # Letters and combining marks: Devanagari vowel signs and virama are marks.
        if unicodedata.category(char)[0] in "LM":
            letters += count
            if _DEVANAGARI_RE.match(char) is not None:
                devanagari += count
    return (replaced / visible if visible else 0.0, devanagari / letters if letters else 0.0)


def text_problem(
    text: str,
    *,
    expect_devanagari: bool = True,
    max_replacement_share: float = MAX_REPLACEMENT_SHARE,
    min_devanagari_share: float = MIN_DEVANAGARI_SHARE,
) -> str | None:
    """The reason to drop an article with this text, or None when it looks right."""
    if len("".join(text.split())) < MIN_CHARS:  # visible characters
        return None
    replaced, devanagari = text_shares(text)
    if replaced > max_replacement_share:
        return REPLACEMENT_CHARACTERS
    if expect_devanagari and devanagari < min_devanagari_share:
        return NOT_DEVANAGARI
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def control_character(text: str) -> str | None:
    """The first control or line-breaking character in ``text`` as U+XXXX, or None."""
    match = _CONTROL.search(text)
    return f"U+{ord(match.group()):04X}" if match else None
