"""Hindi text normalization: Unicode form, entities, mojibake, spacing, digits.

Article bodies are plain text with paragraphs separated by one blank line ("\\n\\n");
titles, descriptions and author names are single strings.

:func:`normalize_text` fixes the characters and the spacing, keeping the paragraph
structure: entities (also double-escaped ones), mojibake (UTF-8 read as cp1252,
repaired with ftfy), Unicode form, nukta spellings (one byte sequence per letter),
invisible characters (ZWJ/ZWNJ stay only next to a virama, where they change the
rendering), typographic quotes and dashes (as ASCII " ' -; the danda stays), odd
spaces. :func:`clean_line` is what the clean pipeline calls on one-line fields.
Page furniture is :mod:`crawler.text.furniture`'s.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache
from typing import Any

__all__ = [
    "DEVANAGARI",
    "clean_line",
    "normalize_lines",
    "normalize_punctuation",
    "normalize_text",
    "paragraphs",
    "repair_mojibake",
    "to_ascii_digits",
    "unify_nukta",
]

# --------------------------------------------------------------------------------------
# Characters
# --------------------------------------------------------------------------------------

# Devanagari, Devanagari Extended and Vedic Extensions: the scripts a ZWJ/ZWNJ may
# legitimately sit inside (e.g. क्‍ष, where ZWJ asks for a half form instead of a conjunct).
DEVANAGARI = "\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff"
_DEVANAGARI_CHAR_RE = re.compile(f"[{DEVANAGARI}]")

# Line separators other than "\n": CRLF/CR from Windows or old Mac feeds, NEL and the
# Unicode line separator from converted documents.
_LINE_BREAK_RE = re.compile(r"\r\n?|[\x85\u2028]")
# The Unicode paragraph separator means what a blank line means here.
_PARAGRAPH_SEPARATOR = "\u2029"

# Invisible characters that carry no meaning in news text: C0/DEL controls (except
# \t \n \v \f, which are spacing), C1 controls (left over from Latin-1 decoding), soft
# hyphen, Mongolian vowel separator, zero-width space, LRM/RLM, bidi embeddings/isolates,
# word joiner and invisible operators, BOM.
_INVISIBLE_RE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u180e\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff]"
)

# Spaces that should be a plain space: tab, VT, FF, no-break space, the typographic
# spaces U+2000-U+200A, narrow no-break, medium math and ideographic space.
_ODD_SPACE_RE = re.compile(r"[\t\x0b\x0c\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")

# ZWNJ/ZWJ only change how Devanagari renders next to a virama: after it (क्‍ष asks for
# a half form, क्‌ष for a visible virama) or before it (र‍् for the eyelash ra). Anywhere
# else they are copy-paste debris that splits words for search.
_JOINER_RUN_RE = re.compile(r"[\u200c\u200d]+")
_VIRAMA = "\u094d"

_SPACE_RUN_RE = re.compile(r" {2,}")

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

# An entity left after one round of decoding: the page escaped its text twice
# ("&amp;quot;", "&amp;nbsp;").
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Mojibake of UTF-8 text always contains a character from U+0080-U+00FF (or a cp1252
# stand-in for one): text without any is left alone without asking ftfy.
_MOJIBAKE_HINT_RE = re.compile(
    r"[\x80-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)

# Typographic quotes become ASCII: “ ” „ ‟ « » ″ and the pair ‘‘ ’’ (agency copy writes
# double quotes that way) become ", single ones and ‹ › ′ become '.
_DOUBLE_SINGLE_QUOTES_RE = re.compile(r"‘‘|’’|‚‚")
# Dashes and the minus sign become "-"; the danda (।, ॥) is punctuation of its own.
_PUNCTUATION_TABLE = str.maketrans(
    {
        **dict.fromkeys("“”„‟«»″〝〞＂", '"'),
        **dict.fromkeys("‘’‚‛‹›′＇", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d", "-"),
    }
)

# Nukta repairs (NFC already writes क़ and क + ़ the same way, as base + nukta):
# a nukta typed after the vowel sign instead of before it ("कि़" for "क़ि"), a doubled
# nukta, and the legacy-font converter artefact that moves the nukta of ड़/ढ़ onto a
# following न/र ("बढऩे" for "बढ़ने"; ऩ and ऱ are not Hindi letters).
_NUKTA = "\u093c"
_NUKTA_AFTER_VOWEL_SIGN_RE = re.compile(r"([\u0915-\u0939])([\u093e-\u094c])\u093c")
_DOUBLE_NUKTA_RE = re.compile("\u093c{2,}")
_MISPLACED_NUKTA_RE = re.compile(r"([डढ])([ऩऱ])")
_NUKTA_BASES = {"ऩ": "न", "ऱ": "र"}


def to_ascii_digits(text: str) -> str:
    """Replace Devanagari digits (०-९) with ASCII digits (0-9)."""
    return text.translate(_DEVANAGARI_DIGITS)


@cache
def _ftfy_config() -> Any:
    """ftfy repairs text that was UTF-8 but got decoded as Latin-1/cp1252 somewhere
    upstream ("à¤•à¤¾" for "का"). Everything else ftfy could do is done here explicitly
    (quotes, entities, Unicode form) or must not be done (C1 controls turned into
    cp1252 symbols)."""
    import ftfy  # imported on use: most text never needs it, and it takes 0.3 s to import

    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=True,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text decoded as Latin-1/cp1252 ("à¤•à¤¾" -> "का"), with ftfy.

    Text that is fine (or legacy-font text that only looks odd) comes back unchanged.
    """
    if not _MOJIBAKE_HINT_RE.search(text):
        return text
    import ftfy

    return ftfy.fix_text(text, _ftfy_config())


def unify_nukta(text: str) -> str:
    """One spelling per nukta letter: NFC order, nukta before the vowel sign, no doubles."""
    text = _MISPLACED_NUKTA_RE.sub(lambda m: m[1] + _NUKTA + _NUKTA_BASES[m[2]], text)
    text = _NUKTA_AFTER_VOWEL_SIGN_RE.sub(r"\1" + _NUKTA + r"\2", text)
    return _DOUBLE_NUKTA_RE.sub(_NUKTA, text)


def normalize_punctuation(text: str) -> str:
    """Typographic quotes and dashes as ASCII " ' and -; the danda stays."""
    return _DOUBLE_SINGLE_QUOTES_RE.sub('"', text).translate(_PUNCTUATION_TABLE)


def _decode_entities(text: str) -> str:
    text = html.unescape(text)
    if "&" in text and _ENTITY_RE.search(text):
        text = html.unescape(text)
    return text


def _keep_joiners_next_to_virama(match: re.Match[str]) -> str:
    text, (start, end) = match.string, match.span()
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if (before == _VIRAMA and _DEVANAGARI_CHAR_RE.match(after)) or (
        after == _VIRAMA and _DEVANAGARI_CHAR_RE.match(before)
    ):
        return match.group()
    return ""


def _normalize_characters(text: str, form: str) -> str:
    text = repair_mojibake(_decode_entities(text))
    text = unify_nukta(unicodedata.normalize(form, text))
    text = _LINE_BREAK_RE.sub("\n", text).replace(_PARAGRAPH_SEPARATOR, "\n\n")
    text = _INVISIBLE_RE.sub("", text)
    text = _ODD_SPACE_RE.sub(" ", text)
    text = _JOINER_RUN_RE.sub(_keep_joiners_next_to_virama, text)
    text = normalize_punctuation(text)
    # Removing characters can bring a base and a combining mark together: normalize again.
    return unify_nukta(unicodedata.normalize(form, text))


def paragraphs(text: str) -> list[list[str]]:
    """Split into paragraphs (at blank lines) of stripped, space-collapsed lines."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw_line in text.split("\n"):
        line = _SPACE_RUN_RE.sub(" ", raw_line).strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _normalize(text: str, form: str, *, join_lines: bool) -> str:
    line_separator = " " if join_lines else "\n"
    found = paragraphs(_normalize_characters(text, form))
    return "\n\n".join(line_separator.join(lines) for lines in found)


def normalize_lines(text: str, form: str = "NFC") -> str:
    """:func:`normalize_text` keeping the line breaks inside a paragraph (furniture is
    judged line by line before the lines are joined)."""
    return _normalize(text, form, join_lines=False)


def normalize_text(text: str, form: str = "NFC") -> str:
    """Normalize characters and spacing, keeping paragraphs apart by one blank line.

    HTML entities are decoded, the text is put in Unicode normal form ``form``, odd
    spaces become spaces and runs of spaces collapse, invisible characters go (ZWJ and
    ZWNJ stay only between Devanagari characters), lines are stripped, a single newline
    inside a paragraph becomes a space, and any run of blank lines becomes one.
    """
    return _normalize(text, form, join_lines=True)


def clean_line(text: str, form: str = "NFC") -> str:
    """Normalize a title, description or author name into one line."""
    return _normalize(text, form, join_lines=True).replace("\n\n", " ")
