"""Spelling folding for Devanagari: the one place that says which spellings of a
word are the same word.

Sites write one word several ways: nukta or not (ख़बर/खबर), candrabindu or
anusvara (यहाँ/यहां), the precomposed nukta letters NFC keeps (ऩ ऱ ऴ), zero-width
joiners, Devanagari or ASCII digits, and a class nasal or anusvara before a
consonant of its class (हिन्दी/हिंदी). Each use folds as much as it needs:

* :func:`fold_spelling`: the character variants (furniture labels, section
  names, month names, near-duplicate shingles);
* :func:`search_form`: those, the class nasals and case (search tokens);
* :func:`fold_hindi`: the topic model's and gazetteer's form, which also folds the
  English-loan vowel ऑ/ॉ (कॉलेज/कालेज) and keeps case; :data:`WORD_RE` splits it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "SPELLING_TABLE",
    "WORD_RE",
    "fold_hindi",
    "fold_nasals",
    "fold_spelling",
    "fold_text",
    "search_form",
    "straighten",
]

SPELLING_TABLE = {
    0x093C: None,  # nukta
    0x0901: 0x0902,  # candrabindu -> anusvara
    0x0929: 0x0928,  # ऩ -> न (NFC keeps these three composed)
    0x0931: 0x0930,  # ऱ -> र
    0x0934: 0x0933,  # ऴ -> ळ
    0x200C: None,  # ZWNJ
    0x200D: None,  # ZWJ
    **{ord(d): ord(a) for d, a in zip("०१२३४५६७८९", "0123456789", strict=True)},
}

# Panchamakshar: a nasal + virama before a consonant of the same class is written either
# way (हिन्दी/हिंदी). न्न, म्म (अन्न, सम्मान) and न्ह, म्ह (उन्होंने, तुम्हारा) are never anusvara.
_NASAL = "ङ्(?=[कखगघ])|ञ्(?=[चछजझ])|ण्(?=[टठडढ])|न्(?=[तथदध])|म्(?=[पफबभ])"
_NASAL_RE = re.compile(_NASAL)

# fold_hindi's single characters: the spelling table's (digits aside: the model folds
# every digit to 0 itself) and the loan vowel ऑ/ॉ.
_LOOSE_CHARS = {
    "\u093c": "",  # nukta
    "\u0901": "\u0902",  # candrabindu -> anusvara
    "\u0929": "\u0928",  # ऩ -> न
    "\u0931": "\u0930",  # ऱ -> र
    "\u0934": "\u0933",  # ऴ -> ळ
    "\u0911": "\u0906",  # ऑ -> आ (ऑटो/आटो)
    "\u0949": "\u093e",  # ॉ -> ा (कॉलेज/कालेज, कॉंग्रेस/कांग्रेस)
    "\u200c": "",  # ZWNJ
    "\u200d": "",  # ZWJ
}
# One pass over the text; a regex with a lookup is much faster than str.translate on
# Devanagari, where most characters need no change.
_LOOSE_RE = re.compile(f"[{''.join(_LOOSE_CHARS)}]|{_NASAL}")

# A word: Latin letters/digits, or Devanagari letters, signs and digits. Matras,
# virama, nukta and anusvara belong to the word (Python's \w leaves them out);
# danda, punctuation, hyphens and apostrophes separate words.
WORD_RE = re.compile(
    r"[0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+|[\u0900-\u0963\u0966-\u096f\u0971-\u097f]+"
)


def fold_spelling(text: str) -> str:
    """NFC, then nukta, candrabindu, the nukta letters, joiners and digits folded."""
    return unicodedata.normalize("NFC", text).translate(SPELLING_TABLE)


def fold_nasals(text: str) -> str:
    """A class nasal + virama before its class's consonant written as anusvara."""
    return _NASAL_RE.sub("ं", text)


def search_form(text: str) -> str:
    """The search form of ``text``: spelling and nasals folded, casefolded."""
    return fold_nasals(fold_spelling(text)).casefold()


def _loose_match(match: re.Match[str]) -> str:
    return _LOOSE_CHARS.get(match.group(), "\u0902")  # not a listed character: a nasal


def fold_hindi(text: str) -> str:
    """Spelling-variant folding of Devanagari (case of Latin letters kept; digits kept)."""
    return _LOOSE_RE.sub(_loose_match, unicodedata.normalize("NFC", text))


# Typographic quotes as plain ones: cleaning straightens them, pages and gold keep them.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def straighten(text: str) -> str:
    """NFC, typographic quotes made plain, every run of whitespace one space."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_QUOTES).split())


def fold_text(text: str) -> str:
    """For comparing two texts: :func:`straighten`, then case folded."""
    return straighten(text).casefold()
