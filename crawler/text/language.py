"""Which language an article is written in, and whether it is legible Unicode at all.

* :class:`LanguageIdentifier` wraps py3langid (a naive Bayes model over byte n-grams that
  ships inside the package: nothing is downloaded) restricted to the languages a Hindi
  news site can carry: Hindi, English and the other major Indian languages. Restricting
  the set keeps short Hindi text from being called Konkani or Sanskrit. Confidence is
  the model's normalized probability (0-1).
* :func:`detect_legacy_font` recognises Hindi typed in a legacy, non-Unicode font: the
  page shows Devanagari only with that font installed; its text is Latin letters standing
  for glyphs. Kruti Dev 010 and DevLys 010 (one mapping) write "vkius dgk fd" for
  "आपने कहा कि"; Walkman Chanakya writes Latin-1 symbols ("·¤è" for "की"). No maintained
  converter library exists, so such text is flagged rather than converted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

__all__ = [
    "INDIAN_LANGUAGES",
    "LEGACY_FONT",
    "LanguageGuess",
    "LanguageIdentifier",
    "detect_legacy_font",
    "identify_language",
    "language_identifier",
]

LEGACY_FONT = "legacy_font"

# Hindi, English and the scheduled Indian languages py3langid knows (ISO 639-1).
INDIAN_LANGUAGES: tuple[str, ...] = (
    "hi",
    "en",
    "mr",
    "ne",
    "bn",
    "as",
    "gu",
    "pa",
    "or",
    "ta",
    "te",
    "kn",
    "ml",
    "ur",
)

# The model's cost grows with the text (a Python loop over its UTF-8 bytes: 1.7 ms for
# 5,000 Devanagari characters, 0.7 ms for 2,000); 2,000 decide an article as surely.
_MAX_CHARS = 2000

# --- legacy fonts -------------------------------------------------------------------------

# Frequent Hindi words as Kruti Dev 010 / DevLys 010 write them (है gS, में esa, की dh,
# के ds, का dk, को dks, से ls, और vkSj, कि fd, भी Hkh, नहीं ugha, लिए fy, ...). "us" (ने)
# is left out: it is an English word too. A trailing "A" is the danda (।).
_KRUTIDEV_WORDS = frozenset(
    (
        "gS gSa Fkk Fkh Fks esa dh ds dk dks ls vkSj fd Hkh gh ij rd ,d ;g ;s og bl ml "
        "blds mlds muds mUgksaus ugha fy, fd;k x;k xbZ x, dgk dj djus djrs gks gksus jgk "
        "jgh jgs lkFk ckn vius vkius tks rks ;k ,oa }kjk ldrk ldrs yksx ckj vHkh bldk mldk"
    ).split()
)
_KRUTIDEV_TOKEN_RE = re.compile(r"\S+")
_KRUTIDEV_DANDA_RE = re.compile(r"A$")
_MIN_KRUTIDEV_SHARE = 0.12  # of all tokens; Hindi prose has 30-40% such words
_MIN_KRUTIDEV_DISTINCT = 3
# Walkman Chanakya and similar fonts put Devanagari glyphs on Latin-1 symbols and letters:
# most characters of such text come from U+00A1-U+00FF, where French or German prose has
# a few per cent. (UTF-8 mojibake looks alike but is repaired by cleaning first.)
_LATIN1_RE = re.compile(r"[\u00a1-\u00ff]")
_MIN_LATIN1_SHARE = 0.2
_DEVANAGARI_RE = re.compile(r"[\u0900-\u097f]")
_MAX_DEVANAGARI_SHARE = 0.05  # real Unicode Hindi: legacy detection does not apply
_MIN_LEGACY_CHARS = 40


def detect_legacy_font(text: str) -> str | None:
    """The legacy font family ``text`` is typed in ("krutidev", "chanakya"), else None."""
    sample = text[: _MAX_CHARS * 2]
    visible = len(sample) - sample.count(" ") - sample.count("\n")
    if visible < _MIN_LEGACY_CHARS:
        return None
    if len(_DEVANAGARI_RE.findall(sample)) / visible > _MAX_DEVANAGARI_SHARE:
        return None
    tokens = [_KRUTIDEV_DANDA_RE.sub("", t) for t in _KRUTIDEV_TOKEN_RE.findall(sample)]
    hits = [t for t in tokens if t in _KRUTIDEV_WORDS]
    if (
        tokens
        and len(hits) / len(tokens) >= _MIN_KRUTIDEV_SHARE
        and len(set(hits)) >= _MIN_KRUTIDEV_DISTINCT
    ):
        return "krutidev"
    if len(_LATIN1_RE.findall(sample)) / visible >= _MIN_LATIN1_SHARE:
        return "chanakya"
    return None


# --- language identification ---------------------------------------------------------------


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1; "" when there is no text to judge
    confidence: float | None  # 0-1; None when there is no text


class LanguageIdentifier:
    """py3langid restricted to ``languages``; load once, use for every article."""

    def __init__(self, languages: Sequence[str] = INDIAN_LANGUAGES) -> None:
        self.languages = tuple(languages)
        # Imported here: py3langid brings numpy and a ~100 MB model, and the settings
        # import this module for its language list.
        from py3langid.langid import MODEL_FILE
        from py3langid.langid import LanguageIdentifier as _PyLangId

        self._model = _PyLangId.from_model_file(MODEL_FILE, norm_probs=True)
        self._model.set_languages(list(self.languages))

    def identify(self, text: str) -> LanguageGuess:
        sample = text.strip()[:_MAX_CHARS]
        if not sample:
            return LanguageGuess("", None)
        language, confidence = self._model.classify(sample)
        return LanguageGuess(language, round(float(confidence), 4))


def language_identifier(languages: Sequence[str] = INDIAN_LANGUAGES) -> LanguageIdentifier:
    """A shared identifier for ``languages``: loading the model takes most of a second."""
    return _identifier(tuple(languages))


@cache
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    return LanguageIdentifier(languages)


def identify_language(text: str, languages: Sequence[str] = INDIAN_LANGUAGES) -> LanguageGuess:
    """The language of ``text`` among ``languages`` (the model is loaded once per set)."""
    return language_identifier(languages).identify(text)
